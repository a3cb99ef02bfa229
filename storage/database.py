"""One way to reach a store: a SQLite file (the default) or a PostgreSQL database shared by
several processes (``IEX_DATABASE_URL``), with the same SQL, placeholders (``?``) and rows read
as mappings in both.

Write transactions run one at a time on both: SQLite's ``BEGIN IMMEDIATE`` takes the file's write
lock, and on PostgreSQL every transaction first takes one advisory lock of the database. So code
that reads and then writes in a transaction (a claim, a reference check, the pause row) is as
safe with two worker processes on PostgreSQL as it is on one SQLite file. Transactions are short
(no helpdesk or SMTP call happens inside one), so this costs little.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage import sqlite

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

#: Connections a process keeps open to one PostgreSQL database.
POOL_SIZE = 8

#: The advisory lock every PostgreSQL write transaction takes (any constant; "IEX" in ASCII).
WRITE_LOCK = 0x494558


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


class PostgresConnection:
    """A pooled PostgreSQL connection that takes SQLite-style ``?`` SQL and gives mapping rows."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql: str, parameters: tuple | list = ()):
        from psycopg2.extras import RealDictCursor

        cursor = self.connection.cursor(cursor_factory=RealDictCursor)
        if parameters:
            cursor.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(parameters))
        else:
            cursor.execute(sql)
        return cursor


_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()
_pools_pid = os.getpid()


def _pool(url: str):
    """This process's pool for ``url``; a forked child opens its own (the parent's sockets are
    left alone: closing them here would end the parent's sessions)."""
    global _pools_pid
    import psycopg2
    from sqlalchemy.pool import QueuePool

    with _pools_lock:
        if _pools_pid != os.getpid():
            _pools.clear()
            _pools_pid = os.getpid()
        if url not in _pools:
            # Opened when first needed; up to POOL_SIZE stay open, as many more wait their turn.
            _pools[url] = QueuePool(
                lambda: psycopg2.connect(url), pool_size=POOL_SIZE, max_overflow=POOL_SIZE
            )
        return _pools[url]


def _postgres_schema(schema: str) -> str:
    """SQLite DDL as PostgreSQL DDL: 8-byte timestamps, and a ``rowid`` so insertion order sorts
    as it does on SQLite."""
    schema = re.sub(r"\bREAL\b", "DOUBLE PRECISION", schema)
    return re.sub(
        r"(CREATE TABLE IF NOT EXISTS \w+ \()", r"\1\n    rowid BIGSERIAL NOT NULL,", schema
    )


class Database:
    """A store's database: a SQLite file path or a PostgreSQL URL."""

    def __init__(self, location: str | Path):
        self.postgres = is_postgres(location)
        self.location: str | Path = location if self.postgres else Path(location)

    def __repr__(self) -> str:
        if self.postgres:
            return re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", str(self.location))
        return str(self.location)

    def create(self, schema: str) -> None:
        """Create the tables of ``schema`` if missing; safe when several processes start at once."""
        if not self.postgres:
            sqlite.create_database(self.location, schema)
            return
        with self.transaction() as db:
            db.execute(_postgres_schema(schema))

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection in autocommit mode with rows as mappings, for one operation."""
        if not self.postgres:
            with sqlite.connect(self.location) as db:
                yield db
            return
        pooled = _pool(self.location).connect()
        connection = pooled.dbapi_connection
        connection.autocommit = True
        try:
            yield PostgresConnection(connection)
        finally:
            if connection.closed:  # the server ended it: the pool opens a new one next time
                pooled.invalidate()
            else:
                pooled.close()

    @contextmanager
    def transaction(self, *, secure_delete: bool = False) -> Iterator[Any]:
        """A write transaction, one at a time; rolled back if the block raises.

        ``secure_delete`` overwrites deleted rows in a SQLite file (PostgreSQL's VACUUM reclaims
        them).
        """
        if not self.postgres:
            with sqlite.transaction(self.location, secure_delete=secure_delete) as db:
                yield db
            return
        with self.connect() as db:
            db.execute("BEGIN")
            try:
                db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield db
            except BaseException:
                if not db.connection.closed:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
