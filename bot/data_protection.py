"""Retention and data-protection requests: purge old data, export or forget one customer.

What the assistant stores about customers lives in Rasa's tracker store (the conversations), the
web app's ticket store (tickets with their notes, history and replies), the action server's outbox
(tickets on their way to the helpdesk), the mail outbox (e-mails to customers), the development
mail sink's Maildir and the widget's feedback store. This module reads and deletes in all of them::

    python -m bot.data_protection purge --days 90 [--dry-run]
    python -m bot.data_protection export --email kunde@webshop.dk [--out file.json]
    python -m bot.data_protection forget --email kunde@webshop.dk [--yes] [--dry-run]

The stores are SQLite files, or tables in the PostgreSQL database of ``IEX_DATABASE_URL`` (the
scaled mode's, where Rasa's tracker store is too); both are read and deleted in alike. Deleted
rows are overwritten in SQLite files (``secure_delete``, the write-ahead log checkpointed, the
ticket search index rebuilt), so they cannot be read back from the disk either; on PostgreSQL
VACUUM frees their space for reuse.
A ticket delivered to an outside helpdesk (Zendesk, Freshdesk, Intercom) is also kept there:
``forget`` names those references, to be deleted in that helpdesk.
"""
from __future__ import annotations

import argparse
import json
import mailbox
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from actions.extraction import extract_emails, is_valid_email
from actions.outbox import DELIVERED
from bot.config import load_settings
from bot.inbox.conversations import split_sessions
from bot.ticket_store import CLOSED, stored_time
from storage.database import Database

SECONDS_PER_DAY = 86_400
#: Tracker events that can carry what a customer wrote or gave: messages and slots.
_CUSTOMER_EVENT_TYPES = ("user", "bot", "slot")
#: What the ticket store keeps besides a ticket, and the column naming the ticket.
_TICKET_DETAILS = {"ticket_status_changes": "ticket_id", "ticket_changes": "ticket_id",
                   "ticket_notes": "ticket_id", "ticket_replies": "ticket_id", "ticket_text": "id"}
#: The widget's feedback tables (bot/feedback.py), each with the column saying when it was given.
_FEEDBACK_TIMES = {"article_feedback": "opened_at", "conversation_ratings": "rated_at"}
#: References a report names before it only counts the rest.
_LISTED_REFERENCES = 20


@dataclass(frozen=True)
class Stores:
    """Where customer data is kept: conversations, tickets and their outbox, and (when given)
    the customer e-mails' outbox, the development mail sink and the widget's feedback. Each
    store is a SQLite file or a PostgreSQL URL (all of them the same database, then)."""

    tracker: str | Path
    tickets: str | Path
    outbox: str | Path
    mail_outbox: str | Path | None = None
    mail_sink_dir: Path | None = None
    feedback: str | Path | None = None

    @classmethod
    def configured(cls) -> Stores:
        """The stores the running assistant uses (``IEX_DATABASE_URL``, or the files in
        ``IEX_STATE_DIR`` and ``IEX_OUTBOX_DB``)."""
        settings = load_settings()
        return cls(settings.tracker_location, settings.ticket_location,
                   settings.outbox_location, settings.mail_outbox_location,
                   settings.mail_sink_dir, settings.feedback_location)


def _opened(location: str | Path | None, store: str) -> Database | None:
    """The store's database (``store`` as the store itself names it, for its write lock), or
    None when there is nothing to read: no location, or no SQLite file yet."""
    if location is None:
        return None
    database = Database(location, store)
    return database if database.exists() else None


def _sink(stores: Stores) -> mailbox.Maildir | None:
    """The development mail sink's Maildir, if it has received anything."""
    if stores.mail_sink_dir is None or not stores.mail_sink_dir.exists():
        return None
    return mailbox.Maildir(stores.mail_sink_dir, create=False)


@contextmanager
def _deleting(database: Database, *tables: str) -> Iterator[Any]:
    """A write transaction whose deleted rows are overwritten in a SQLite file, not just
    unlinked; afterwards what still holds them (the write-ahead log, dead rows) is reclaimed."""
    with database.transaction(secure_delete=True) as db:
        yield db
    database.reclaim_deleted(tables)


