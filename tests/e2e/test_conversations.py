"""End-to-end: the real Rasa server and action server with the trained model, over REST.

The tests assert on what the assistant did (its moves, actions and responses in the tracker),
not on the wording of the responses, so a trainer can reword them freely.
"""
from __future__ import annotations

import pytest

from actions.articles import knowledge_base
from evaluation.moves import last_turn
from support_core.language import detect
from tests.conftest import new_customer

#: The links of the Danish articles: the Danish help-center page, or the English one where the
#: help center has no Danish page.
DANISH_ARTICLE_URLS = {article.url for article in knowledge_base().articles(language="da")}

pytestmark = pytest.mark.e2e


def test_an_order_that_was_not_transferred_gets_self_help_with_articles(assistant):
    reply = assistant.did("Hi, order 10023 was never transferred to e-conomic", new_customer())
    assert "action_give_self_help" in reply.actions
    assert reply.responses == [
        "utter_self_help_order_transfer", "utter_problem_articles", "utter_ask_if_solved"
    ]
    assert reply.article_urls


def test_a_quoted_log_status_is_explained_with_its_article_first(assistant):
    reply = assistant.did("the log says Skipped - order not in allowed states", new_customer())
    assert reply.responses[0] == "utter_log_status_skipped"
    assert "log-status-skipped-order-not-in-allowed-states" in reply.article_urls[0]


@pytest.mark.parametrize(("message", "move"), [
    ("thanks, bye", "goodbye"),
    ("how do I connect Stripe?", "article"),
    ("where do I see the status of a transfer", "article"),
    ("its been 2 days since i emailed, is that normal??", "policy:response_time"),
    ("can I phone the 2nd line guys directly?", "policy:phone_support"),
    ("what details should I put in my e-mail to support?", "policy:what_to_include"),
    ("Which B2B plugin should I install in WooCommerce for VAT numbers?",
     "policy:plugin_support"),
])
def test_messages_that_used_to_get_sorry_are_answered(assistant, message, move):
    assert move in assistant.did(message, new_customer()).moves


def test_phone_support_offers_the_write_up(assistant):
    customer = new_customer()
    reply = assistant.did("can I just call you on the phone?", customer)
    assert reply.responses[-1] == "utter_offer_handoff"
    assert "handoff" in assistant.did("yes please", customer).moves


def test_ok_after_an_answer_is_acknowledged(assistant):
    customer = new_customer()
    assistant.did("what is second line support", customer)
    assert "acknowledge" in assistant.did("ok", customer).moves


def test_response_time_names_a_date(assistant):
    customer = new_customer()
    reply = assistant.did("how long does it take before support answers me?", customer)
    assert "utter_response_time" in reply.responses
    [answer] = [event for event in assistant.tracker(customer)["events"]
                if (event.get("metadata") or {}).get("utter_action") == "utter_response_time"]
    assert "{" not in answer["text"]  # the date and the window are filled in


def test_self_help_that_did_not_help_leads_to_the_hand_off(assistant):
    customer = new_customer()
    assistant.did("the stock is not updated in shopify from uniconta", customer)
    assert "handoff" in assistant.did("/deny", customer).moves


def test_solved_by_self_help_is_recorded_in_the_tracker(assistant):
    customer = new_customer()
    assistant.did("VAT is added twice on our invoices in Dinero", customer)
    assert "resolved" in assistant.did("/affirm", customer).moves
    assert assistant.tracker(customer)["slots"]["self_help_outcome"] == "resolved"


def test_asking_for_a_person_mid_flow_starts_the_hand_off(assistant):
    customer = new_customer()
    assistant.did("products are not created in e-conomic", customer)
    assert "handoff" in assistant.did("I want to talk to a real person", customer).moves


def test_two_misunderstandings_in_a_row_offer_the_write_up(assistant):
    customer = new_customer()
    first = assistant.did("blorf quux zzyzx", customer)
    second = assistant.did("xqzt vvbn plkj", customer)
    assert "utter_default" in first.responses
    assert second.responses[-1] == "utter_offer_handoff"


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_is_not_understood_and_answered_politely(assistant, message):
    assert "not_understood" in assistant.did(message, new_customer()).moves


def test_a_message_at_the_length_limit_is_answered(assistant):
    message = ("my order was not transferred " * 180)[: assistant.settings.max_message_length]
    answer = assistant.texts(message, new_customer())
    assert answer.strip()


def test_emoji_and_non_latin_text_get_the_fallback(assistant):
    assert "not_understood" in assistant.did("😀🔥 你好，世界 Привет", new_customer()).moves


def test_markup_is_never_echoed(assistant):
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    answers = assistant.say(markup, new_customer())
    assert answers
    for message in answers:
        assert "<script" not in message.get("text", "")
        assert "onerror" not in message.get("text", "")


def _language_slot(assistant, customer: str) -> str:
    return assistant.tracker(customer)["slots"]["language"]


def test_a_danish_problem_is_answered_in_danish_with_danish_articles(assistant):
    customer = new_customer()
    reply = assistant.did("Hej, min ordre er ikke blevet overført til e-conomic", customer)
    texts = assistant.tracker(customer)["events"]

    assert "action_give_self_help" in reply.actions
    assert _language_slot(assistant, customer) == "da"
    answers = [event["text"] for event in last_turn(texts) if event.get("event") == "bot"]
    assert answers and all(detect(text) in ("da", None) for text in answers)
    assert any(detect(text) == "da" for text in answers)
    assert reply.article_urls and set(reply.article_urls) <= DANISH_ARTICLE_URLS


def test_short_answers_keep_the_language_and_a_long_message_switches_it(assistant):
    customer = new_customer()
    assistant.did("mine fakturaer bliver ikke overført til dinero længere", customer)
    assistant.did("ok", customer)
    assert _language_slot(assistant, customer) == "da"
    assistant.did("sorry, can we continue in English please?", customer)
    assert _language_slot(assistant, customer) == "en"


def test_the_page_language_starts_a_conversation_that_opens_with_one_word(assistant):
    danish_page = assistant.chat.in_language("da")
    conversation = danish_page.new_sender()
    danish_page.say(conversation, "hej")
    assert assistant.chat.tracker(conversation)["slots"]["language"] == "da"


def test_another_language_is_told_which_languages_the_chat_speaks(assistant):
    reply = assistant.did("Hallo, meine Bestellungen kommen nicht in e-conomic an", new_customer())
    assert reply.responses[0] == "utter_english_only"


def test_asking_in_english_to_chat_in_danish_goes_on_in_danish(assistant):
    customer = new_customer()
    assistant.did("my orders are not transferred to dinero anymore", customer)
    reply = assistant.did("could we do this in danish please?", customer)

    assert reply.responses[0] == "utter_language_switched"
    assert _language_slot(assistant, customer) == "da"
    answers = [event["text"] for event in last_turn(assistant.tracker(customer)["events"])
               if event.get("event") == "bot"]
    assert detect(answers[0]) == "da"
