"""Self-help first: answer a reported problem with advice and help articles; close if it helped."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.articles import Hit, knowledge_base
from support_core.events import current_case, latest_problem_report, systems_mentioned
from support_core.language import DEFAULT_LANGUAGE, conversation_language
from support_core.problems import LogStatus, Problem, log_status_in, problem_for

#: Articles shown with the first answer to a problem or question; "show me another" adds one.
SUGGESTIONS = 3


def article_list(hits: list[Hit]) -> str:
    """The articles as text lines (title and link), for channels that show only text."""
    return "\n".join(f"- {hit.title}: {hit.url}" for hit in hits)


def articles_payload(hits: list[Hit]) -> dict[str, Any]:
    """The articles as cards for the chat widget (the slug opens one in the widget's panel)."""
    return {
        "type": "articles",
        "articles": [{"title": hit.title, "url": hit.url, "slug": hit.slug} for hit in hits],
    }


def utter_articles(dispatcher: CollectingDispatcher, response: str, hits: list[Hit]) -> None:
    """Show articles as one message: the response's words, the list, and cards for the widget."""
    dispatcher.utter_message(
        response=response, article_list=article_list(hits), json_message=articles_payload(hits)
    )


def record_shown(tracker: Tracker, hits: list[Hit]) -> SlotSet:
    """The articles_shown slot with these articles added (never suggested twice; on the ticket)."""
    shown = list(tracker.get_slot("articles_shown") or [])
    return SlotSet("articles_shown", shown + [hit.url for hit in hits if hit.url not in shown])


def suggestions_for_problem(
    text: str, systems: list[str], kind: Problem, status: LogStatus | None,
    limit: int = SUGGESTIONS, language: str = DEFAULT_LANGUAGE,
) -> list[Hit]:
    """The best articles for a problem, in the conversation's language: the article about a
    quoted log status comes first; without one, the article on its kind of problem is always
    among them."""
    hits = knowledge_base().search(text, systems=systems, limit=limit, language=language)
    if status is not None:
        explained = knowledge_base().get(status.article, language=language)
        if explained is None:
            return hits
        first = Hit(article=explained, score=max([hit.score for hit in hits], default=1.0))
        return [first] + [hit for hit in hits if hit.slug != status.article][: limit - 1]
    if kind.article is None or any(hit.slug == kind.article for hit in hits):
        return hits
    general = knowledge_base().get(kind.article, language=language)
    if general is None:
        return hits
    kept = hits[: limit - 1]
    return kept + [Hit(article=general, score=min([hit.score for hit in kept], default=0.0))]


class ActionGiveSelfHelp(Action):
    """Answer a problem report: advice for its kind (or its log status), then the best articles."""

    def name(self) -> str:
        return "action_give_self_help"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        report = latest_problem_report(tracker.events) or tracker.latest_message or {}
        text = report.get("text") or ""
        status = log_status_in(text)
        kind = problem_for(text)
        systems = systems_mentioned(current_case(tracker.events))
        hits = suggestions_for_problem(text, systems, kind, status,
                                       language=conversation_language(tracker.slots))
        dispatcher.utter_message(response=status.response if status else kind.self_help_response)
        if hits:
            utter_articles(
                dispatcher,
                "utter_problem_articles" if kind.log_explains else "utter_help_articles",
                hits,
            )
        elif kind.log_explains:
            dispatcher.utter_message(response="utter_check_dashboard_log")
        return [
            SlotSet("problem_category", kind.category),
            SlotSet("systems", systems),
            SlotSet("help_topic", text),
            record_shown(tracker, hits),
        ]


class ActionSuggestArticles(Action):
    """Show one more article on the same topic and systems, never one shown before."""

    def name(self) -> str:
        return "action_suggest_articles"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        hits = knowledge_base().search(
            tracker.get_slot("help_topic") or "", systems=tracker.get_slot("systems") or [],
            exclude=tracker.get_slot("articles_shown") or [], limit=1,
            language=conversation_language(tracker.slots),
        )
        if not hits:
            dispatcher.utter_message(response="utter_no_more_articles")
            return []
        utter_articles(dispatcher, "utter_another_article", hits)
        return [record_shown(tracker, hits)]


class ActionCloseResolved(Action):
    """Record that self-help resolved the conversation, for the inbox and analytics."""

    def name(self) -> str:
        return "action_close_resolved"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("self_help_outcome", "resolved")]