def _looking(database: Database, *_tables: str) -> AbstractContextManager:
    """A connection that only reads (a dry run)."""
    return database.connect()


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


# --- retention ----------------------------------------------------------------------------------


@dataclass
class Purge:
    """What a purge deleted (or, in a dry run, would delete)."""

    cutoff: float
    dry_run: bool
    #: Conversation sessions that ended before the cutoff, and their senders and events.
    sessions: int = 0
    senders: set[str] = field(default_factory=set)
    events: int = 0
    tickets: list[str] = field(default_factory=list)
    #: Tickets older than the cutoff that are kept: support has not closed them yet.
    open_tickets_kept: list[str] = field(default_factory=list)
    outbox_items: list[str] = field(default_factory=list)
    #: Outbox items older than the cutoff that are kept: not delivered yet (pending or failed).
    undelivered_kept: list[str] = field(default_factory=list)
    #: Customer e-mails sent (the mail outbox) and received by the development sink.
    mails: int = 0
    #: E-mails older than the cutoff that are kept: not sent yet (pending or failed).
    unsent_mails_kept: int = 0
    sink_messages: int = 0
    #: Article feedback and conversation ratings from the widget.
    feedback: int = 0

    def report(self) -> str:
        verb = "Would delete" if self.dry_run else "Deleted"
        cutoff = datetime.fromtimestamp(self.cutoff, tz=timezone.utc)
        lines = [
            f"{verb} what is older than {cutoff:%Y-%m-%d %H:%M} UTC:",
            f"  conversations: {_count(self.sessions, 'session')} of"
            f" {_count(len(self.senders), 'sender')} ({_count(self.events, 'event')})",
            f"  tickets: {_listed(self.tickets)}",
            f"  delivered outbox items: {_listed(self.outbox_items)}",
            f"  customer e-mails: {_count(self.mails, 'sent e-mail')},"
            f" {_count(self.sink_messages, 'message')} in the development mail sink",
            f"  widget feedback: {_count(self.feedback, 'answer')}",
        ]
        if self.open_tickets_kept:
            lines.append(
                f"Kept {_listed(self.open_tickets_kept)} in the ticket store: not closed yet;"
                " close them in the inbox, then purge again."
            )
        if self.unsent_mails_kept:
            lines.append(
                f"Kept {_count(self.unsent_mails_kept, 'e-mail')} in the mail outbox: not sent yet;"
                " send or retry them (the inbox's Mail page), then purge again."
            )
        if self.undelivered_kept:
            lines.append(
                f"Kept {_listed(self.undelivered_kept)} in the outbox: not delivered yet"
                " (pending or failed); deliver or retry them, then purge again."
            )
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _listed(references: list[str]) -> str:
    if not references:
        return "0"
    named = ", ".join(references[:_LISTED_REFERENCES])
    more = len(references) - _LISTED_REFERENCES
    return f"{len(references)} ({named}{f' and {more} more' if more > 0 else ''})"


def _old_sessions(db, cutoff: float) -> Iterator[tuple[str, list[int]]]:
    """(sender, row ids) of every conversation session whose last event is before the cutoff."""
    rows = db.execute(
        "SELECT id, sender_id, type_name, action_name, timestamp FROM events"
        " ORDER BY sender_id, id"
    ).fetchall()
    by_sender: dict[str, list[tuple[int, dict]]] = {}
    for row in rows:
        event = {"event": row["type_name"], "name": row["action_name"],
                 "timestamp": row["timestamp"]}
        by_sender.setdefault(row["sender_id"], []).append((row["id"], event))
    for sender_id, events in by_sender.items():
        for session in split_sessions(events):
            stamps = [event["timestamp"] for _, event in session if event["timestamp"] is not None]
            # A session without any time is kept: its age is unknown.
            if stamps and max(stamps) < cutoff:
                yield sender_id, [row_id for row_id, _ in session]


