"""End-to-end: the real Rasa server and action server with the trained model, over REST."""
from __future__ import annotations

import pytest

from tests.conftest import new_customer

pytestmark = pytest.mark.e2e


def test_an_order_that_was_not_transferred_gets_the_log_advice(assistant):
    answer = assistant.texts("Hi, order 10023 was never transferred to e-conomic", new_customer())
    assert "Log in your IEX dashboard" in answer
    assert "allowed" in answer  # the order-state advice
    assert "Did that solve it?" in answer


def test_a_phone_question_hears_that_phone_is_billable_and_for_acute_matters(assistant):
    answer = assistant.texts("can I just call you on the phone?", new_customer())
    assert "billable" in answer
    assert "acute" in answer


def test_a_plugin_question_is_referred_to_the_system_partner(assistant):
    answer = assistant.texts(
        "Which B2B plugin should I install in WooCommerce for VAT numbers?", new_customer()
    )
    assert "system partner" in answer
    assert "web developer" in answer


def test_response_time_names_a_date(assistant):
    answer = assistant.texts("how long does it take before support answers me?", new_customer())
    assert "1-3 business days" in answer
    assert "at the latest" in answer


def test_self_help_that_did_not_help_leads_to_the_hand_off(assistant):
    customer = new_customer()
    assistant.texts("the stock is not updated in shopify from uniconta", customer)
    answer = assistant.texts("/deny", customer)
    assert "support team" in answer


def test_solved_by_self_help_is_recorded_in_the_tracker(assistant):
    customer = new_customer()
    assistant.texts("VAT is added twice on our invoices in Dinero", customer)
    assert "glad" in assistant.texts("/affirm", customer)
    assert assistant.tracker(customer)["slots"]["self_help_outcome"] == "resolved"


def test_asking_for_a_person_mid_flow_starts_the_hand_off(assistant):
    customer = new_customer()
    assistant.texts("products are not created in e-conomic", customer)
    assert "support team" in assistant.texts("I want to talk to a real person", customer)


def test_two_misunderstandings_in_a_row_offer_the_write_up(assistant):
    customer = new_customer()
    assistant.texts("blorf quux zzyzx", customer)
    answer = assistant.texts("xqzt vvbn plkj", customer)
    assert "write your case up" in answer


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_is_not_understood_and_answered_politely(assistant, message):
    answer = assistant.texts(message, new_customer())
    assert "didn't quite get that" in answer


def test_a_huge_message_is_answered(assistant):
    answer = assistant.texts("my order was not transferred " * 360, new_customer())
    assert answer.strip()


def test_emoji_and_non_latin_text_get_the_fallback(assistant):
    answer = assistant.texts("😀🔥 你好，世界 Привет", new_customer())
    assert "IEX integration" in answer


def test_markup_is_never_echoed(assistant):
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    answers = assistant.say(markup, new_customer())
    assert answers
    for message in answers:
        assert "<script" not in message.get("text", "")
        assert "onerror" not in message.get("text", "")


def test_a_danish_message_is_told_the_chat_is_in_english(assistant):
    answer = assistant.texts("Hej, min ordre er ikke blevet overført til e-conomic", new_customer())
    assert "English" in answer
