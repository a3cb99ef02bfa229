"""Turn Rasa tracker events into the conversation transcript stored on a ticket."""
from __future__ import annotations

from datetime import datetime, timezone

from support_core.events import messages


def iso_utc(timestamp: float) -> str:
    """Format a Unix timestamp as ISO 8601 in UTC with a Z suffix, to the second."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def transcript_from_events(events: list[dict]) -> list[dict]:
    """List every customer and bot message as {sender, text, timestamp}, oldest first.

    Events without text are skipped; a bot message made only of buttons shows their titles, and a
    customer's button click shows the title of the button rather than its payload. Card numbers,
    security codes, keys and passwords are already replaced by markers (events.messages).
    """
    return [
        {"sender": message.sender, "text": message.text, "timestamp": iso_utc(message.timestamp)}
        for message in messages(events)
        if message.timestamp is not None
    ]