def _delete_rows(db, table: str, column: str, values: list) -> None:
    # SQLite allows some hundreds of parameters in one statement.
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        db.execute(f"DELETE FROM {table} WHERE {column} IN ({_placeholders(chunk)})", chunk)


def _delete_tickets(database: Database, db, references: list[str]) -> None:
    """Delete tickets with their history, notes, replies and search-index entries."""
    for table, column in _TICKET_DETAILS.items():
        # A database from before a table existed (and never opened by the inbox since) lacks it.
        if database.has_table(db, table):
            _delete_rows(db, table, column, references)
    _delete_rows(db, "tickets", "id", references)
    database.compact_text_index(db, "ticket_text")


def purge(stores: Stores, days: int, *, now: float | None = None, dry_run: bool = False) -> Purge:
    """Delete conversations, closed tickets and delivered outbox items older than ``days`` days.

    A conversation counts from its last message: a session that ended before the cutoff goes,
    the sessions after it stay (Rasa reads a tracker from its latest session). Outbox items that
    are not delivered yet, and tickets support has not closed, are never deleted.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    result = Purge(cutoff=cutoff, dry_run=dry_run)
    opened = _looking if dry_run else _deleting

    tracker = _opened(stores.tracker, "events")
    if tracker:
        with opened(tracker, "events") as db:
            if tracker.has_table(db, "events"):
                for sender_id, row_ids in _old_sessions(db, cutoff):
                    result.sessions += 1
                    result.senders.add(sender_id)
                    result.events += len(row_ids)
                    if not dry_run:
                        _delete_rows(db, "events", "id", row_ids)

    tickets = _opened(stores.tickets, "tickets")
    if tickets:
        with opened(tickets, "tickets", *_TICKET_DETAILS) as db:
            if tickets.has_table(db, "tickets"):
                old = db.execute(
                    "SELECT id, status FROM tickets WHERE created_at < ? ORDER BY created_at",
                    (stored_time(datetime.fromtimestamp(cutoff, tz=timezone.utc)),),
                ).fetchall()
                result.tickets = [row["id"] for row in old if row["status"] == CLOSED]
                result.open_tickets_kept = [row["id"] for row in old if row["status"] != CLOSED]
                if result.tickets and not dry_run:
                    _delete_tickets(tickets, db, result.tickets)

    outbox = _opened(stores.outbox, "outbox")
    if outbox:
        with opened(outbox, "outbox") as db:
            if outbox.has_table(db, "outbox"):
                old = db.execute(
                    "SELECT idempotency_key, reference, status FROM outbox"
                    " WHERE created_at < ? ORDER BY created_at", (cutoff,),
                ).fetchall()
                delivered = [row for row in old if row["status"] == DELIVERED]
                result.outbox_items = [row["reference"] for row in delivered]
                result.undelivered_kept = [
                    row["reference"] for row in old if row["status"] != DELIVERED
                ]
                if delivered and not dry_run:
                    _delete_rows(db, "outbox", "idempotency_key",
                                 [row["idempotency_key"] for row in delivered])

    mail_outbox = _opened(stores.mail_outbox, "mail_outbox")
    if mail_outbox:
        with opened(mail_outbox, "mail_outbox") as db:
            if mail_outbox.has_table(db, "mail_outbox"):
                old = db.execute(
                    "SELECT idempotency_key, status FROM mail_outbox WHERE created_at < ?",
                    (cutoff,),
                ).fetchall()
                sent = [row["idempotency_key"] for row in old if row["status"] == DELIVERED]
                result.mails, result.unsent_mails_kept = len(sent), len(old) - len(sent)
                if sent and not dry_run:
                    _delete_rows(db, "mail_outbox", "idempotency_key", sent)

    sink = _sink(stores)
    if sink is not None:
        old_keys = [key for key in sink.keys() if sink.get_message(key).get_date() < cutoff]
        result.sink_messages = len(old_keys)
        if not dry_run:
            for key in old_keys:
                sink.discard(key)

    feedback = _opened(stores.feedback, "feedback")
    if feedback:
        moment = datetime.fromtimestamp(cutoff, tz=timezone.utc).isoformat()
        with opened(feedback, *_FEEDBACK_TIMES) as db:
            for table, column in _FEEDBACK_TIMES.items():
                if feedback.has_table(db, table):
                    result.feedback += db.execute(
                        f"SELECT count(*) FROM {table} WHERE {column} < ?", (moment,)
                    ).fetchone()[0]
                    if not dry_run:
                        db.execute(f"DELETE FROM {table} WHERE {column} < ?", (moment,))
    return result


# --- one customer's data ------------------------------------------------------------------------


def _mentions(value: Any, email: str) -> bool:
    """Whether a stored value (text, list or mapping) holds this e-mail address."""
    if isinstance(value, str):
        return any(found.lower() == email for found in extract_emails(value))
    if isinstance(value, dict):
        return any(_mentions(item, email) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, email) for item in value)
    return False


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class CustomerData:
    """Everything stored about one customer, found by their e-mail address."""

    email: str
    #: Each ticket as stored, with its internal notes and status history.
    tickets: list[dict] = field(default_factory=list)
    #: Each outbox item: the ticket and where its delivery stands.
    outbox_items: list[dict] = field(default_factory=list)
    #: Each conversation (tracker sender) that mentions the address or made one of the tickets,
    #: with all of its events as Rasa stored them.
    conversations: list[dict] = field(default_factory=list)
    #: Each e-mail to the address in the mail outbox (confirmations, agents' replies).
    mails: list[dict] = field(default_factory=list)
    #: Each message the development mail sink received for the address: its key and text.
    sink_messages: list[dict] = field(default_factory=list)
    #: The widget's article feedback and ratings from those conversations, by table.
    feedback: dict[str, list[dict]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "email": self.email,
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "tickets": self.tickets,
            "outbox_items": self.outbox_items,
            "conversations": self.conversations,
            "mails": self.mails,
            "sink_messages": self.sink_messages,
            "feedback": self.feedback,
        }

    @property
    def sender_ids(self) -> list[str]:
        return [conversation["sender_id"] for conversation in self.conversations]

    def summary(self) -> str:
        tickets = _count(len(self.tickets), "ticket")
        items = _count(len(self.outbox_items), "outbox item")
        conversations = _count(len(self.conversations), "conversation")
        mails = _count(len(self.mails) + len(self.sink_messages), "e-mail")
        feedback = _count(sum(len(rows) for rows in self.feedback.values()), "feedback answer")
        return f"{tickets}, {items}, {conversations}, {mails} and {feedback} of {self.email}"


def _normalized_email(email: str) -> str:
    if not is_valid_email(email or ""):
        raise ValueError(f"not an e-mail address: {email!r}")
    return email.strip().lower()


def customer_data(stores: Stores, email: str) -> CustomerData:
    """Find every ticket, outbox item and conversation that holds this e-mail address."""
    email = _normalized_email(email)
    found = CustomerData(email)
    conversation_ids: set[str] = set()

    tickets = _opened(stores.tickets, "tickets")
    if tickets:
        with tickets.connect() as db:
            if tickets.has_table(db, "tickets"):
                for row in db.execute(
                    "SELECT id, ticket FROM tickets WHERE email = ? ORDER BY created_at", (email,)
                ).fetchall():
                    ticket = json.loads(row["ticket"])
                    notes = db.execute(
                        "SELECT author, text, created_at FROM ticket_notes WHERE ticket_id = ?"
                        " ORDER BY id", (row["id"],)).fetchall()
                    history = db.execute(
                        "SELECT status, changed_by, changed_at FROM ticket_status_changes"
                        " WHERE ticket_id = ? ORDER BY id", (row["id"],)).fetchall()
                    found.tickets.append({
                        "ticket": ticket,
                        "notes": [dict(note) for note in notes],
                        "status_history": [dict(change) for change in history],
                    })
                    conversation_ids.add(ticket.get("conversation_id") or "")

    outbox = _opened(stores.outbox, "outbox")
    if outbox:
        with outbox.connect() as db:
            if outbox.has_table(db, "outbox"):
                for row in db.execute(
                    "SELECT * FROM outbox"
                    f" WHERE lower({outbox.json_text('ticket', 'customer', 'email')}) = ?"
                    " ORDER BY created_at", (email,),
                ).fetchall():
                    item = outbox.fields(row)
                    item["ticket"] = json.loads(item["ticket"])
                    found.outbox_items.append(item)
                    conversation_ids.add(item["ticket"].get("conversation_id") or "")

    tracker = _opened(stores.tracker, "events")
    if tracker:
        with tracker.connect() as db:
            if tracker.has_table(db, "events"):
                candidates = db.execute(
                    "SELECT sender_id, data FROM events"
                    f" WHERE type_name IN ({_placeholders(_CUSTOMER_EVENT_TYPES)})"
                    # lower(): PostgreSQL's LIKE tells case apart, SQLite's does not.
                    " AND lower(data) LIKE ? ESCAPE '\\'",
                    (*_CUSTOMER_EVENT_TYPES, _like_pattern(email)),
                ).fetchall()
                for row in candidates:
                    event = json.loads(row["data"])
                    if _mentions(event.get("text"), email) or _mentions(event.get("value"), email):
                        conversation_ids.add(row["sender_id"])
                for sender_id in sorted(conversation_ids - {""}):
                    events = db.execute(
                        "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
                    ).fetchall()
                    if events:
                        found.conversations.append({
                            "sender_id": sender_id,
                            "events": [json.loads(event["data"]) for event in events],
                        })
    conversation_ids.update(found.sender_ids)
    _find_mails(stores, found)
    _find_feedback(stores, found, sorted(conversation_ids - {""}))
    return found


def _find_mails(stores: Stores, found: CustomerData) -> None:
    """The customer's e-mails in the mail outbox and in the development sink."""
    mail_outbox = _opened(stores.mail_outbox, "mail_outbox")
    if mail_outbox:
        with mail_outbox.connect() as db:
            if mail_outbox.has_table(db, "mail_outbox"):
                found.mails = [mail_outbox.fields(row) for row in db.execute(
                    "SELECT * FROM mail_outbox WHERE lower(recipient) LIKE ? ESCAPE '\\'"
                    " ORDER BY created_at", (_like_pattern(found.email),),
                ).fetchall() if _mentions(row["recipient"], found.email)]
    sink = _sink(stores)
    if sink is not None:
        for key in sorted(sink.keys()):
            message = sink.get_message(key)
            if _mentions(str(message.get("To") or ""), found.email):
                found.sink_messages.append({"key": key, "message": message.as_string()})


