"""Builders of tracker events and trackers for action tests (plain dicts, as Rasa sends them)."""
from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml
from rasa_sdk import Tracker

from bot.config import PROJECT_ROOT

#: The one intent of a problem report (its category comes from the words).
PROBLEM = "report_problem"


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


def problem_report(text: str, *systems: str, timestamp: float = 1_700_000_000.0) -> dict:
    """A customer reporting a problem, with the systems the NLU found in it."""
    return user_event(text, PROBLEM, [system_entity(name) for name in systems], timestamp)


def faq_event(text: str, sub_intent: str, timestamp: float = 1_700_000_000.0) -> dict:
    """A question the response selector answers (``faq/second_line``)."""
    event = user_event(text, "faq", timestamp=timestamp)
    event["parse_data"]["response_selector"] = {
        "default": {"response": {"intent_response_key": f"faq/{sub_intent}",
                                 "utter_action": f"utter_faq/{sub_intent}"}},
    }
    return event


def bot_event(
    text: str,
    timestamp: float = 1_700_000_001.0,
    buttons: list | None = None,
    response: str | None = None,
    custom: dict | None = None,
) -> dict:
    """An assistant message as the tracker stores it; ``response``: the ``utter_*`` it came from."""
    return {
        "event": "bot",
        "text": text,
        "timestamp": timestamp,
        "data": {"buttons": buttons, "custom": custom},
        "metadata": {"utter_action": response} if response else {},
    }


def action_event(name: str, timestamp: float = 1_700_000_002.0) -> dict:
    """A run of an action as the tracker stores it."""
    return {"event": "action", "name": name, "timestamp": timestamp}


def slot_event(name: str, value: Any, timestamp: float = 1_700_000_003.0) -> dict:
    """A slot set, as the tracker stores it."""
    return {"event": "slot", "name": name, "value": value, "timestamp": timestamp}


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


def responses_of(messages: list[dict]) -> list[str | None]:
    """The ``utter_*`` responses a CollectingDispatcher collected, in order."""
    return [message.get("response") for message in messages]


def slots_of(events: list[dict]) -> dict[str, Any]:
    """The slots an action set, by name (the last value wins)."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


@cache
def domain() -> dict[str, Any]:
    """domain.yml as plain data, read once."""
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_placeholders(response: str) -> set[str]:
    """The ``{name}`` values the wording of a domain response fills in."""
    texts = [variant.get("text") or "" for variant in domain()["responses"][response]]
    return {name for text in texts for name in re.findall(r"{(\w+)}", text)}
