"""The embedded helpdesk's storage: tickets in SQLite or PostgreSQL (storage/database.py), the
full JSON plus columns to search by.

Besides the tickets it keeps what the support team adds: every status change, assignment,
duplicate link, internal note and e-mail reply to the customer with who and when, and a full-text
index over description, examples and transcript. A database written by an older version is
brought up to date when the store opens it (``_migrate``), so old tickets.db files keep working.
Several web app processes can share one PostgreSQL database.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from storage.database import Database
from support_core.language import DEFAULT_LANGUAGE
from tickets import parse_timestamp

#: Where a ticket stands in the inbox; only closed tickets may be purged after retention.
CLOSED = "closed"
STATUSES = ("new", "in_progress", CLOSED)
#: The filter value for every ticket not closed yet (new or in progress): the queue.
OPEN = "open"
#: The orders a ticket list can have: as received (open first, oldest first), or newest first.
RECEIVED = "received"
NEWEST = "newest"
ORDERS = (RECEIVED, NEWEST)
#: What ticket_changes records besides status changes (those keep their own table).
ASSIGNEE = "assignee"
DUPLICATE_OF = "duplicate_of"

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
CREATE TABLE IF NOT EXISTS ticket_status_changes (
    id          INTEGER PRIMARY KEY,
    ticket_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    changed_by  TEXT,
    changed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_status_changes_ticket ON ticket_status_changes (ticket_id);
CREATE TABLE IF NOT EXISTS ticket_notes (
    id          INTEGER PRIMARY KEY,
    ticket_id   TEXT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_notes_ticket ON ticket_notes (ticket_id);
CREATE TABLE IF NOT EXISTS ticket_replies (
    id          INTEGER PRIMARY KEY,
    ticket_id   TEXT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    mail_key    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_replies_ticket ON ticket_replies (ticket_id);
CREATE TABLE IF NOT EXISTS ticket_changes (
    id          INTEGER PRIMARY KEY,
    ticket_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT,
    changed_by  TEXT,
    changed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_changes_ticket ON ticket_changes (ticket_id);
"""
#: The full-text index (table ticket_text, one row per ticket id) over these parts of a ticket.
_SEARCHED_PARTS = ("summary", "description", "examples", "transcript")

#: Columns added to the tickets table after its first version, with their definitions.
_ADDED_COLUMNS = {ASSIGNEE: "TEXT", DUPLICATE_OF: "TEXT"}

#: A search word: letters and digits of any script. The index keeps a ticket's text as these
#: words only, so both databases split it alike: PostgreSQL's parser keeps "kunde@webshop.dk",
#: "12.50" or "error.log" whole, where SQLite's FTS5 splits them.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class TicketFilter:
    """What the inbox narrows the ticket list to; an empty field does not narrow it."""

    #: A status, or OPEN for every ticket not closed.
    status: str | None = None
    category: str | None = None
    #: The customer's e-mail address (any case).
    email: str | None = None
    #: The staff user the ticket is assigned to.
    assignee: str | None = None
    #: Only tickets assigned to nobody.
    unassigned: bool = False
    system: str | None = None
    #: The conversation's language ("en" or "da"); tickets from before languages count as "en".
    language: str | None = None
    #: Created at or after this moment.
    created_from: datetime | None = None
    #: Created before this moment.
    created_before: datetime | None = None
    #: Words that must all occur in the description, examples, summary or transcript.
    text: str | None = None


def searchable_text(ticket: dict) -> dict[str, str]:
    """The parts of a ticket the full-text search looks in, as plain text."""
    examples = ticket.get("examples") or {}
    return {
        "summary": ticket.get("summary") or "",
        "description": ticket.get("description") or "",
        "examples": " ".join(
            str(value)
            for key in ("order_ids", "product_ids", "other")
            for value in examples.get(key) or []
        ),
        "transcript": "\n".join(
            str(message.get("text") or "") for message in ticket.get("transcript") or []
        ),
    }


class TicketConflict(Exception):
    """A different ticket (another idempotency key) already has this reference."""


def _sortable(timestamp: str) -> str:
    # One fixed UTC format, so that text order is time order whatever precision was sent.
    return stored_time(parse_timestamp(timestamp))


def _now() -> str:
    return stored_time(datetime.now(timezone.utc))