def _find_feedback(stores: Stores, found: CustomerData, conversation_ids: list[str]) -> None:
    """What the customer's conversations told the widget: article feedback and ratings."""
    feedback = _opened(stores.feedback, "feedback")
    if not conversation_ids or not feedback:
        return
    with feedback.connect() as db:
        for table in _FEEDBACK_TIMES:
            if feedback.has_table(db, table):
                rows = db.execute(
                    f"SELECT * FROM {table}"
                    f" WHERE conversation_id IN ({_placeholders(conversation_ids)})",
                    conversation_ids,
                ).fetchall()
                if rows:
                    found.feedback[table] = [feedback.fields(row) for row in rows]


def export_customer(stores: Stores, email: str, path: Path) -> CustomerData:
    """Write everything stored about the customer to one JSON file, readable by its owner only."""
    found = customer_data(stores, email)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        json.dump(found.as_json(), file, ensure_ascii=False, indent=2)
    return found


def forget_customer(stores: Stores, email: str, *, dry_run: bool = False) -> CustomerData:
    """Delete every ticket, outbox item, conversation, e-mail and feedback answer of the
    customer; returns what it was."""
    found = customer_data(stores, email)
    if dry_run:
        return found
    references = [entry["ticket"]["id"] for entry in found.tickets]
    if references:
        tickets = Database(stores.tickets, "tickets")
        with _deleting(tickets, "tickets", *_TICKET_DETAILS) as db:
            _delete_tickets(tickets, db, references)
    keys = [item["idempotency_key"] for item in found.outbox_items]
    if keys:
        with _deleting(Database(stores.outbox, "outbox"), "outbox") as db:
            _delete_rows(db, "outbox", "idempotency_key", keys)
    if found.sender_ids:
        with _deleting(Database(stores.tracker, "events"), "events") as db:
            _delete_rows(db, "events", "sender_id", found.sender_ids)
    if found.mails:
        with _deleting(Database(stores.mail_outbox, "mail_outbox"), "mail_outbox") as db:
            _delete_rows(db, "mail_outbox", "idempotency_key",
                         [mail["idempotency_key"] for mail in found.mails])
    sink = _sink(stores)
    for message in found.sink_messages:
        sink.discard(message["key"])
    if found.feedback:
        with _deleting(Database(stores.feedback, "feedback"), *found.feedback) as db:
            for table, rows in found.feedback.items():
                _delete_rows(db, table, "conversation_id",
                             sorted({row["conversation_id"] for row in rows}))
    return found


