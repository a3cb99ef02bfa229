"""The conversations in Rasa's tracker store, read as the support team sees them.

A conversation is one session of a sender (Rasa starts a new session after a pause), so a customer
who comes back days later starts a new conversation. Its outcome comes from the slots the actions
set: ``ticket_reference`` (handed off), ``self_help_outcome`` ("resolved"), and from the intents of
the customer's messages (``nlu_fallback``: not understood; ``report_problem``: a problem).
Until Rasa's session has expired (``session_expiration_time`` in domain.yml after the last
event) a conversation without a ticket or a solution is still going, not abandoned.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from storage.database import Database
from support_core.events import FALLBACK_INTENT, Message, is_problem_report, messages
from support_core.problems import PROBLEM_INTENT

#: Intents that say nothing about why the customer came (skipped for a conversation's headline).
SMALL_TALK_INTENTS = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "inform", FALLBACK_INTENT}
)

RESOLVED = "resolved"
TICKET = "ticket"
NOT_UNDERSTOOD = "not_understood"
ABANDONED = "abandoned"
ANSWERED = "answered"
ONGOING = "ongoing"
#: Every outcome, in the order the inbox lists them, with what the team reads.
OUTCOMES = {
    RESOLVED: "Resolved by self-help",
    TICKET: "Ticket",
    ABANDONED: "Abandoned",
    NOT_UNDERSTOOD: "Not understood",
    ANSWERED: "Answered, no problem",
    ONGOING: "Still going",
}


@lru_cache(maxsize=4)
def session_expiry_seconds(domain_file: Path) -> float:
    """How long Rasa keeps a session after its last event, from domain.yml's session_config
    (minutes there; 0 means sessions never expire, here: infinitely long)."""
    domain = yaml.safe_load(Path(domain_file).read_text(encoding="utf-8")) or {}
    minutes = float((domain.get("session_config") or {}).get("session_expiration_time") or 0)
    return minutes * 60 if minutes > 0 else float("inf")

#: The largest row id SQLite can hold: a larger number names no conversation.
LARGEST_ROW_ID = 2**63 - 1

#: Event types the inbox reads; the rest (featurization, form and policy events) say nothing.
_READ_TYPES = ("user", "bot", "slot", "session_started", "action")


@dataclass
class Conversation:
    """One conversation session and what came of it."""

    #: Row id of its first event in the tracker store: a stable reference for links.
    id: int
    sender_id: str
    started_at: float
    ended_at: float
    outcome: str = ABANDONED
    messages: list[Message] = field(default_factory=list)
    ticket_reference: str | None = None
    #: Help-article URLs shown in this conversation, in the order shown.
    articles_shown: list[str] = field(default_factory=list)
    #: The articles shown before self-help was reported to have solved the problem.
    articles_helped: list[str] = field(default_factory=list)
    reported_problem: bool = False

    @property
    def customer_messages(self) -> list[Message]:
        return [message for message in self.messages if message.sender == "customer"]

    @property
    def intents(self) -> list[str]:
        return [message.intent or "" for message in self.customer_messages]

    @property
    def not_understood_messages(self) -> list[Message]:
        return [message for message in self.customer_messages if message.not_understood]

    @property
    def has_problem(self) -> bool:
        """Whether the customer came with a problem: the deflection rate counts only these."""
        return self.reported_problem or self.outcome in (RESOLVED, TICKET)

    @property
    def headline(self) -> str:
        """What the customer came for: the first problem report, else the first real request."""
        customer = self.customer_messages
        for wanted in (
            lambda message: message.intent == PROBLEM_INTENT,
            lambda message: message.intent not in SMALL_TALK_INTENTS,
            lambda message: True,
        ):
            found = next((message for message in customer if wanted(message)), None)
            if found:
                return found.text
        return ""


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if item]
    return [str(value)] if value else []


def split_sessions(events: list[tuple[int, dict]]) -> list[list[tuple[int, dict]]]:
    """Cut one sender's (row id, event) list into sessions, where Rasa started a new one."""
    sessions: list[list[tuple[int, dict]]] = []
    current: list[tuple[int, dict]] = []
    for row_id, event in events:
        kind = event.get("event")
        starts_session = (kind == "action" and event.get("name") == "action_session_start") or (
            kind == "session_started"
            and any(
                not (e.get("event") == "action" and e.get("name") == "action_session_start")
                for _, e in current
            )
        )
        if starts_session and current:
            sessions.append(current)
            current = []
        current.append((row_id, event))
    if current:
        sessions.append(current)
    return sessions


def conversation_from_events(
    sender_id: str, events: list[tuple[int, dict]], open_after: float = float("inf")
) -> Conversation | None:
    """Read one session's events into a conversation; None if the customer never wrote.

    A session whose last event came after ``open_after`` (a Unix time) has not expired yet.
    """
    if not events:
        return None
    stamps = [float(event["timestamp"]) for _, event in events if event.get("timestamp")]
    conversation = Conversation(
        id=events[0][0],
        sender_id=sender_id,
        started_at=min(stamps, default=0.0),
        ended_at=max(stamps, default=0.0),
    )
    conversation.messages = messages(event for _, event in events)
    customer_has_written = False
    carried_articles: set[str] = set()
    resolved = False
    for _, event in events:
        kind = event.get("event")
        if kind == "user":
            customer_has_written = True
            if is_problem_report(event):
                conversation.reported_problem = True
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if not customer_has_written:
                # Slots carried over from an earlier session say nothing about this one.
                if name == "articles_shown":
                    carried_articles.update(_as_list(value))
                continue
            if name == "articles_shown":
                for url in _as_list(value):
                    if url not in carried_articles and url not in conversation.articles_shown:
                        conversation.articles_shown.append(url)
            elif name == "self_help_outcome" and value == "resolved":
                resolved = True
                for url in conversation.articles_shown:
                    if url not in conversation.articles_helped:
                        conversation.articles_helped.append(url)
            elif name == "ticket_reference" and value:
                conversation.ticket_reference = str(value)
    if not customer_has_written:
        return None
    conversation.outcome = outcome_of(
        ticket=bool(conversation.ticket_reference),
        resolved=resolved,
        last_intent=(conversation.intents or [None])[-1],
        reported_problem=conversation.reported_problem,
        expired=conversation.ended_at <= open_after,
    )
    return conversation


