"""The moves of the evaluation: what the assistant did in reply to one message, read from events."""
import pytest
import yaml

from bot.config import PROJECT_ROOT
from evaluation.moves import (
    ACTION_MOVES,
    RESPONSE_MOVES,
    last_turn,
    moves_of_turn,
    requested_slot_after,
    shown_article_urls,
    ticket_fields,
)
from tests.conversation_builders import (
    action_event,
    bot_event,
    domain,
    problem_report,
    slot_event,
    user_event,
)

ARTICLE = "https://support.iex.dk/en/articles/81887-handling-stock-in-the-accounting-system"
ARTICLE_CARDS = {"type": "articles", "articles": [{"title": "Stock", "url": ARTICLE}]}


def uttered(response: str, **data) -> list[dict]:
    """A response as the tracker records it: the action run, then the message."""
    return [action_event(response), bot_event("...", response=response, **data)]


def asked(slot: str, question: str) -> list[dict]:
    """The form sets its next question and asks it."""
    return [slot_event("requested_slot", slot), *uttered(question)]


SELF_HELP_TURN = [
    action_event("action_give_self_help"),
    bot_event("...", response="utter_self_help_stock"),
    bot_event("...", response="utter_problem_articles", custom=ARTICLE_CARDS),
    slot_event("articles_shown", [ARTICLE]),
    *uttered("utter_ask_if_solved"),
]


def test_a_problem_report_answered_with_advice_and_articles_is_self_help():
    assert moves_of_turn(SELF_HELP_TURN)[0] == "self_help"
    assert shown_article_urls(SELF_HELP_TURN) == [ARTICLE]


def test_a_self_help_answer_is_no_answer_to_a_how_to_question():
    # A how-to question ("how do I connect Stripe?") that the NLU took for a problem report gets
    # the advice for a problem and "did that solve it?": the evaluation must not pass it as
    # "article" (check_turn passes a turn when the expected move is among its moves).
    assert "article" not in moves_of_turn(SELF_HELP_TURN)


def test_a_how_to_answer_shows_an_article():
    turn = [action_event("action_search_help"),
            bot_event("...", response="utter_help_articles", custom=ARTICLE_CARDS),
            slot_event("search_result", "article")]

    assert moves_of_turn(turn) == ["article"]


@pytest.mark.parametrize(("response", "move"), [
    ("utter_phone_support", "policy:phone_support"),
    ("utter_urgent_policy", "policy:urgent"),
    ("utter_response_time", "policy:response_time"),
    ("utter_faq/second_line", "policy:second_line"),
    ("utter_faq/what_to_include", "policy:what_to_include"),
])
def test_a_policy_answer_is_the_move_of_its_topic(response, move):
    assert moves_of_turn(uttered(response)) == [move]


def test_a_policy_answer_found_by_the_search_is_the_same_move():
    turn = [action_event("action_search_help"), bot_event("...", response="utter_phone_support"),
            slot_event("search_result", "offer"), *uttered("utter_offer_handoff")]

    assert moves_of_turn(turn) == ["policy:phone_support"]


def test_starting_the_write_up_asks_the_forms_first_question():
    turn = [
        action_event("action_start_handoff"),
        bot_event("...", response="utter_handoff_intro"),
        slot_event("ticket_systems", ["Shopify"]),
        action_event("ticket_form"),
        {"event": "active_loop", "name": "ticket_form"},
        *asked("contact_email", "utter_ask_contact_email"),
    ]

    assert moves_of_turn(turn) == ["handoff", "ask:contact_email"]


def test_a_usable_answer_moves_on_to_the_next_question():
    turn = [action_event("ticket_form"), slot_event("contact_email", "anna@webshop.dk"),
            *asked("description", "utter_ask_description")]

    assert moves_of_turn(turn, asked_before="contact_email") == ["ask:description"]


def test_an_unusable_answer_is_a_reprompt_of_the_same_question():
    turn = [action_event("ticket_form"), bot_event("...", response="utter_systems_needed"),
            slot_event("ticket_systems", None),
            *asked("ticket_systems", "utter_ask_ticket_systems")]

    assert moves_of_turn(turn, asked_before="ticket_systems") == ["reprompt:ticket_systems"]


