from rasa_sdk.executor import CollectingDispatcher

from actions.self_help import ActionSuggestArticles
from tests.conversation_builders import system_entity, tracker_with, user_event

SKIPPED_URL = "https://support.iex.dk/en/articles/81904-log-status-skipped-order-not-in-allowed-states"
SKIPPED_PROBLEM = user_event(
    "order 10023 was not transferred to e-conomic, the log says skipped not in allowed states",
    "report_order_not_transferred", [system_entity("e-conomic")],
)


def suggest(events, slots=None):
    dispatcher = CollectingDispatcher()
    result = ActionSuggestArticles().run(dispatcher, tracker_with(events, slots), {})
    return dispatcher.messages, {event["name"]: event["value"] for event in result}


def test_a_problem_gets_the_matching_article_with_its_link_and_is_recorded():
    messages, slots = suggest([SKIPPED_PROBLEM])
    assert SKIPPED_URL in messages[0]["text"]
    cards = messages[0]["custom"]["articles"]
    assert cards[0]["url"] == SKIPPED_URL and cards[0]["title"]
    assert 1 <= len(cards) <= 2
    assert slots["problem_category"] == "order_transfer"
    assert slots["systems"] == ["e-conomic"]
    assert slots["articles_shown"] == [card["url"] for card in cards]


def test_another_article_is_never_one_already_shown():
    first_messages, first = suggest([SKIPPED_PROBLEM])
    events = [SKIPPED_PROBLEM, user_event("show me another", "request_another_article")]
    messages, slots = suggest(events, {"articles_shown": first["articles_shown"]})
    [card] = messages[0]["custom"]["articles"]
    assert card["url"] not in first["articles_shown"]
    assert slots["articles_shown"] == first["articles_shown"] + [card["url"]]


def test_nothing_is_suggested_for_a_problem_no_article_covers():
    messages, slots = suggest([user_event("the weather in Paris is bad", "report_error_email")])
    assert messages == []
    assert slots["articles_shown"] == []


def test_asking_for_another_when_none_is_left_says_so():
    events = [user_event("zzqx wobble", "report_error_email"),
              user_event("another one", "request_another_article")]
    messages, _ = suggest(events)
    assert messages[0]["response"] == "utter_no_more_articles"