def helpdesk_copies(found: CustomerData) -> list[str]:
    """References of the customer's tickets that an outside helpdesk also holds."""
    return [
        f"{item['reference']} ({item['helpdesk']}: {item['remote_id'] or 'no id'})"
        for item in found.outbox_items
        if item["status"] == DELIVERED and item["helpdesk"] not in (None, "bot_api")
    ]


# --- command line -------------------------------------------------------------------------------


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"DAYS must be a whole number of days, not {text!r}"
        ) from None
    if days < 1:
        raise argparse.ArgumentTypeError(
            f"DAYS must be at least 1 (got {days}): purge never deletes today's data"
        )
    return days


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.data_protection", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    purging = commands.add_parser(
        "purge", help="delete conversations, tickets and delivered outbox items older than DAYS"
    )
    purging.add_argument("--days", type=_days, metavar="DAYS")
    purging.add_argument("--dry-run", action="store_true", help="only say what would go")
    exporting = commands.add_parser("export", help="write everything about one customer as JSON")
    exporting.add_argument("--email", required=True)
    exporting.add_argument("--out", type=Path, help="file to write (default: in IEX_STATE_DIR)")
    forgetting = commands.add_parser("forget", help="delete everything about one customer")
    forgetting.add_argument("--email", required=True)
    forgetting.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forgetting.add_argument("--dry-run", action="store_true", help="only say what would go")
    return parser


