"""Search before sorry: answer a message the NLU could not place from the policy and the articles.

Rasa routes ``nlu_fallback``, ``out_of_scope`` and how-to questions (``ask_howto``) here. The
action sets ``search_result`` and the rules go on from it: an article asks whether it helped, a
policy answer may offer the write-up, and only when nothing fits does the assistant say sorry.
Details given before any problem ("tripletex") show the articles about them while the assistant
asks what went wrong.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import config
from actions.articles import knowledge_base
from actions.policy_answers import utter_policy_answer
from actions.self_help import SUGGESTIONS, record_shown, utter_articles
from support_core.events import current_case, systems_mentioned
from support_core.language import conversation_language
from support_core.policy import policy_topic_in

#: What the search found; the rules branch on it ("answer" and "offer" as for policy answers).
FOUND_ARTICLE, FOUND_NOTHING = "article", "nothing"
#: Intents the NLU gave to a message that is not a question about IEX: an article must be a
#: clearer match before it is shown.
OFF_TOPIC_INTENTS = frozenset({"out_of_scope"})
#: Messages in a language other than Danish and English: the assistant says which languages it
#: chats in, then still searches the articles, but gives no policy answer.
OTHER_LANGUAGE_INTENT = "chat_in_other_language"


def show_articles(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, minimum: float, response: str
) -> list[EventType]:
    """Show the articles for the text at this relevance or above, on the case's systems, and
    remember them as the topic of "show me another"; no events when none is relevant enough."""
    systems = systems_mentioned(current_case(tracker.events))
    hits = [
        hit for hit in knowledge_base().search(
            text, systems=systems, limit=SUGGESTIONS,
            language=conversation_language(tracker.slots))
        if hit.score >= minimum
    ]
    if not hits:
        return []
    utter_articles(dispatcher, response, hits)
    return [SlotSet("help_topic", text), SlotSet("systems", systems), record_shown(tracker, hits)]


class ActionSearchHelp(Action):
    """Answer from the support policy or the help articles; say sorry only if nothing fits."""

    def name(self) -> str:
        return "action_search_help"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        if intent == OTHER_LANGUAGE_INTENT:
            dispatcher.utter_message(response="utter_english_only")
        elif intent != "ask_howto":
            topic = policy_topic_in(text)
            if topic is not None:
                language = conversation_language(tracker.slots)
                answer = utter_policy_answer(dispatcher, topic, text, language)
                return [SlotSet("search_result", answer)]
        minimum = config.ARTICLE_MIN_SCORE_OFF_TOPIC if intent in OFF_TOPIC_INTENTS else 0.0
        shown = show_articles(dispatcher, tracker, text, minimum, "utter_help_articles")
        if not shown:
            return [SlotSet("search_result", FOUND_NOTHING)]
        return [SlotSet("search_result", FOUND_ARTICLE), *shown]


class ActionShowArticlesForDetails(Action):
    """Details given before the problem (systems, a setup word): show the articles clearly about
    them, if any, before the rules ask what went wrong."""

    def name(self) -> str:
        return "action_show_articles_for_details"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        return show_articles(dispatcher, tracker, text, config.ARTICLE_MIN_SCORE_DETAILS,
                             "utter_articles_on_details")
