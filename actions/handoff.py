"""The hand-off to the support team: the one place every flow goes to reach a person."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionStartHandoff(Action):
    """Start writing the case up for the support team."""

    def name(self) -> str:
        return "action_start_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_placeholder")
        outcome = tracker.get_slot("self_help_outcome")
        return [] if outcome else [SlotSet("self_help_outcome", "unresolved")]
