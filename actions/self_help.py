"""Self-help first: record the reported problem, suggest help articles, close when it helped."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.articles import Hit, knowledge_base
from actions.conversation import intent_of, latest_problem, systems_mentioned, user_events

#: Articles shown for a new problem; "show me another" adds one at a time.
FIRST_SUGGESTIONS = 2


def render_suggestions(hits: list[Hit]) -> str:
    """The articles as text lines (title and link), for channels that show only text."""
    heading = "This help article should cover it:" if len(hits) == 1 else (
        "These help articles should cover it:"
    )
    return "\n".join([heading] + [f"- {hit.title}: {hit.url}" for hit in hits])


def articles_payload(hits: list[Hit]) -> dict[str, Any]:
    """The articles as cards for the chat widget."""
    return {"type": "articles", "articles": [{"title": hit.title, "url": hit.url} for hit in hits]}


class ActionSuggestArticles(Action):
    """Record the problem, then suggest the help articles that match it, never one twice."""

    def name(self) -> str:
        return "action_suggest_articles"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        category, problem_text = latest_problem(tracker.events)
        systems = systems_mentioned(tracker.events)
        shown = list(tracker.get_slot("articles_shown") or [])
        asked_for_another = intent_of(user_events(tracker.events)[-1]) == "request_another_article"
        hits = knowledge_base().search(
            problem_text, systems=systems, exclude=shown,
            limit=1 if asked_for_another else FIRST_SUGGESTIONS,
        )
        if hits:
            dispatcher.utter_message(
                text=render_suggestions(hits), json_message=articles_payload(hits)
            )
        elif asked_for_another:
            dispatcher.utter_message(response="utter_no_more_articles")
        return [
            SlotSet("problem_category", category),
            SlotSet("systems", systems),
            SlotSet("articles_shown", shown + [hit.url for hit in hits]),
        ]


class ActionCloseResolved(Action):
    """Record that self-help resolved the conversation, for the inbox and analytics."""

    def name(self) -> str:
        return "action_close_resolved"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("self_help_outcome", "resolved")]
