from actions.conversation import latest_problem, misunderstandings_in_a_row, systems_mentioned
from tests.conversation_builders import bot_event, system_entity, user_event


def test_systems_are_collected_across_messages_without_repeats():
    events = [
        user_event("we use shopify", "inform", [system_entity("Shopify")]),
        bot_event("ok"),
        user_event("and economic, shopify again", "inform",
                   [system_entity("e-conomic"), system_entity("Shopify")]),
    ]
    assert systems_mentioned(events) == ["Shopify", "e-conomic"]


def test_only_the_latest_misunderstandings_in_a_row_count():
    events = [
        user_event("blah", "nlu_fallback"),
        user_event("hi", "greet"),
        user_event("asdf", "nlu_fallback"),
        bot_event("sorry"),
        user_event("qwerty", "nlu_fallback"),
    ]
    assert misunderstandings_in_a_row(events) == 2
    assert misunderstandings_in_a_row(events + [user_event("hello", "greet")]) == 0


def test_latest_problem_gives_category_and_the_customers_words():
    events = [
        user_event("order 1001 missing", "report_order_not_transferred"),
        user_event("vat is doubled", "report_vat_mismatch"),
        user_event("yes", "affirm"),
    ]
    assert latest_problem(events) == ("vat", "vat is doubled")
    assert latest_problem([user_event("hi", "greet")]) == (None, "")
