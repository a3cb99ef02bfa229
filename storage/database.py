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
import sqlalchemy.exc
from psycopg2.errors import LockNotAvailable
from psycopg2.extras import DictCursor
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url

from storage import sqlite

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

#: Connections a process opens to one PostgreSQL database at most; more callers wait their turn.
POOL_SIZE = 8
#: Seconds a connection attempt may take (an unreachable host would block for the OS's TCP
#: timeout, minutes, inside the web app's event loop).
CONNECT_TIMEOUT_SECONDS = 5
#: Seconds an operation waits for another transaction's lock (a store's write lock) or for a free
#: pooled connection before giving up: as long as a SQLite writer waits for the file's lock.
WAIT_TIMEOUT_SECONDS = sqlite.BUSY_TIMEOUT_SECONDS
#: Seconds the server lets a session sit idle inside a transaction before ending it, so a stuck
#: process cannot hold a store's write lock for ever.
IDLE_IN_TRANSACTION_TIMEOUT_SECONDS = 60

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


class UnreadableURL(ValueError):
    """A PostgreSQL URL that cannot be read without doubt (the message never quotes it)."""


def _parsed_url(location: str) -> URL:
    """``location`` as SQLAlchemy reads it; an ``@`` left in the host or database name means an
    unencoded ``@`` in the password, so part of the password would be taken for the host."""
    try:
        url = make_url(location)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        raise UnreadableURL("the database URL cannot be read") from None
    if "@" in f"{url.host or ''}{url.database or ''}":
        raise UnreadableURL("the database URL's password has an @ that is not percent-encoded")
    return url


def _is_password(parameter: str) -> bool:
    return "password" in parameter  # libpq's password and sslpassword


def _masked_url(location: str) -> str:
    """The PostgreSQL URL without its passwords (in the user part and in the query), for logs and
    error messages; only the scheme if the URL cannot be read."""
    try:
        url = _parsed_url(location)
    except UnreadableURL:
        return f"{location.split('://', 1)[0]}://***"
    hidden = url.update_query_dict(
        {parameter: "***" for parameter in url.query if _is_password(parameter)}
    )
    # The query's *** comes back percent-encoded; the user part's is SQLAlchemy's own.
    return hidden.render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")


def _without_passwords(message: str, url: URL) -> str:
    """``message`` (a libpq error, which may quote connection parameters) with the URL's
    passwords replaced by ***."""
    values = [url.password]
    for parameter, value in url.query.items():
        if _is_password(parameter):
            values.extend([value] if isinstance(value, str) else value)
    for value in filter(None, values):
        message = message.replace(value, "***")
    return message


def _create_engine(url: URL) -> Engine:
    options = (
        f"-c lock_timeout={WAIT_TIMEOUT_SECONDS}s"
        f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_SECONDS}s"
    )
    if url.query.get("options"):  # the URL's own options come too
        options = f"{url.query['options']} {options}"
    return create_engine(
        url.set(drivername="postgresql+psycopg2"),
        pool_size=POOL_SIZE, max_overflow=0, pool_timeout=WAIT_TIMEOUT_SECONDS,
        # A connection is tried (SELECT 1) before each use: after a server restart the pool
        # opens new ones instead of failing one operation per stale connection.
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
    )


#: Each process's engines (pools) by URL, under the process id.
_engines: dict[int, dict[str, Engine]] = {}
_engines_lock = threading.Lock()


def _engine(location: str) -> Engine:
    """This process's engine for ``location``. A forked child makes its own: the parent's
    engines stay in their entry, never disposed, used or freed, since closing their
    connections here would end the parent's sessions (SQLAlchemy 1.4 has no ``dispose(close=
    False)``)."""
    with _engines_lock:
        engines = _engines.setdefault(os.getpid(), {})
        if location not in engines:
            engines[location] = _create_engine(_parsed_url(location))
        return engines[location]


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
        return _masked_url(self.location) if self.postgres else str(self.location)

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
        pooled = self._pooled_connection()
        connection = pooled.dbapi_connection
        connection.autocommit = True
        try:
            yield PostgresConnection(connection)
        finally:
            if connection.closed:  # the server ended it: the pool opens a new one next time
                pooled.invalidate()
            else:
                pooled.close()

    def _pooled_connection(self):
        """A connection from this process's pool. Its errors are DATABASE_ERRORS that name the
        database without its password (libpq's own messages may quote it)."""
        try:
            return _engine(self.location).raw_connection()
        except UnreadableURL as error:
            raise psycopg2.OperationalError(f"{self!r}: {error}") from None
        except sqlalchemy.exc.TimeoutError:
            raise psycopg2.OperationalError(
                f"{self!r}: all {POOL_SIZE} connections of this process were busy for"
                f" {WAIT_TIMEOUT_SECONDS} s"
            ) from None
        except sqlalchemy.exc.DBAPIError as error:  # psycopg2's error, wrapped by SQLAlchemy
            message = _without_passwords(str(error.orig).strip(), _parsed_url(self.location))
            raise psycopg2.OperationalError(f"cannot connect to {self!r}: {message}") from None

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A connection for reading another program's tables (Rasa's tracker store): a SQLite
        file is opened read-only, so this process can never write to it."""
        if self.postgres:
            with self.connect() as db:
                yield db
            return
        with sqlite.connect(self.location, read_only=True) as db:
            yield db

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
                self._take_write_lock(db)
                yield db
            except BaseException:
                if not db.connection.closed:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _take_write_lock(self, db) -> None:
        try:
            db.execute("SELECT pg_advisory_xact_lock(?)", (self._write_lock,))
        except LockNotAvailable:
            raise LockNotAvailable(
                f"{self!r}: another transaction held the {self.store} store's write lock for"
                f" more than {WAIT_TIMEOUT_SECONDS} s"
            ) from None

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
