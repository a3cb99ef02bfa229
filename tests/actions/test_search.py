"""Search before sorry: an unplaced message is answered from the policy or the help articles."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.articles import knowledge_base
from actions.search import ActionSearchHelp, ActionShowArticlesForDetails
from tests.conversation_builders import (
    action_event,
    problem_report,
    responses_of,
    slots_of,
    system_entity,
    tracker_with,
    user_event,
)


def search(events, slots=None):
    dispatcher = CollectingDispatcher()
    result = ActionSearchHelp().run(dispatcher, tracker_with(events, slots), {})
    return dispatcher.messages, slots_of(result)


@pytest.mark.parametrize(("text", "response", "result"), [
    ("can i just ring you lot", "utter_phone_support", "offer"),
    ("is this urgent enough to get priority", "utter_urgent_policy", "offer"),
    ("what is 2nd line anyway", "utter_faq/second_line", "answer"),
    ("which plugin do I need for b2b", "utter_faq/plugin_support", "answer"),
])
def test_a_policy_question_gets_its_answer_and_says_whether_the_write_up_follows(
    text, response, result
):
    messages, slots = search([user_event(text, "nlu_fallback")])

    assert responses_of(messages) == [response]
    assert slots == {"search_result": result}


def test_the_response_time_answer_names_the_day_an_answer_is_due():
    messages, slots = search([user_event("how long before you answer", "nlu_fallback")])

    [message] = messages
    assert message["response"] == "utter_response_time"
    assert {"first_day", "last_day", "due"} <= set(message)
    assert slots == {"search_result": "answer"}


def test_a_how_to_question_gets_help_articles_to_ask_about_again():
    messages, slots = search([user_event("how do I connect Stripe?", "ask_howto")])

    assert responses_of(messages) == ["utter_help_articles"]
    cards = messages[0]["custom"]["articles"]
    assert cards[0]["url"] == knowledge_base().get("connect-to-stripe").url
    assert slots["search_result"] == "article"
    assert slots["help_topic"] == "how do I connect Stripe?"
    assert slots["articles_shown"] == [card["url"] for card in cards]


def test_a_how_to_question_is_searched_in_the_articles_even_if_it_names_a_policy_word():
    # The NLU knows it is a how-to question; "phone" in it is no question about phone support.
    text = "how do I connect Vipps MobilePay on the phone app"
    messages, slots = search([user_event(text, "ask_howto")])

    assert responses_of(messages) == ["utter_help_articles"]
    assert slots["search_result"] == "article"


def test_the_systems_of_the_case_under_way_are_searched_with_it():
    events = [problem_report("orders don't reach Dinero", "Dinero"),
              user_event("how do I set up payments?", "ask_howto")]

    _, slots = search(events)

    assert slots["systems"] == ["Dinero"]
    _, after_a_closed_case = search([events[0], action_event("action_cancel_ticket"), events[1]])
    assert after_a_closed_case["systems"] == []


@pytest.mark.parametrize(("text", "intent"), [
    ("blorp zzqx wibble", "nlu_fallback"),
    ("what's the weather in Paris", "out_of_scope"),
    ("tell me a joke", "out_of_scope"),
])
def test_nothing_found_says_nothing_and_leaves_the_sorry_to_the_rules(text, intent):
    messages, slots = search([user_event(text, intent)])

    assert messages == []
    assert slots == {"search_result": "nothing"}


def details_first(text, *systems, slots=None):
    dispatcher = CollectingDispatcher()
    event = user_event(text, "inform", [system_entity(name) for name in systems])
    result = ActionShowArticlesForDetails().run(dispatcher, tracker_with([event], slots), {})
    return dispatcher.messages, slots_of(result)


def test_a_system_named_before_the_problem_shows_its_articles():
    messages, slots = details_first("tripletex", "Tripletex")

    assert responses_of(messages) == ["utter_articles_on_details"]
    cards = messages[0]["custom"]["articles"]
    assert cards[0]["slug"] == "tripletex-features"
    assert slots["help_topic"] == "tripletex"
    assert slots["systems"] == ["Tripletex"]
    assert slots["articles_shown"] == [card["url"] for card in cards]


def test_a_danish_conversation_is_shown_the_danish_articles():
    messages, _ = details_first("opsætning shopify dinero", "Shopify", "Dinero",
                                slots={"language": "da"})

    cards = messages[0]["custom"]["articles"]
    assert cards[0]["slug"] == "shopify-dinero-setup"
    assert cards[0]["url"] == knowledge_base().get("shopify-dinero-setup", language="da").url


@pytest.mark.parametrize("text", ["order 1045", "my email is kim@webshop.dk", "no examples"])
def test_details_that_no_article_is_clearly_about_show_none(text):
    assert details_first(text) == ([], {})