def stored_time(moment: datetime) -> str:
    """A moment as the ticket store keeps and sorts it: ISO 8601 in UTC to the microsecond."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _index_text(db, ticket: dict) -> None:
    parts = searchable_text(ticket)
    db.execute(
        f"INSERT INTO ticket_text (id, {', '.join(_SEARCHED_PARTS)})"
        f" VALUES (?{', ?' * len(_SEARCHED_PARTS)})",
        (ticket["id"], *(" ".join(_WORD.findall(parts[part] or "")) for part in _SEARCHED_PARTS)),
    )


def _conditions(database: Database, filters: TicketFilter) -> tuple[str, list]:
    """The WHERE clause (possibly empty) and its parameters for a filter."""
    conditions: list[str] = []
    parameters: list = []
    if filters.status == OPEN:
        conditions.append("status != ?")
        parameters.append(CLOSED)
    elif filters.status:
        conditions.append("status = ?")
        parameters.append(filters.status)
    if filters.category:
        conditions.append("category = ?")
        parameters.append(filters.category)
    if filters.email:
        conditions.append("email = ?")
        parameters.append(filters.email.lower())
    if filters.assignee:
        conditions.append("assignee = ?")
        parameters.append(filters.assignee)
    if filters.unassigned:
        conditions.append("assignee IS NULL")
    if filters.system:
        conditions.append(
            f"EXISTS (SELECT 1 FROM {database.json_each('tickets.ticket', 'systems')}"
            " WHERE lower(json_each.value) = lower(?))"
        )
        parameters.append(filters.system)
    if filters.language:
        conditions.append(f"coalesce({database.json_text('tickets.ticket', 'language')}, ?) = ?")
        parameters += [DEFAULT_LANGUAGE, filters.language]
    if filters.created_from:
        conditions.append("created_at >= ?")
        parameters.append(stored_time(filters.created_from))
    if filters.created_before:
        conditions.append("created_at < ?")
        parameters.append(stored_time(filters.created_before))
    expression = database.text_query(_WORD.findall(filters.text or ""))
    if expression:
        conditions.append(
            f"id IN (SELECT id FROM ticket_text WHERE {database.text_match('ticket_text')})"
        )
        parameters.append(expression)
    elif (filters.text or "").strip():
        conditions.append("1 = 0")  # only punctuation: nothing can match it
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return where, parameters


#: How each order sorts the rows (rowid breaks ties between tickets of the same moment).
_ORDER_BY = {
    RECEIVED: f"status = '{CLOSED}', created_at, rowid",
    NEWEST: "created_at DESC, rowid DESC",
}


@dataclass(frozen=True)
class StoredTicket:
    """A ticket with what the support team keeps about it besides the ticket itself."""

    ticket: dict
    assignee: str | None
    #: The reference of the ticket this one was marked a duplicate of.
    duplicate_of: str | None

    @property
    def id(self) -> str:
        return self.ticket["id"]


def _normalized(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _received_key(ticket: dict) -> tuple[datetime, str]:
    # Of tickets written at the same moment, the one with the lower reference came first.
    return parse_timestamp(ticket["created_at"]), ticket["id"]


def likely_duplicate_of(ticket: dict, same_customer: list[dict], window: timedelta) -> str | None:
    """The first ticket that came before this one from the same address with the same
    description, at most ``window`` earlier: the customer most likely sent the case again."""
    received = _received_key(ticket)
    description = _normalized(ticket.get("description"))
    email = ticket["customer"]["email"].lower()
    earlier = sorted(
        (
            other for other in same_customer
            if other["customer"]["email"].lower() == email
            and _normalized(other.get("description")) == description
            and _received_key(other) < received
            and received[0] - _received_key(other)[0] <= window
        ),
        key=_received_key,
    )
    return earlier[0]["id"] if earlier else None


def _stored(row: Mapping) -> StoredTicket:
    return StoredTicket(json.loads(row["ticket"]), row["assignee"], row["duplicate_of"])


class TicketStore:
    """Tickets received by the web app, in a SQLite file or a PostgreSQL database (one
    connection per operation)."""

    def __init__(self, location: str | Path):
        self.database = Database(location, "tickets")
        self.database.create(
            _SCHEMA + self.database.text_index_schema("ticket_text", "id", _SEARCHED_PARTS)
        )
        self._migrate()
        self._index_unindexed_tickets()

    def _migrate(self) -> None:
        """Add what later versions keep to a database written by an earlier one (idempotent)."""
        with self._transaction() as db:
            present = self.database.columns(db, "tickets")
            for column, definition in _ADDED_COLUMNS.items():
                if column not in present:
                    db.execute(f"ALTER TABLE tickets ADD COLUMN {column} {definition}")
            db.execute("CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets (assignee)")

    def _index_unindexed_tickets(self) -> None:
        # Tickets stored before the search index existed are indexed once, on the next start.
        with self._transaction() as db:
            rows = db.execute(
                "SELECT ticket FROM tickets WHERE id NOT IN (SELECT id FROM ticket_text)"
            ).fetchall()
            for row in rows:
                _index_text(db, json.loads(row["ticket"]))

    def _connection(self) -> AbstractContextManager:
        return self.database.connect()

    def _transaction(self) -> AbstractContextManager:
        return self.database.transaction()

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
            _index_text(db, ticket)
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

    def set_status(
        self, ticket_id: str, status: str, changed_by: str | None = None
    ) -> dict | None:
        """Move a ticket to new, in_progress or closed; returns it updated, or None if unknown.

        A change is kept in the ticket's history with who made it and when; setting the status
        it already has changes nothing.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self._transaction() as db:
            row = db.execute("SELECT ticket FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                return None
            ticket = json.loads(row["ticket"])
            if ticket["status"] == status:
                return ticket
            ticket["status"] = status
            db.execute(
                "UPDATE tickets SET status = ?, ticket = ? WHERE id = ?",
                (status, json.dumps(ticket, ensure_ascii=False), ticket_id),
            )
            db.execute(
                "INSERT INTO ticket_status_changes (ticket_id, status, changed_by, changed_at)"
                " VALUES (?, ?, ?, ?)",
                (ticket_id, status, changed_by, _now()),
            )
        return ticket

    def add_note(self, ticket_id: str, author: str, text: str) -> dict | None:
        """Keep an internal note on a ticket; returns it, or None if the ticket is unknown."""
        if not text.strip():
            raise ValueError("a note needs some text")
        note = {"author": author, "text": text, "created_at": _now()}
        with self._transaction() as db:
            if not db.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone():
                return None
            db.execute(
                "INSERT INTO ticket_notes (ticket_id, author, text, created_at)"
                " VALUES (?, ?, ?, ?)",
                (ticket_id, author, text, note["created_at"]),
            )
        return note

    def notes(self, ticket_id: str) -> list[dict]:
        """The ticket's internal notes, oldest first: author, text and created_at."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT author, text, created_at FROM ticket_notes WHERE ticket_id = ? ORDER BY id",
                (ticket_id,),
            ).fetchall()
        return [dict(row) for row in rows]

    def add_reply(self, ticket_id: str, author: str, text: str, mail_key: str) -> dict | None:
        """Keep an agent's e-mail reply to the customer in the ticket's history; returns it, or
        None if the ticket is unknown. ``mail_key`` is the reply's key in the mail outbox, where
        its delivery stands; a reply with a key that is kept already is not kept again."""
        if not text.strip():
            raise ValueError("a reply needs some text")
        with self._transaction() as db:
            if not db.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone():
                return None
            db.execute(
                "INSERT INTO ticket_replies (ticket_id, author, text, mail_key, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (mail_key) DO NOTHING",
                (ticket_id, author, text, mail_key, _now()),
            )
            row = db.execute(
                "SELECT author, text, mail_key, created_at FROM ticket_replies"
                " WHERE mail_key = ?",
                (mail_key,),
            ).fetchone()
        return dict(row)

    def replies(self, ticket_id: str) -> list[dict]:
        """The agents' replies to the customer, oldest first: author, text, mail_key, created_at."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT author, text, mail_key, created_at FROM ticket_replies"
                " WHERE ticket_id = ? ORDER BY id",
                (ticket_id,),
            ).fetchall()
        return [dict(row) for row in rows]

    def _matching_rows(
        self, filters: TicketFilter, limit: int | None, offset: int, order: str
    ) -> list[Mapping]:
        where, parameters = _conditions(self.database, filters)
        query = (
            f"SELECT ticket, assignee, duplicate_of FROM tickets{where}"
            f" ORDER BY {_ORDER_BY[order]} LIMIT ? OFFSET ?"
        )
        with self._connection() as db:
            return db.execute(
                query, (*parameters, self.database.no_limit if limit is None else limit, offset)
            ).fetchall()

    def search(
        self, filters: TicketFilter, limit: int | None = 50, offset: int = 0, order: str = NEWEST
    ) -> list[dict]:
        """Tickets that pass the filter, newest first or as received; no limit returns them all."""
        return [
            json.loads(row["ticket"])
            for row in self._matching_rows(filters, limit, offset, order)
        ]

    def entries(
        self, filters: TicketFilter, limit: int | None = 50, offset: int = 0,
        order: str = RECEIVED,
    ) -> list[StoredTicket]:
        """Like search, each ticket with its assignee and duplicate link (the inbox's list)."""
        return [_stored(row) for row in self._matching_rows(filters, limit, offset, order)]

    def entry(self, ticket_id: str) -> StoredTicket | None:
        """The ticket with this reference with its assignee and duplicate link, if any."""
        with self._connection() as db:
            row = db.execute(
                "SELECT ticket, assignee, duplicate_of FROM tickets WHERE id = ?", (ticket_id,)
            ).fetchone()
        return _stored(row) if row else None

    def of_customers(self, emails: set[str]) -> dict[str, list[dict]]:
        """Every ticket of each of these e-mail addresses (lower case), as received."""
        wanted = sorted({email.lower() for email in emails})
        found: dict[str, list[dict]] = {email: [] for email in wanted}
        if not wanted:
            return found
        placeholders = ", ".join("?" for _ in wanted)
        with self._connection() as db:
            rows = db.execute(
                f"SELECT email, ticket FROM tickets WHERE email IN ({placeholders})"
                " ORDER BY created_at, rowid",
                wanted,
            ).fetchall()
        for row in rows:
            found[row["email"]].append(json.loads(row["ticket"]))
        return found

    def assign(
        self, ticket_id: str, assignee: str | None, changed_by: str | None = None
    ) -> StoredTicket | None:
        """Assign a ticket to a staff user (None: to nobody); None if the ticket is unknown.

        The change is kept in the ticket's history; assigning it to whom it has changes nothing.
        """
        return self._change(ticket_id, ASSIGNEE, assignee, changed_by)

    def mark_duplicate(
        self, ticket_id: str, original_id: str | None, changed_by: str | None = None
    ) -> StoredTicket | None:
        """Mark a ticket a duplicate of another (None: of none); None if the ticket is unknown.

        Raises ValueError for an unknown original, the ticket itself, or an original that is
        (through others) a duplicate of this ticket: the links must lead to one original.
        """
        if original_id == ticket_id:
            raise ValueError("a ticket cannot be a duplicate of itself")
        if original_id is not None and self.get(original_id) is None:
            raise ValueError(f"there is no ticket {original_id}")
        if original_id is not None and ticket_id in self._originals(original_id):
            raise ValueError(f"{original_id} is itself a duplicate of {ticket_id}")
        return self._change(ticket_id, DUPLICATE_OF, original_id, changed_by)

    def _originals(self, ticket_id: str) -> list[str]:
        """The tickets this one's duplicate links lead to, nearest first."""
        with self._connection() as db:
            found: list[str] = []
            current = ticket_id
            while True:
                row = db.execute(
                    "SELECT duplicate_of FROM tickets WHERE id = ?", (current,)
                ).fetchone()
                current = row["duplicate_of"] if row else None
                if current is None or current in found:  # found: a circle written before
                    return found
                found.append(current)

    def _change(
        self, ticket_id: str, field: str, value: str | None, changed_by: str | None
    ) -> StoredTicket | None:
        with self._transaction() as db:
            row = db.execute(
                "SELECT ticket, assignee, duplicate_of FROM tickets WHERE id = ?", (ticket_id,)
            ).fetchone()
            if row is None:
                return None
            if row[field] == value:
                return _stored(row)
            db.execute(f"UPDATE tickets SET {field} = ? WHERE id = ?", (value, ticket_id))
            db.execute(
                "INSERT INTO ticket_changes (ticket_id, field, value, changed_by, changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (ticket_id, field, value, changed_by, _now()),
            )
            row = db.execute(
                "SELECT ticket, assignee, duplicate_of FROM tickets WHERE id = ?", (ticket_id,)
            ).fetchone()
        return _stored(row)

    def history(self, ticket_id: str) -> list[dict]:
        """Everything the team changed on a ticket, oldest first: field ("status", "assignee" or
        "duplicate_of"), value, changed_by and changed_at."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT 'status' AS field, status AS value, changed_by, changed_at, 0 AS kind, id"
                " FROM ticket_status_changes WHERE ticket_id = ?"
                " UNION ALL"
                " SELECT field, value, changed_by, changed_at, 1 AS kind, id"
                " FROM ticket_changes WHERE ticket_id = ?"
                " ORDER BY changed_at, kind, id",
                (ticket_id, ticket_id),
            ).fetchall()
        return [
            {name: row[name] for name in ("field", "value", "changed_by", "changed_at")}
            for row in rows
        ]

    def count_matching(self, filters: TicketFilter) -> int:
        """How many tickets pass the filter."""
        where, parameters = _conditions(self.database, filters)
        with self._connection() as db:
            return db.execute(f"SELECT COUNT(*) FROM tickets{where}", parameters).fetchone()[0]

    def categories(self) -> list[str]:
        """Every category some ticket has, sorted."""
        with self._connection() as db:
            rows = db.execute("SELECT DISTINCT category FROM tickets ORDER BY category").fetchall()
        return [row[0] for row in rows]

    def systems(self) -> list[str]:
        """Every system some ticket names, sorted without regard to case."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT DISTINCT json_each.value"
                f" FROM tickets, {self.database.json_each('tickets.ticket', 'systems')}"
            ).fetchall()
        return sorted({row[0] for row in rows}, key=str.lower)
