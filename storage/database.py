"""One way to reach a store: a SQLite file (the default) or a PostgreSQL database shared by
several processes (``IEX_DATABASE_URL``), with the same SQL, placeholders (``?``) and rows read
by name or position in both. What the two dialects spell differently (JSON, full-text search,
the catalogue, an unlimited LIMIT, reclaiming deleted rows) is spelled here, nowhere else.

Write transactions of one store run one at a time on both: SQLite's ``BEGIN IMMEDIATE`` takes the
file's write lock, and on PostgreSQL every transaction first takes the store's advisory lock. So
code that reads and then writes in a transaction (a claim, a reference check, the pause row) is as
safe with two worker processes on PostgreSQL as it is on one SQLite file. Transactions are short
(no helpdesk or SMTP call happens inside one), so this costs little.

On PostgreSQL the stores' tables sit in one database beside Rasa's tracker store, whose only
table is ``events``; no store names a table so.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2.extras import DictCursor
from sqlalchemy.pool import QueuePool

from storage import sqlite

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

#: Connections a process keeps open to one PostgreSQL database.
POOL_SIZE = 8

#: A row broke a UNIQUE or PRIMARY KEY constraint, whichever the database.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg2.IntegrityError)
#: Any failure of either database (unreachable, locked, refused).
DATABASE_ERRORS = (sqlite3.Error, psycopg2.Error)


def _accent_folding() -> tuple[str, str]:
    """Lower-case Latin letters with accents (å, é, ü ...) and the letters without them, for
    PostgreSQL's translate(): the full-text search then ignores accents, as FTS5's
    remove_diacritics does (letters of their own, such as æ and ø, stay)."""
    accented = [
        letter for letter in map(chr, range(0xC0, 0x180))
        if letter.islower() and len(unicodedata.normalize("NFD", letter)) > 1
    ]
    return "".join(accented), "".join(unicodedata.normalize("NFD", a)[0] for a in accented)


_ACCENTED, _UNACCENTED = _accent_folding()


def _folded(sql: str) -> str:
    """SQL for the text of ``sql`` in lower case without accents (immutable, so an index and a
    generated column may use it)."""
    return f"translate(lower({sql}), '{_ACCENTED}', '{_UNACCENTED}')"


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


class PostgresConnection:
    """A pooled PostgreSQL connection that takes SQLite-style ``?`` SQL and gives rows that are
    read by name or position, as ``sqlite3.Row`` is."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql: str, parameters: tuple | list = ()):
        cursor = self.connection.cursor(cursor_factory=DictCursor)
        if parameters:
            cursor.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(parameters))
        else:
            cursor.execute(sql)
        return cursor


_pools: dict[str, QueuePool] = {}
_pools_lock = threading.Lock()
_pools_pid = os.getpid()


def _pool(url: str) -> QueuePool:
    """This process's pool for ``url``; a forked child opens its own (the parent's sockets are
    left alone: closing them here would end the parent's sessions)."""
    global _pools_pid
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
    """SQLite DDL as PostgreSQL DDL: 8-byte numbers, counting ids, and a ``rowid`` so insertion
    order sorts as it does on SQLite."""
    schema = re.sub(r"\bREAL\b", "DOUBLE PRECISION", schema)
    schema = re.sub(r"\bINTEGER PRIMARY KEY\b", "BIGSERIAL PRIMARY KEY", schema)
    return re.sub(
        r"(CREATE TABLE IF NOT EXISTS \w+ \()", r"\1\n    rowid BIGSERIAL NOT NULL,", schema
    )


