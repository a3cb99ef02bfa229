"""Turn Rasa tracker events into the conversation transcript stored on a ticket."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any


def iso_utc(timestamp: float) -> str:
    """Format a Unix timestamp as ISO 8601 in UTC with a Z suffix, to the second."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _choices(data: Mapping[str, Any]) -> list[dict]:
    choices = []
    for key in ("buttons", "quick_replies"):
        for choice in data.get(key) or []:
            if isinstance(choice, Mapping):
                choices.append(choice)
    return choices


def _bot_text(event: Mapping[str, Any]) -> str:
    data = event.get("data") or {}
    lines = []
    if (event.get("text") or "").strip():
        lines.append(event["text"].strip())
    titles = [str(choice.get("title") or "").strip() for choice in _choices(data)]
    if any(titles):
        lines.append(" ".join(f"[{title}]" for title in titles if title))
    for kind in ("image", "attachment"):
        if data.get(kind):
            lines.append(f"[{kind}: {data[kind]}]")
    return "\n".join(lines)


def _customer_text(event: Mapping[str, Any], offered: Iterable[Mapping[str, Any]]) -> str:
    text = (event.get("text") or "").strip()
    # A button click arrives as its payload ("/affirm"); the transcript shows what was clicked.
    for choice in offered:
        if text and text == str(choice.get("payload") or "").strip() and choice.get("title"):
            return str(choice["title"]).strip()
    return text


def _timestamps(events: list[Mapping[str, Any]]) -> list[float | None]:
    """Each event's timestamp; a missing one borrows the previous (or, at the start, the next)."""
    stamps: list[float | None] = [
        float(event["timestamp"]) if isinstance(event.get("timestamp"), (int, float)) else None
        for event in events
    ]
    known = next((stamp for stamp in stamps if stamp is not None), None)
    filled = []
    for stamp in stamps:
        if stamp is not None:
            known = stamp
        filled.append(known)
    return filled


def transcript_from_events(events: list[dict]) -> list[dict]:
    """List every customer and bot message as {sender, text, timestamp}, oldest first.

    Events without text are skipped; a bot message made only of buttons shows their titles, and a
    customer's button click shows the title of the button rather than its payload.
    """
    transcript: list[dict] = []
    offered: list[Mapping[str, Any]] = []
    for event, stamp in zip(events, _timestamps(events), strict=True):
        kind = event.get("event")
        if kind == "bot":
            text = _bot_text(event)
            offered = _choices(event.get("data") or {})
            sender = "bot"
        elif kind == "user":
            text = _customer_text(event, offered)
            sender = "customer"
        else:
            continue
        if not text or stamp is None:
            continue
        transcript.append({"sender": sender, "text": text, "timestamp": iso_utc(stamp)})
    return transcript
