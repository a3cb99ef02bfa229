"""Self-help first: record the reported problem, suggest help articles, close when it helped."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_problem, systems_mentioned


class ActionSuggestArticles(Action):
    """Record the problem and the systems involved; the article suggestions hook in here."""

    def name(self) -> str:
        return "action_suggest_articles"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        category, _problem_text = latest_problem(tracker.events)
        return [
            SlotSet("problem_category", category),
            SlotSet("systems", systems_mentioned(tracker.events)),
        ]


class ActionCloseResolved(Action):
    """Record that self-help resolved the conversation, for the inbox and analytics."""

    def name(self) -> str:
        return "action_close_resolved"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("self_help_outcome", "resolved")]
