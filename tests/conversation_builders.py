"""Builders of tracker events and trackers for action tests (plain dicts, as Rasa sends them)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def user_event(
    text: str, intent: str, entities: list[dict] | None = None, timestamp: float = 1_700_000_000.0
) -> dict[str, Any]:
    """A customer message as the tracker stores it."""
    return {
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
        },
    }


def bot_event(text: str, timestamp: float = 1_700_000_001.0, buttons: list | None = None) -> dict:
    """An assistant message as the tracker stores it."""
    return {"event": "bot", "text": text, "timestamp": timestamp, "data": {"buttons": buttons}}


def system_entity(value: str) -> dict[str, Any]:
    return {"entity": "system", "value": value, "start": 0, "end": len(value)}


def tracker_with(events: list[dict], slots: dict[str, Any] | None = None) -> Tracker:
    """A real rasa-sdk Tracker holding ``events``, whose latest message is the last user event."""
    user_messages = [event for event in events if event["event"] == "user"]
    latest = user_messages[-1]["parse_data"] if user_messages else {}
    return Tracker(
        sender_id="test-customer",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
