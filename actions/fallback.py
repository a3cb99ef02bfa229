"""What the assistant does with a message it did not understand and found no answer for."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from support_core.events import misunderstandings_in_a_row

#: After this many misunderstood messages in a row, offer to write the case up.
OFFER_HANDOFF_AFTER = 2


def misunderstanding_responses(misunderstood_in_a_row: int) -> list[str]:
    """The responses for the latest misunderstanding: rephrase first, then offer a hand-off."""
    if misunderstood_in_a_row >= OFFER_HANDOFF_AFTER:
        return ["utter_what_i_can_do", "utter_offer_handoff"]
    return ["utter_default", "utter_what_i_can_do"]


class ActionHandleMisunderstanding(Action):
    """Ask to rephrase and say what the assistant can do; the second time, offer a hand-off."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        for response in misunderstanding_responses(misunderstandings_in_a_row(tracker.events)):
            dispatcher.utter_message(response=response)
        return []