def outcome_of(
    ticket: bool, resolved: bool, last_intent: str | None, reported_problem: bool,
    expired: bool = True,
) -> str:
    """What came of a conversation; a ticket counts before self-help, as the team has work.

    Without either, a session that has not expired yet is still going: the customer may write on.
    """
    if ticket:
        return TICKET
    if resolved:
        return RESOLVED
    if not expired:
        return ONGOING
    if last_intent == FALLBACK_INTENT:
        return NOT_UNDERSTOOD
    return ABANDONED if reported_problem else ANSWERED


def conversations_of_sender(
    sender_id: str, events: list[tuple[int, dict]], open_after: float = float("inf")
) -> list[Conversation]:
    """Every conversation (session with a customer message) of one sender, oldest first.

    Only the latest session can still be going: a later one started after it had ended.
    """
    conversations = []
    sessions = split_sessions(events)
    for number, session in enumerate(sessions, start=1):
        latest = number == len(sessions)
        conversation = conversation_from_events(
            sender_id, session, open_after if latest else float("inf")
        )
        if conversation:
            conversations.append(conversation)
    return conversations


class TrackerReader:
    """Reads conversations from Rasa's SQLTrackerStore (its SQLite file, or the PostgreSQL
    database of IEX_DATABASE_URL), never writing to it.

    ``session_seconds`` is how long a session lasts after its last event (session_expiry_seconds
    of the domain); 0 takes every session as expired. ``clock`` tells the time (Unix seconds).
    """

    def __init__(
        self, location: str | Path, session_seconds: float = 0,
        clock: Callable[[], float] = time.time,
    ):
        self.database = Database(location, "events")
        self.session_seconds = session_seconds
        self.clock = clock

    def _sessions_of(self, sender_id: str, events: list[tuple[int, dict]]) -> list[Conversation]:
        return conversations_of_sender(sender_id, events, self.clock() - self.session_seconds)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if not self.database.exists():
            yield None  # Rasa has not stored any conversation yet
            return
        with self.database.reading() as db:
            yield db if self.database.has_table(db, "events") else None

    def _rows(self, where: str = "", parameters: tuple = ()) -> dict[str, list[tuple[int, dict]]]:
        """Events of the senders chosen by ``where``, grouped by sender in stored order."""
        placeholders = ", ".join("?" for _ in _READ_TYPES)
        query = (
            "SELECT id, sender_id, data FROM events"
            f" WHERE type_name IN ({placeholders})"
            " AND (type_name != 'action' OR action_name = 'action_session_start')"
            f"{where} ORDER BY sender_id, id"
        )
        by_sender: dict[str, list[tuple[int, dict]]] = {}
        with self._connection() as db:
            if db is None:
                return {}
            for row_id, sender_id, data in db.execute(query, (*_READ_TYPES, *parameters)):
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    continue
                by_sender.setdefault(sender_id, []).append((row_id, event))
        return by_sender

    def conversations(
        self, started_from: datetime | None = None, started_before: datetime | None = None
    ) -> list[Conversation]:
        """Conversations that started in the period (either end open), newest first."""
        where, parameters = "", ()
        low = started_from.timestamp() if started_from else None
        high = started_before.timestamp() if started_before else None
        if low is not None or high is not None:
            # Only senders active in the period can have a conversation that started in it.
            where = (
                " AND sender_id IN (SELECT sender_id FROM events"
                " WHERE timestamp >= ? AND timestamp < ?)"
            )
            parameters = (low if low is not None else float("-inf"),
                          high if high is not None else float("inf"))
        found = []
        for sender_id, events in self._rows(where, parameters).items():
            for conversation in self._sessions_of(sender_id, events):
                if (low is None or conversation.started_at >= low) and (
                    high is None or conversation.started_at < high
                ):
                    found.append(conversation)
        found.sort(key=lambda conversation: (conversation.started_at, conversation.id),
                   reverse=True)
        return found

    def conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation whose first event has this row id."""
        if not 0 < conversation_id <= LARGEST_ROW_ID:
            return None
        with self._connection() as db:
            if db is None:
                return None
            row = db.execute(
                "SELECT sender_id FROM events WHERE id = ?", (conversation_id,)
            ).fetchone()
        if row is None:
            return None
        events = self._rows(" AND sender_id = ?", (row[0],)).get(row[0], [])
        return next(
            (c for c in self._sessions_of(row[0], events) if c.id == conversation_id), None
        )

    def conversation_of_ticket(self, sender_id: str, reference: str) -> Conversation | None:
        """The conversation that produced a ticket, else the sender's latest one."""
        events = self._rows(" AND sender_id = ?", (sender_id,)).get(sender_id, [])
        conversations = self._sessions_of(sender_id, events)
        for conversation in conversations:
            if conversation.ticket_reference == reference:
                return conversation
        return conversations[-1] if conversations else None