def test_a_reprompt_without_the_question_set_again_still_counts():
    turn = [action_event("ticket_form"), bot_event("...", response="utter_confirm_or_change")]

    assert moves_of_turn(turn, asked_before="confirmation") == ["reprompt:confirmation"]


def test_the_same_question_asked_again_without_a_reason_is_no_reprompt():
    # After a question in the middle of the form, the form asks its question again.
    turn = [*uttered("utter_phone_support"), action_event("ticket_form"),
            *asked("examples", "utter_ask_examples_orders")]

    assert moves_of_turn(turn, asked_before="examples") == ["policy:phone_support", "ask:examples"]


def test_a_sent_case_is_ticket_created():
    turn = [
        action_event("ticket_form"),
        slot_event("confirmation", "confirmed"),
        {"event": "active_loop", "name": None},
        slot_event("requested_slot", None),
        action_event("action_create_ticket"),
        bot_event("...", response="utter_ticket_created"),
        bot_event("...", response="utter_ticket_next_steps"),
        slot_event("ticket_reference", "IEX-20261127-ABCD"),
    ]

    assert moves_of_turn(turn, asked_before="confirmation") == ["ticket_created"]


def test_a_form_that_gave_up_creates_no_ticket():
    turn = [action_event("action_create_ticket"),
            bot_event("...", response="utter_handoff_gave_up")]

    assert "ticket_created" not in moves_of_turn(turn)


def test_anything_else_acknowledges_an_ok_and_follows_a_declined_offer():
    assert moves_of_turn(uttered("utter_anything_else")) == ["acknowledge", "declined"]


@pytest.mark.parametrize(("action", "move"), [
    ("action_handle_misunderstanding", "not_understood"),
    ("action_cancel_ticket", "ticket_cancelled"),
])
def test_actions_that_are_a_move_of_their_own(action, move):
    assert moves_of_turn([action_event(action)]) == [move]


def test_a_move_is_listed_once_even_if_made_twice():
    turn = [*uttered("utter_greet"), *uttered("utter_greet")]

    assert moves_of_turn(turn) == ["greet"]


def test_the_last_turn_is_what_followed_the_latest_customer_message():
    first_reply, second_reply = uttered("utter_greet"), uttered("utter_phone_support")
    events = [user_event("hi", "greet"), *first_reply,
              user_event("can I call you", "ask_phone_support"), *second_reply]

    assert last_turn(events) == second_reply
    assert last_turn(first_reply) == first_reply


def test_the_open_question_ends_with_the_form():
    asking = [slot_event("requested_slot", "examples")]

    assert requested_slot_after(asking) == "examples"
    assert requested_slot_after(asking + [{"event": "active_loop", "name": None}]) is None
    assert requested_slot_after([]) is None


def test_the_ticket_fields_are_the_slots_when_the_ticket_was_created():
    events = [
        problem_report("order 10023 missing", "e-conomic"),
        slot_event("contact_email", "anna@webshop.dk"),
        slot_event("ticket_systems", ["WooCommerce", "e-conomic"]),
        slot_event("order_ids", ["10023"]),
        action_event("action_create_ticket"),
        slot_event("contact_email", None),  # the case is emptied after it is sent
        slot_event("order_ids", None),
    ]

    assert ticket_fields(events) == {
        "email": "anna@webshop.dk", "systems": ["WooCommerce", "e-conomic"],
        "order_ids": ["10023"], "product_ids": [], "other": [],
    }
    assert ticket_fields(events[:4]) is None


def test_every_move_the_evaluation_set_expects_is_one_the_reader_can_name():
    form_slots = domain()["forms"]["ticket_form"]["required_slots"]
    nameable = {
        *RESPONSE_MOVES.values(), *ACTION_MOVES.values(),
        "article", "acknowledge", "declined", "resolved", "ticket_created",
        *(f"{kind}:{slot}" for kind in ("ask", "reprompt") for slot in form_slots),
    }
    data = yaml.safe_load(
        (PROJECT_ROOT / "tests" / "data" / "dialogue_eval.yml").read_text(encoding="utf-8"))
    expected = {item["expect"] for item in data["messages"]}
    expected |= {turn["expect"] for script in data["scripts"] for turn in script["turns"]}

    assert expected - nameable == set()
