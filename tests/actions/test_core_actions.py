from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleMisunderstanding
from actions.policy_answers import ActionAnswerPolicy
from actions.response_time import response_time_values
from tests.conversation_builders import (
    faq_event,
    response_placeholders,
    responses_of,
    tracker_with,
    user_event,
)


def run(action, events, slots=None):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker_with(events, slots), {})
    return dispatcher.messages, result


def test_first_misunderstanding_asks_to_rephrase():
    messages, _ = run(ActionHandleMisunderstanding(), [user_event("blorp", "nlu_fallback")])
    assert responses_of(messages) == ["utter_default", "utter_what_i_can_do"]


def test_second_misunderstanding_in_a_row_offers_the_write_up():
    messages, _ = run(ActionHandleMisunderstanding(), [
        user_event("blorp", "nlu_fallback"), user_event("zzz", "nlu_fallback"),
    ])
    assert responses_of(messages) == ["utter_what_i_can_do", "utter_offer_handoff"]


@pytest.mark.parametrize("today, latest", [
    (date(2026, 11, 27), "Wednesday 2 December 2026"),
    (date(2026, 11, 23), "Thursday 26 November 2026"),
])
def test_response_time_names_the_latest_business_day(today, latest):
    assert response_time_values(today) == {"first_day": "1", "last_day": "3", "due": latest}


def slot_values(events):
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def test_the_response_time_answer_names_its_date_and_cites_the_guidelines():
    messages, events = run(ActionAnswerPolicy(), [user_event("when?", "ask_response_time")])
    [message] = messages
    assert message["response"] == "utter_response_time"
    assert response_placeholders("utter_response_time") <= set(message)
    assert message["due"] == response_time_values(date.today())["due"]
    assert message["custom"]["articles"][0]["url"].endswith(
        "guidelines-for-iex-support"
    )
    assert slot_values(events) == {"search_result": "answer"}


def test_a_faq_topic_is_answered_with_its_retrieval_response():
    messages, events = run(ActionAnswerPolicy(), [faq_event("what is 2nd line", "second_line")])
    assert responses_of(messages) == ["utter_faq/second_line"]
    assert slot_values(events) == {"search_result": "answer"}


def test_a_new_customer_is_pointed_to_how_the_integration_works():
    messages, _ = run(ActionAnswerPolicy(), [faq_event("we are on a trial", "new_customer")])
    [card] = messages[0]["custom"]["articles"]
    assert card["title"] == "How does the integration work?"


def test_phone_support_offers_the_write_up_except_inside_the_form():
    events = [user_event("can i call you", "ask_phone_support")]
    messages, result = run(ActionAnswerPolicy(), events)
    assert responses_of(messages) == ["utter_phone_support"]
    assert slot_values(result) == {"search_result": "offer"}
    tracker = tracker_with(events)
    tracker.active_loop = {"name": "ticket_form"}
    dispatcher = CollectingDispatcher()
    assert slot_values(ActionAnswerPolicy().run(dispatcher, tracker, {})) == {
        "search_result": "answer"
    }


def test_a_policy_answer_also_shows_the_article_that_fits_the_question_first():
    question = faq_event("setting up shopify and dinero, where do i start", "system_setup")
    messages, _ = run(ActionAnswerPolicy(), [question])
    titles = [card["title"] for card in messages[0]["custom"]["articles"]]
    assert len(titles) == 2
    assert "Dinero" in titles[0] and "Shopify" in titles[0]
    assert titles[1] == "Guidelines for IEX support"
