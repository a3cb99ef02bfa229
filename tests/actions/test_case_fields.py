import pytest

from actions.case_fields import (
    MAX_ATTEMPTS,
    prefilled_case,
    read_confirmation,
    read_description,
    read_email,
    read_examples,
    read_log_status,
    read_systems,
    urgency_requested,
)
from tests.conversation_builders import (
    action_event,
    bot_event,
    problem_report,
    user_event,
)


def test_an_email_in_a_sentence_is_taken():
    assert read_email("sure, it's anna@webshop.dk", "inform", None).values == {
        "contact_email": "anna@webshop.dk"
    }


def test_yes_accepts_the_email_offered_back():
    assert read_email("/affirm", "affirm", "jens@firma.com").values == {
        "contact_email": "jens@firma.com"
    }


def test_a_malformed_email_gets_a_specific_reprompt():
    assert read_email("anna@webshop", "inform", None).problem == "utter_invalid_email"
    assert read_email("no thanks", "deny", None).problem == "utter_email_needed"


def test_systems_come_from_entities_or_the_customers_words():
    assert read_systems("shopify and economic", ["Shopify", "e-conomic"]).values == {
        "ticket_systems": ["Shopify", "e-conomic"]
    }
    assert read_systems("x", []).problem == "utter_systems_needed"


def test_system_names_without_entities_are_read_as_their_canonical_names():
    assert read_systems("woo and eonomic", [], "inform").values == {
        "ticket_systems": ["WooCommerce", "e-conomic"]
    }


def test_systems_said_to_be_wrong_are_left_out():
    answer = read_systems("only Shopify and Dinero, not e-conomic",
                          ["Shopify", "Dinero", "e-conomic"], "inform")
    assert answer.values == {"ticket_systems": ["Shopify", "Dinero"]}


@pytest.mark.parametrize(("text", "intent"), [
    ("yes", "affirm"), ("no", "deny"), ("Orders 100045", "inform"), ("#1043 and #1044", "inform"),
])
def test_a_yes_a_no_or_numbers_are_no_systems_however_often_they_are_given(text, intent):
    for attempts in range(MAX_ATTEMPTS):
        assert read_systems(text, [], intent, attempts).problem == "utter_systems_needed"


def test_an_unknown_system_is_asked_again_then_kept_as_written():
    assert read_systems("our own ERP", [], "inform", 0).problem == "utter_systems_needed"
    assert read_systems("our own ERP", [], "inform", 1).values == {
        "ticket_systems": ["other: our own ERP"]
    }


def test_descriptions_are_plain_text_and_not_too_short():
    answer = read_description("Order <b>10023</b> <script>alert(1)</script>was never booked")
    assert "<" not in answer.values["description"]
    assert "10023" in answer.values["description"]
    assert read_description("help").problem == "utter_description_too_short"


def test_several_order_numbers_in_one_message_are_collected():
    answer = read_examples("orders 10023, 10024 and #10031", "inform", "order_transfer", 0)
    assert answer.values["order_ids"] == ["10023", "10024", "10031"]
    assert answer.values["examples"] == "given"


def test_product_numbers_are_collected():
    answer = read_examples("it's SKU TS-RED-L and 4471-B", "inform", "products", 0)
    assert answer.values["product_ids"] == ["TS-RED-L", "4471-B"]


def test_saying_there_is_no_example_is_accepted():
    assert read_examples("I don't have one", "inform", "order_transfer", 0).values == {
        "examples": "none"
    }
    no_example = read_examples("/no_example", "no_example", "products", 0)
    assert no_example.values == {"examples": "none"}


def test_an_order_problem_without_a_number_is_asked_again_then_accepted_as_other():
    first_try = read_examples("the blue one", "inform", "order_transfer", 0)
    assert first_try.problem == "utter_invalid_example"
    accepted = read_examples("the blue one", "inform", "order_transfer", MAX_ATTEMPTS - 1)
    assert accepted.values == {"examples": "given", "other_references": ["the blue one"]}


def test_a_bare_yes_is_no_example():
    for category in ("order_transfer", "payments"):
        for attempts in range(MAX_ATTEMPTS):
            answer = read_examples("yes", "affirm", category, attempts)
            assert answer.problem == "utter_invalid_example"
            assert answer.values == {}


def test_a_no_means_there_is_no_example():
    assert read_examples("no", "deny", "order_transfer", 0).values == {"examples": "none"}


