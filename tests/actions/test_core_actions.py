from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleMisunderstanding
from actions.response_time import ActionExplainResponseTime, response_time_message
from actions.self_help import ActionCloseResolved
from tests.conversation_builders import tracker_with, user_event


def run(action, events, slots=None):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker_with(events, slots), {})
    return dispatcher.messages, result


def responses(messages):
    return [message.get("response") for message in messages]


def test_resolved_self_help_is_recorded():
    _, events = run(ActionCloseResolved(), [user_event("yes", "affirm")])
    assert events == [{"event": "slot", "timestamp": None, "name": "self_help_outcome",
                       "value": "resolved"}]


def test_first_misunderstanding_asks_to_rephrase():
    messages, _ = run(ActionHandleMisunderstanding(), [user_event("blorp", "nlu_fallback")])
    assert responses(messages) == ["utter_default", "utter_what_i_can_do"]


def test_second_misunderstanding_in_a_row_offers_the_write_up():
    messages, _ = run(ActionHandleMisunderstanding(), [
        user_event("blorp", "nlu_fallback"), user_event("zzz", "nlu_fallback"),
    ])
    assert responses(messages) == ["utter_what_i_can_do", "utter_offer_handoff"]


@pytest.mark.parametrize("today, latest", [
    (date(2026, 11, 27), "Wednesday 2 December 2026"),
    (date(2026, 11, 23), "Thursday 26 November 2026"),
])
def test_response_time_names_the_latest_business_day(today, latest):
    text = response_time_message(today)
    assert "1-3 business days" in text
    assert f"by {latest} at the latest" in text


def test_response_time_action_answers_with_a_date():
    messages, _ = run(ActionExplainResponseTime(), [user_event("when?", "ask_response_time")])
    assert "at the latest" in messages[0]["text"]
