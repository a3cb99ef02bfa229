"""SQLite files used by several threads and processes: WAL, one short connection per operation.

The outbox, the ticket store and the staff store all work this way, so a crash or restart of any
process never leaves a connection or a half-written transaction behind.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds a connection waits for another writer before giving up.
BUSY_TIMEOUT_SECONDS = 30


def create_database(path: Path, schema: str) -> None:
    """Create the file (and its folder) with the schema, in WAL mode; harmless if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection in autocommit mode with rows as mappings; closed when the block ends.
    ``read_only`` opens the file so that this connection can never write to it (another
    program's file, such as Rasa's tracker store)."""
    target = f"{Path(path).resolve().as_uri()}?mode=ro" if read_only else path
    db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                         uri=read_only)
    db.row_factory = sqlite3.Row
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        # Every commit reaches the disk: a stored ticket survives a power cut too.
        db.execute("PRAGMA synchronous = FULL")
        yield db
    finally:
        db.close()


@contextmanager
def transaction(path: Path, *, secure_delete: bool = False) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the lock at once; rolled back if the block raises.

    With ``secure_delete`` the rows it deletes are overwritten in the file, not just unlinked.
    """
    with connect(path) as db:
        if secure_delete:
            db.execute("PRAGMA secure_delete = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
