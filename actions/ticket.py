"""Build the ticket that hands a case over to the support team (format: tickets/ticket.schema.json).

Everything here is deterministic given its inputs: the clock and any randomness are passed in.
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from actions.extraction import MAX_DESCRIPTION_LENGTH, cap_length, clean_description, strip_markup
from actions.transcript import transcript_from_events
from support_core.language import DEFAULT_LANGUAGE, language_of
from support_core.problems import problem
from tickets import validate_ticket

#: Letters of a reference: digits and capitals without the look-alikes 0/O, 1/I/L and U.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_SUFFIX_LENGTH = 6

#: Newest messages kept on a ticket (the schema's transcript maxItems) and longest message text.
MAX_TRANSCRIPT_MESSAGES = 500
MAX_TRANSCRIPT_TEXT = 10000
MAX_SUMMARY_LENGTH = 120

#: The custom action that hands a case off; its past runs number the hand-offs of a conversation.
TICKET_ACTION = "action_create_ticket"

@dataclass(frozen=True)
class Case:
    """What the ticket form collected; from_mapping takes a dict with these keys (e.g. slots)."""

    email: str = ""
    description: str = ""
    #: The problem's category in the catalogue (support_core/problems.py).
    category: str | None = None
    customer_name: str | None = None
    systems: Sequence[str] = ()
    order_ids: Sequence[str] = ()
    product_ids: Sequence[str] = ()
    other_examples: Sequence[str] = ()
    articles_shown: Sequence[str] = ()
    log_checked: bool | None = None
    log_status: str | None = None
    urgent_requested: bool = False
    #: The conversation's language ("en" or "da").
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Case:
        """Build a case from a dict such as the tracker's slots, ignoring unknown keys and None."""
        known = {item.name for item in dataclasses.fields(cls)}
        return cls(
            **{key: value for key, value in values.items() if key in known and value is not None}
        )


def new_reference(
    now: datetime, seed: str | None = None, rng: random.Random | None = None
) -> str:
    """Make the reference shown to the customer, e.g. IEX-20261127-4F7K (date in UTC).

    With a seed the suffix is derived from it, so a replayed hand-off gets the same reference;
    otherwise it is drawn from ``rng`` (a SystemRandom by default). Two seeds can give one
    reference; the outbox replaces a taken one before storing (Outbox.enqueue).
    """
    if seed is not None:
        number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big")
    else:
        number = (rng or random.SystemRandom()).getrandbits(64)
    suffix = ""
    for _ in range(REFERENCE_SUFFIX_LENGTH):
        number, index = divmod(number, len(REFERENCE_ALPHABET))
        suffix += REFERENCE_ALPHABET[index]
    return f"IEX-{_utc(now):%Y%m%d}-{suffix}"


def idempotency_key(conversation_id: str, sequence: int) -> str:
    """Key of the ``sequence``-th hand-off in a conversation: equal inputs give equal keys."""
    digest = hashlib.sha256(f"{conversation_id}\x1f{sequence}".encode()).hexdigest()
    return f"iex-{digest[:40]}"


def ticket_sequence(
    events: Iterable[Mapping[str, Any]], action_name: str = TICKET_ACTION
) -> int:
    """Count the hand-offs already completed in the conversation (runs of the ticket action).

    A replayed action, or a run whose result Rasa never recorded, sees the same count and so
    builds the same idempotency key; a later hand-off in the conversation sees one more.
    """
    return sum(
        1 for event in events if event.get("event") == "action" and event.get("name") == action_name
    )


def summary_line(case: Case, category: str) -> str:
    """One line for the helpdesk subject: what went wrong, between which systems, which examples."""
    line = problem(category).label
    systems = _unique(case.systems)
    if systems:
        line += f" ({', '.join(systems[:3])})"
    for noun, ids in (("order", _unique(case.order_ids)), ("product", _unique(case.product_ids))):
        if ids:
            shown = ", ".join(ids[:3])
            more = f" +{len(ids) - 3}" if len(ids) > 3 else ""
            line += f": {noun}{'s' if len(ids) > 1 else ''} {shown}{more}"
            break
    line = " ".join(line.split())
    return cap_length(line, MAX_SUMMARY_LENGTH)


def build_ticket(
    case: Case | Mapping[str, Any],
    conversation_id: str,
    events: list[dict],
    now: datetime,
    *,
    sequence: int | None = None,
    status: str = "new",
) -> dict:
    """Build a schema-valid ticket from the collected case and the conversation's events.

    ``sequence`` tells hand-offs of one conversation apart (default: ticket_sequence(events)).
    Raises tickets.InvalidTicket if the case cannot make a valid ticket (e.g. no valid email).
    """
    if not isinstance(case, Case):
        case = Case.from_mapping(case if isinstance(case, Mapping) else dataclasses.asdict(case))
    if sequence is None:
        sequence = ticket_sequence(events)
    key = idempotency_key(conversation_id, sequence)
    transcript = _trimmed_transcript(transcript_from_events(events))
    category = problem(case.category).category
    ticket = {
        "id": new_reference(now, seed=key),
        "conversation_id": conversation_id,
        "created_at": _utc(now).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "status": status,
        "customer": {
            "email": (case.email or "").strip(),
            "name": _plain_or_none(case.customer_name, 200),
        },
        "category": category,
        "systems": _unique(case.systems, limit=100)[:20],
        "summary": summary_line(case, category),
        "description": _description(case, transcript),
        "examples": {
            "order_ids": _unique(case.order_ids, limit=40)[:50],
            "product_ids": _unique(case.product_ids, limit=40)[:50],
            "other": _unique(case.other_examples, limit=500)[:50],
        },
        "self_help": {
            "articles_shown": [
                url for url in _unique(case.articles_shown, limit=2000) if _is_url(url)
            ][:50],
            "log_checked": case.log_checked if isinstance(case.log_checked, bool) else None,
            "log_status": _plain_or_none(case.log_status, 1000),
        },
        "urgent_requested": bool(case.urgent_requested),
        "language": language_of(case.language),
        "transcript": transcript,
        "idempotency_key": key,
    }
    validate_ticket(ticket)
    return ticket


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken to be UTC already.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _unique(values: Iterable[Any] | str | None, limit: int = 100) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    unique: list[str] = []
    for value in values:
        text = " ".join(strip_markup(str(value)).split())[:limit]
        if text and text not in unique:
            unique.append(text)
    return unique


def _plain_or_none(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = cap_length(strip_markup(str(value)), limit)
    return text or None


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and not any(char.isspace() for char in value)


def _description(case: Case, transcript: list[dict]) -> str:
    description = clean_description(case.description or "", MAX_DESCRIPTION_LENGTH)
    if description:
        return description
    # No description collected: the customer's first message is the best account of the problem.
    first = next((line["text"] for line in transcript if line["sender"] == "customer"), "")
    return clean_description(first, MAX_DESCRIPTION_LENGTH) or "(no description given)"


def _trimmed_transcript(transcript: list[dict]) -> list[dict]:
    # Stored as plain text like the description, so no reader of a ticket meets live markup.
    trimmed = []
    for line in transcript[-MAX_TRANSCRIPT_MESSAGES:]:
        text = strip_markup(line["text"]) or "[markup removed]"
        trimmed.append({**line, "text": cap_length(text, MAX_TRANSCRIPT_TEXT)})
    return trimmed