class Database:
    """A store's database: a SQLite file path or a PostgreSQL URL.

    ``store`` names the store (its main table): the PostgreSQL lock its write transactions take.
    """

    def __init__(self, location: str | Path, store: str):
        self.postgres = is_postgres(location)
        self.location: str | Path = location if self.postgres else Path(location)
        self.store = store
        self._write_lock = zlib.crc32(store.encode())

    def __repr__(self) -> str:
        if self.postgres:
            return re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", str(self.location))
        return str(self.location)

    def exists(self) -> bool:
        """Whether there is anything to read: the SQLite file exists, or it is PostgreSQL."""
        return self.postgres or self.location.exists()

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
    def reading(self) -> Iterator[Any]:
        """A connection for reading another program's tables (Rasa's tracker store): a SQLite
        file is opened read-only, so this process can never write to it."""
        if self.postgres:
            with self.connect() as db:
                yield db
            return
        db = sqlite3.connect(
            f"{self.location.resolve().as_uri()}?mode=ro", uri=True,
            timeout=sqlite.BUSY_TIMEOUT_SECONDS,
        )
        db.row_factory = sqlite3.Row
        try:
            db.execute(f"PRAGMA busy_timeout = {sqlite.BUSY_TIMEOUT_SECONDS * 1000}")
            yield db
        finally:
            db.close()

    @contextmanager
    def transaction(self, *, secure_delete: bool = False) -> Iterator[Any]:
        """A write transaction, one at a time per store; rolled back if the block raises.

        ``secure_delete`` overwrites deleted rows in a SQLite file; on PostgreSQL
        ``reclaim_deleted`` afterwards frees them for reuse.
        """
        if not self.postgres:
            with sqlite.transaction(self.location, secure_delete=secure_delete) as db:
                yield db
            return
        with self.connect() as db:
            db.execute("BEGIN")
            try:
                db.execute("SELECT pg_advisory_xact_lock(?)", (self._write_lock,))
                yield db
            except BaseException:
                if not db.connection.closed:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def reclaim_deleted(self, tables: Iterable[str]) -> None:
        """After deleting customer data: SQLite's write-ahead log, which keeps old page versions,
        is checkpointed; PostgreSQL's VACUUM marks the dead rows' space for reuse."""
        with self.connect() as db:
            if not self.postgres:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return
            for table in tables:
                if self.has_table(db, table):
                    db.execute(f"VACUUM {table}")

    @staticmethod
    def fields(row) -> dict[str, Any]:
        """A row as a dict of its columns, without the ``rowid`` PostgreSQL tables carry (so
        ``SELECT *`` gives the same fields as on SQLite)."""
        return {name: row[name] for name in row.keys() if name != "rowid"}

    # -- the catalogue ------------------------------------------------------------------------

    def has_table(self, db, table: str) -> bool:
        if not self.postgres:
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_name = ?"
            )
        return db.execute(sql, (table,)).fetchone() is not None

    def columns(self, db, table: str) -> set[str]:
        """The names of the table's columns."""
        if not self.postgres:
            return {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
        rows = db.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ).fetchall()
        return {row[0] for row in rows}

    # -- SQL that the dialects spell differently ------------------------------------------------

    @property
    def no_limit(self) -> int | None:
        """The LIMIT parameter that returns every row."""
        return None if self.postgres else -1

    def json_text(self, column: str, *keys: str) -> str:
        """SQL for the text at ``keys`` in the JSON object held by ``column`` (NULL if missing)."""
        if self.postgres:
            return f"({column}::json #>> '{{{','.join(keys)}}}')"
        return f"json_extract({column}, '$.{'.'.join(keys)}')"

    def json_each(self, column: str, key: str) -> str:
        """A FROM item named json_each whose ``value`` column holds each element of the JSON
        array at ``key`` of ``column``'s object."""
        if self.postgres:
            return f"json_array_elements_text({column}::json -> '{key}') AS json_each(value)"
        return f"json_each({column}, '$.{key}')"

    def text_index_schema(self, table: str, key: str, columns: tuple[str, ...]) -> str:
        """DDL of a full-text index: rows of ``key`` and ``columns`` whose words are searched
        without regard to case or accents (SQLite FTS5, or a tsvector with a GIN index)."""
        if not self.postgres:
            return (
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({key} UNINDEXED,"
                f" {', '.join(columns)}, tokenize = 'unicode61 remove_diacritics 2');"
            )
        words = _folded(" || ' ' || ".join(f"coalesce({column}, '')" for column in columns))
        return (
            f"CREATE TABLE IF NOT EXISTS {table} ({key} TEXT NOT NULL,"
            f" {', '.join(f'{column} TEXT' for column in columns)},"
            f" words tsvector GENERATED ALWAYS AS (to_tsvector('simple', {words})) STORED);"
            f" CREATE INDEX IF NOT EXISTS {table}_words ON {table} USING GIN (words);"
            f" CREATE INDEX IF NOT EXISTS {table}_{key} ON {table} ({key});"
        )

    def text_match(self, table: str) -> str:
        """A condition on ``table`` of ``text_index_schema`` that takes a ``text_query``."""
        if self.postgres:
            return f"words @@ to_tsquery('simple', {_folded('?')})"
        return f"{table} MATCH ?"

    def text_query(self, words: list[str]) -> str | None:
        """A full-text query in which every word must occur, as a word or the start of one."""
        if not words:
            return None
        # Each word is quoted, so that nothing the user types is read as query syntax.
        if self.postgres:
            return " & ".join(f"'{word}':*" for word in words)
        return " ".join(f'"{word}"*' for word in words)

    def compact_text_index(self, db, table: str) -> None:
        """Drop the words of deleted rows from the index itself (FTS5 keeps them in its segments
        until they are merged; PostgreSQL's index entries go with the row)."""
        if not self.postgres:
            db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
