"""Answer a question about the support policy, citing the help article it comes from."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import config
from actions.articles import Hit, knowledge_base
from actions.response_time import response_time_values
from actions.self_help import articles_payload
from support_core.events import full_intent
from support_core.language import DEFAULT_LANGUAGE, conversation_language
from support_core.policy import PolicyTopic, topic_for_intent

#: What the answer leads to; the rules go on from it (shared with actions/search.py).
ANSWERED, OFFERED = "answer", "offer"


def cited_articles(
    topic: PolicyTopic, question: str, language: str = DEFAULT_LANGUAGE
) -> list[Hit]:
    """The help articles a policy answer shows: the one that best fits the customer's own words
    when it is relevant enough (a question may touch a topic of its own), then the one the
    answer comes from; both in the conversation's language."""
    best = knowledge_base().search(question, exclude=[topic.article], limit=1, language=language)
    source = knowledge_base().get(topic.article, language=language)
    return [hit for hit in best if hit.score >= config.ARTICLE_MIN_SCORE_BESIDE_POLICY] + (
        [Hit(article=source, score=1.0)] if source else []
    )


def utter_policy_answer(
    dispatcher: CollectingDispatcher, topic: PolicyTopic, question: str,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """Give a topic's answer (the response-time one names its date) with its articles as cards.

    Returns the search_result the rules branch on: whether the write-up is offered next.
    """
    values = response_time_values(language=language) if topic.name == "response_time" else {}
    cards = cited_articles(topic, question, language)
    dispatcher.utter_message(
        response=topic.response, json_message=articles_payload(cards) if cards else None, **values
    )
    return OFFERED if topic.offers_handoff else ANSWERED


class ActionAnswerPolicy(Action):
    """Answer the policy question the NLU recognised (faq/<topic>, ask_phone_support, ...)."""

    def name(self) -> str:
        return "action_answer_policy"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        topic = topic_for_intent(full_intent(message))
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("search_result", ANSWERED)]
        result = utter_policy_answer(dispatcher, topic, message.get("text") or "",
                                     conversation_language(tracker.slots))
        # Inside the write-up the form asks its next question instead of offering a write-up.
        in_form = bool((tracker.active_loop or {}).get("name"))
        return [SlotSet("search_result", ANSWERED if in_form else result)]
