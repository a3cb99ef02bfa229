"""The embedded helpdesk's storage: tickets in SQLite, the full JSON plus columns to search by."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from tickets import parse_timestamp

STATUSES = ("new", "in_progress", "closed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL,
    email           TEXT NOT NULL,
    category        TEXT NOT NULL,
    ticket          TEXT NOT NULL,
    received_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_created_at ON tickets (created_at);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status, created_at);
CREATE INDEX IF NOT EXISTS tickets_email ON tickets (email);
CREATE INDEX IF NOT EXISTS tickets_category ON tickets (category);
"""


class TicketConflict(Exception):
    """A different ticket (another idempotency key) already has this reference."""


def _sortable(timestamp: str) -> str:
    # One fixed UTC format, so that text order is time order whatever precision was sent.
    moment = parse_timestamp(timestamp).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class TicketStore:
    """Tickets received by the web app, one SQLite file (WAL, one connection per operation)."""

    def __init__(self, db_path: str | Path):
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add(self, ticket: dict) -> tuple[dict, bool]:
        """Store a (validated) ticket; returns (stored ticket, created).

        A ticket whose idempotency key is already stored is not stored again: the stored one comes
        back with created False. Raises TicketConflict if another ticket holds the same reference.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT ticket FROM tickets WHERE idempotency_key = ?",
                (ticket["idempotency_key"],),
            ).fetchone()
            if row:
                return json.loads(row["ticket"]), False
            if db.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket["id"],)).fetchone():
                raise TicketConflict(ticket["id"])
            db.execute(
                "INSERT INTO tickets (id, idempotency_key, created_at, status, email, category,"
                " ticket, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ticket["id"],
                    ticket["idempotency_key"],
                    _sortable(ticket["created_at"]),
                    ticket["status"],
                    ticket["customer"]["email"].lower(),
                    ticket["category"],
                    json.dumps(ticket, ensure_ascii=False),
                    _now(),
                ),
            )
        return ticket, True

    def get(self, ticket_id: str) -> dict | None:
        """The ticket with this reference, if any."""
        with self._connection() as db:
            row = db.execute("SELECT ticket FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return json.loads(row["ticket"]) if row else None

    def list(
        self,
        limit: int = 50,
        offset: int = 0,
        status: str | None = None,
        email: str | None = None,
        category: str | None = None,
    ) -> list[dict]:
        """Tickets newest first, optionally only those with a status, customer email or category."""
        conditions, parameters = [], []
        for column, value in (("status", status), ("email", email), ("category", category)):
            if value:
                conditions.append(f"{column} = ?")
                parameters.append(value.lower() if column == "email" else value)
        query = "SELECT ticket FROM tickets"
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"
        with self._connection() as db:
            rows = db.execute(query, (*parameters, limit, offset)).fetchall()
        return [json.loads(row["ticket"]) for row in rows]

    def count(self, status: str | None = None) -> int:
        """How many tickets there are (with a status)."""
        query, parameters = "SELECT COUNT(*) FROM tickets", ()
        if status:
            query, parameters = query + " WHERE status = ?", (status,)
        with self._connection() as db:
            return db.execute(query, parameters).fetchone()[0]

    def set_status(self, ticket_id: str, status: str) -> dict | None:
        """Move a ticket to new, in_progress or closed; returns it updated, or None if unknown."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self._transaction() as db:
            row = db.execute("SELECT ticket FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                return None
            ticket = json.loads(row["ticket"]) | {"status": status}
            db.execute(
                "UPDATE tickets SET status = ?, ticket = ? WHERE id = ?",
                (status, json.dumps(ticket, ensure_ascii=False), ticket_id),
            )
        return ticket
