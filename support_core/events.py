"""The one reader of Rasa tracker events (plain dicts): messages, intents, cases and outcomes.

The actions, the ticket transcript and the support inbox all read conversations through these
functions, so a button click, a problem report or a misunderstanding means the same everywhere.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from support_core.problems import PROBLEM_INTENT
from support_core.redaction import redact

FALLBACK_INTENT = "nlu_fallback"
#: Actions that close a case (sent, dropped, or solved by self-help): after them, a new problem
#: is a new case.
CASE_CLOSING_ACTIONS = frozenset({
    "action_create_ticket", "action_cancel_ticket", "action_close_resolved",
})


@dataclass(frozen=True)
class Message:
    """One line of a conversation: who said it ("customer" or "bot"), what, when, which intent."""

    sender: str
    text: str
    timestamp: float | None
    intent: str | None = None

    @property
    def not_understood(self) -> bool:
        return self.intent == FALLBACK_INTENT


def user_events(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The customer's messages, oldest first."""
    return [event for event in events if event.get("event") == "user"]


def intent_of(event: Mapping[str, Any]) -> str | None:
    """The intent the NLU gave a customer message."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def full_intent_of(event: Mapping[str, Any]) -> str | None:
    """The intent of a customer message with its retrieval sub-intent: ``faq/second_line``."""
    return full_intent(event.get("parse_data") or {})


def full_intent(parse_data: Mapping[str, Any]) -> str | None:
    """The intent of the NLU's parse with its retrieval sub-intent where there is one."""
    intent = (parse_data.get("intent") or {}).get("name")
    selectors = parse_data.get("response_selector") or {}
    selected = selectors.get(intent or "") or selectors.get("default") or {}
    key = (selected.get("response") or {}).get("intent_response_key")
    return key if key and intent and key.startswith(f"{intent}/") else intent


def entity_values(event: Mapping[str, Any], name: str) -> list[str]:
    """The values of one entity in a message, in order, without repeats."""
    values: list[str] = []
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == name and isinstance(value, str) and value not in values:
            values.append(value)
    return values


def is_problem_report(event: Mapping[str, Any]) -> bool:
    return intent_of(event) == PROBLEM_INTENT


def latest_problem_report(events: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The customer's most recent problem report, if there is one."""
    return next((event for event in reversed(user_events(events)) if is_problem_report(event)),
                None)


def current_case(events: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events of the case under way: from its problem report, or from the last closed case.

    A new problem report starts a new case, so order numbers and systems of an earlier problem in
    the same conversation are not carried into it.
    """
    since_closed = since_last_closed_case(events)
    reports = [position for position, event in enumerate(since_closed)
               if event.get("event") == "user" and is_problem_report(event)]
    return since_closed[reports[-1]:] if reports else since_closed


def since_last_closed_case(events: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events after the last sent, dropped or solved case (all of them if there is none)."""
    start = 0
    for position, event in enumerate(events):
        if event.get("event") == "action" and event.get("name") in CASE_CLOSING_ACTIONS:
            start = position + 1
    return list(events[start:])


def systems_mentioned(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every system the customer named in these events, in order of first mention."""
    systems: list[str] = []
    for event in user_events(events):
        systems += [value for value in entity_values(event, "system") if value not in systems]
    return systems


def misunderstandings_in_a_row(events: Iterable[Mapping[str, Any]]) -> int:
    """How many of the latest customer messages in a row were not understood."""
    count = 0
    for event in reversed(user_events(events)):
        if intent_of(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


def _choices(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        choice
        for key in ("buttons", "quick_replies")
        for choice in data.get(key) or []
        if isinstance(choice, Mapping)
    ]


def _bot_text(event: Mapping[str, Any]) -> str:
    data = event.get("data") or {}
    lines = [str(event.get("text") or "").strip()]
    titles = [str(choice.get("title") or "").strip() for choice in _choices(data)]
    if any(titles):
        lines.append(" ".join(f"[{title}]" for title in titles if title))
    for kind in ("image", "attachment"):
        if data.get(kind):
            lines.append(f"[{kind}: {data[kind]}]")
    return "\n".join(line for line in lines if line)


def _customer_text(event: Mapping[str, Any], offered: Iterable[Mapping[str, Any]]) -> str:
    text = str(event.get("text") or "").strip()
    # A button click arrives as its payload ("/affirm"); show what the customer clicked.
    for choice in offered:
        if text and text == str(choice.get("payload") or "").strip() and choice.get("title"):
            return str(choice["title"]).strip()
    return text


def _timestamps(events: list[Mapping[str, Any]]) -> list[float | None]:
    """Each event's timestamp; a missing one borrows the previous (or, at the start, the next)."""
    stamps = [
        float(event["timestamp"]) if isinstance(event.get("timestamp"), (int, float)) else None
        for event in events
    ]
    known = next((stamp for stamp in stamps if stamp is not None), None)
    filled = []
    for stamp in stamps:
        known = stamp if stamp is not None else known
        filled.append(known)
    return filled


def messages(events: Iterable[Mapping[str, Any]]) -> list[Message]:
    """Every customer and bot message with text, oldest first; clicks show the button's title.

    Card numbers, security codes, keys and passwords are replaced by markers here too, so
    conversations stored before the chat channel redacted them never reach a ticket or the inbox.
    """
    events = list(events)
    found: list[Message] = []
    offered: list[Mapping[str, Any]] = []
    for event, stamp in zip(events, _timestamps(events), strict=True):
        kind = event.get("event")
        if kind == "bot":
            offered = _choices(event.get("data") or {})
            text = redact(_bot_text(event)).text
            if text:
                found.append(Message("bot", text, stamp))
        elif kind == "user":
            text = redact(_customer_text(event, offered)).text
            if text:
                found.append(Message("customer", text, stamp, intent_of(event)))
    return found


def reported_problem(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the customer reported a problem in these events."""
    return any(is_problem_report(event) for event in user_events(events))