def test_other_problems_accept_any_reference():
    answer = read_examples("payout from 3 November", "inform", "payments", 0)
    assert answer.values["other_references"] == ["payout from 3 November"]


def test_log_status_answers():
    assert read_log_status("/deny", "deny").values == {"log_checked": False, "log_status": None}
    assert read_log_status("it says skipped, not in allowed states", "inform").values == {
        "log_checked": True, "log_status": "it says skipped, not in allowed states"
    }


def test_confirmation_sends_or_reopens_one_field():
    assert read_confirmation("affirm", None).values == {"confirmation": "confirmed"}
    reopened = read_confirmation("correct_field", "examples").values
    assert reopened == {"examples": None, "order_ids": None, "product_ids": None,
                        "other_references": None, "confirmation": None}
    assert read_confirmation("deny", None).problem == "utter_confirm_or_change"


def test_a_systems_correction_that_names_them_is_applied_at_once():
    answer = read_confirmation("correct_field", "systems", "only Shopify and Dinero, not e-conomic",
                               ["Shopify", "Dinero", "e-conomic"])
    assert answer.problem is None
    assert answer.values == {"ticket_systems": ["Shopify", "Dinero"], "confirmation": None}


def test_a_systems_correction_without_names_asks_for_them_again():
    answer = read_confirmation("correct_field", "systems", "the systems are wrong", [])
    assert answer.values == {"ticket_systems": None, "confirmation": None}


def test_an_unknown_field_to_change_is_asked_about_again():
    assert read_confirmation("correct_field", None).problem == "utter_confirm_or_change"
    assert read_confirmation("correct_field", "colour").problem == "utter_confirm_or_change"


def test_what_the_conversation_already_said_is_prefilled():
    events = [
        problem_report("hi, order #1043 never reached e-conomic", "e-conomic"),
        user_event("/deny", "deny"),
    ]
    case = prefilled_case(events, "hi, order #1043 never reached e-conomic")
    assert case["order_ids"] == ["1043"]
    assert case["examples"] == "given"
    assert case["ticket_systems"] == ["e-conomic"]
    assert case["description"] == "hi, order #1043 never reached e-conomic"
    assert case["contact_email"] is None


@pytest.mark.parametrize(("text", "systems"), [
    ("orders are not transferred to e-conomic", ["e-conomic"]),
    ("stock isn't updated in Shopify", ["Shopify"]),
    # The first script of tests/data/dialogue_eval.yml expects both on the ticket.
    ("order 20451 from woocommerce isnt in e-conomic, it was placed yesterday morning",
     ["WooCommerce", "e-conomic"]),
], ids=["not transferred to", "isn't updated in", "dialogue_eval script"])
def test_a_report_of_what_did_not_reach_a_system_prefills_that_system(text, systems):
    # "not" here says what went wrong, not that the system is the wrong one.
    case = prefilled_case([problem_report(text, *systems)], text)
    assert case["ticket_systems"] == systems


def test_a_second_problem_does_not_carry_the_numbers_and_systems_of_the_first():
    events = [
        problem_report("order 1001 missing in e-conomic", "e-conomic"),
        bot_event("Did that solve it?"),
        user_event("yes", "affirm"),
        problem_report("also stock for SKU TS-RED-L is wrong in Shopify", "Shopify"),
    ]
    case = prefilled_case(events, "also stock for SKU TS-RED-L is wrong in Shopify")
    assert case["order_ids"] == []
    assert case["product_ids"] == ["TS-RED-L"]
    assert case["ticket_systems"] == ["Shopify"]


def test_a_closed_case_is_not_prefilled_into_the_next():
    events = [
        problem_report("order 1001 missing in e-conomic", "e-conomic"),
        action_event("action_create_ticket"),
        user_event("can I talk to a person", "request_human"),
    ]
    case = prefilled_case(events, "")
    assert case["order_ids"] == [] and case["examples"] is None
    assert case["ticket_systems"] is None


def test_nothing_is_prefilled_without_a_problem():
    case = prefilled_case([user_event("human please", "request_human")], "")
    assert case["description"] is None and case["examples"] is None
    assert case["ticket_systems"] is None


def test_urgency_is_noticed_by_intent_or_words():
    assert urgency_requested([user_event("this is URGENT", "inform")])
    assert urgency_requested([user_event("prioritise me", "flag_urgent")])
    assert not urgency_requested([problem_report("order 1001 missing")])
