"""Self-help first: advice for the kind of problem, then help articles, then one more on request."""
from rasa_sdk.executor import CollectingDispatcher

from actions.articles import knowledge_base
from actions.self_help import (
    SUGGESTIONS,
    ActionCloseResolved,
    ActionGiveSelfHelp,
    ActionSuggestArticles,
)
from tests.conversation_builders import (
    action_event,
    problem_report,
    responses_of,
    slots_of,
    tracker_with,
    user_event,
)

SKIPPED_PROBLEM = problem_report(
    "order 10023 was not transferred to e-conomic, the log says Skipped - order not in allowed "
    "states", "e-conomic",
)
ANOTHER = user_event("show me another", "request_another_article")


def url_of(slug: str) -> str:
    return knowledge_base().get(slug).url


def run(action, events, slots=None):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker_with(events, slots), {})
    return dispatcher.messages, slots_of(result)


def cards(message: dict) -> list[dict]:
    assert message["custom"]["type"] == "articles"
    return message["custom"]["articles"]


# --- action_give_self_help ---------------------------------------------------------------------


def test_a_quoted_log_status_is_explained_and_its_article_comes_first():
    messages, slots = run(ActionGiveSelfHelp(), [SKIPPED_PROBLEM])

    assert responses_of(messages) == ["utter_log_status_skipped", "utter_problem_articles"]
    shown = cards(messages[1])
    assert shown[0]["url"] == url_of("log-status-skipped-order-not-in-allowed-states")
    assert 1 <= len(shown) <= SUGGESTIONS and all(card["title"] for card in shown)
    assert slots["problem_category"] == "order_transfer"
    assert slots["systems"] == ["e-conomic"]
    assert slots["help_topic"] == SKIPPED_PROBLEM["text"]
    assert slots["articles_shown"] == [card["url"] for card in shown]


def test_a_plain_report_gets_the_advice_of_its_category_and_articles_as_cards():
    report = problem_report("stock is not updated in Shopify", "Shopify")

    messages, slots = run(ActionGiveSelfHelp(), [report])

    assert responses_of(messages) == ["utter_self_help_stock", "utter_problem_articles"]
    shown = cards(messages[1])
    assert shown[0]["url"] == url_of("handling-stock-in-the-accounting-system")
    assert all(card["url"] in messages[1]["article_list"] for card in shown)  # for text channels
    assert slots["problem_category"] == "stock"
    assert slots["articles_shown"] == [card["url"] for card in shown]


def test_a_problem_the_log_does_not_explain_gets_help_articles_without_the_log_hint():
    messages, slots = run(ActionGiveSelfHelp(), [problem_report("I get error emails every day")])

    assert responses_of(messages) == ["utter_self_help_error_notifications", "utter_help_articles"]
    assert slots["problem_category"] == "error_notifications"


def test_a_problem_no_article_covers_points_to_the_dashboard_log():
    messages, slots = run(ActionGiveSelfHelp(), [problem_report("zzqx wobble")])

    assert responses_of(messages) == ["utter_self_help_other", "utter_check_dashboard_log"]
    assert slots["problem_category"] == "other"
    assert slots["articles_shown"] == []


def test_the_article_on_the_kind_of_problem_is_always_among_the_suggestions():
    # The words of the POS articles, but a report of products that do not arrive: the products
    # article, which the help center gives for that kind of problem, takes the third place.
    report = problem_report("the items from our shopify pos wont arrive in dinero", "Dinero")
    searched = [hit.slug for hit in knowledge_base().search(
        report["text"], systems=["Dinero"], limit=SUGGESTIONS)]
    assert "how-are-products-synchronized" not in searched

    messages, _ = run(ActionGiveSelfHelp(), [report])

    shown = [card["slug"] for card in cards(messages[1])]
    assert shown == searched[: SUGGESTIONS - 1] + ["how-are-products-synchronized"]


def test_self_help_answers_the_report_even_after_a_later_message():
    events = [problem_report("Error in totals validation on order 20931"),
              user_event("it's really annoying", "inform")]

    messages, slots = run(ActionGiveSelfHelp(), events)

    assert messages[0]["response"] == "utter_log_status_totals_validation"
    assert cards(messages[1])[0]["url"] == url_of("what-does-error-in-totals-validation-mean")
    assert slots["problem_category"] == "invoices"


def test_the_systems_of_an_earlier_case_are_not_searched_again():
    events = [SKIPPED_PROBLEM, action_event("action_create_ticket"),
              problem_report("stock is not updated")]

    _, slots = run(ActionGiveSelfHelp(), events)

    assert slots["systems"] == []


def test_articles_shown_earlier_in_the_conversation_stay_recorded():
    earlier = url_of("connect-to-stripe")

    _, slots = run(ActionGiveSelfHelp(), [SKIPPED_PROBLEM], {"articles_shown": [earlier]})

    assert slots["articles_shown"][0] == earlier
    assert len(slots["articles_shown"]) == 1 + SUGGESTIONS


# --- action_suggest_articles -------------------------------------------------------------------


def test_another_article_stays_on_the_topic_not_on_the_words_show_me_another():
    slots = {"help_topic": "how do I connect Stripe?", "systems": [],
             "articles_shown": [url_of("connect-to-stripe")]}

    messages, result = run(ActionSuggestArticles(), [ANOTHER], slots)

    assert responses_of(messages) == ["utter_another_article"]
    [card] = cards(messages[0])
    assert card["url"] == url_of("preparation-for-stripe-setup")
    assert result["articles_shown"] == [url_of("connect-to-stripe"), card["url"]]


def test_another_article_prefers_the_customers_systems():
    def next_for(system):
        messages, _ = run(ActionSuggestArticles(), [ANOTHER],
                          {"help_topic": "payment setup", "systems": [system]})
        return cards(messages[0])[0]["url"]

    assert next_for("Dinero") == url_of("payment-setup-guide-for-dinero")
    assert next_for("e-conomic") == url_of("guide-to-payment-setup-for-e-conomic")


def test_another_article_is_never_one_already_shown_until_none_is_left():
    _, slots = run(ActionGiveSelfHelp(), [SKIPPED_PROBLEM])
    first = len(slots["articles_shown"])
    said = []
    for _ in range(20):
        messages, result = run(ActionSuggestArticles(), [SKIPPED_PROBLEM, ANOTHER], slots)
        said += responses_of(messages)
        if not result:
            break
        slots.update(result)

    assert said[-1] == "utter_no_more_articles"
    assert set(said[:-1]) == {"utter_another_article"}
    shown = slots["articles_shown"]
    assert len(shown) == len(set(shown)) == first + len(said) - 1


def test_asking_for_another_when_none_is_left_says_so():
    messages, result = run(ActionSuggestArticles(), [ANOTHER], {"help_topic": "zzqx wobble"})

    assert responses_of(messages) == ["utter_no_more_articles"]
    assert result == {}


def test_resolved_self_help_is_recorded():
    _, slots = run(ActionCloseResolved(), [user_event("yes", "affirm")])

    assert slots == {"self_help_outcome": "resolved"}