def _default_export_path(email: str) -> Path:
    safe = "".join(char if char.isalnum() or char in "@.-" else "_" for char in email.lower())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return load_settings().state_dir / "exports" / f"customer-{safe}-{stamp}.json"


def main(arguments: list[str] | None = None, stores: Stores | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(arguments)
    stores = stores or Stores.configured()
    if options.command == "purge":
        if options.days is None:
            parser.error("purge needs DAYS (make purge DAYS=90): data older than that is deleted")
        print(purge(stores, options.days, dry_run=options.dry_run).report())
        return 0
    try:
        _normalized_email(options.email)
    except ValueError as error:
        parser.error(str(error))
    if options.command == "export":
        path = options.out or _default_export_path(options.email)
        found = export_customer(stores, options.email, path)
        print(f"Wrote {found.summary()} to {path}")
        return 0
    found = customer_data(stores, options.email)
    if options.dry_run:
        print(f"Would delete {found.summary()}.")
        return 0
    if not (found.tickets or found.outbox_items or found.conversations):
        print(f"Nothing is stored about {found.email}.")
        return 0
    if not options.yes:
        try:
            answer = input(f"Delete {found.summary()}? Type yes to confirm: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("yes", "y"):
            print("Nothing deleted.")
            return 1
    found = forget_customer(stores, options.email)
    print(f"Deleted {found.summary()}.")
    copies = helpdesk_copies(found)
    if copies:
        print("Delete these tickets in the helpdesk too: " + ", ".join(copies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
