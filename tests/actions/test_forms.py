import asyncio

import pytest
import yaml
from rasa.core.nlg.interpolator import interpolate
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import (
    ActionAskConfirmation,
    ActionAskContactEmail,
    ActionAskExamples,
    ValidateTicketForm,
    field_to_change,
)
from bot.config import PROJECT_ROOT
from tests.conversation_builders import system_entity, user_event

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def form_tracker(text, intent, requested_slot, slots=None, entities=None) -> Tracker:
    event = user_event(text, intent, entities)
    return Tracker(
        sender_id="form-test",
        slots={"requested_slot": requested_slot, **(slots or {})},
        latest_message=event["parse_data"],
        events=[event],
        paused=False,
        followup_action=None,
        active_loop={"name": "ticket_form"},
        latest_action_name="action_listen",
    )


def validate(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTicketForm().run(dispatcher, tracker, DOMAIN))
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return slots, [message.get("response") for message in dispatcher.messages]


def test_a_valid_email_fills_the_requested_slot():
    slots, said = validate(form_tracker("anna@webshop.dk", "inform", "contact_email"))
    assert slots["contact_email"] == "anna@webshop.dk"
    assert slots["email"] == "anna@webshop.dk"
    assert said == []


def test_a_malformed_email_is_asked_again_with_a_reason():
    slots, said = validate(form_tracker("anna@webshop", "inform", "contact_email"))
    assert slots["contact_email"] is None
    assert slots["form_attempts"] == 1.0
    assert said == ["utter_invalid_email"]


def test_the_third_unusable_email_gives_up_and_ends_the_form():
    tracker = form_tracker("no idea", "deny", "contact_email", {"form_attempts": 2.0})
    slots, said = validate(tracker)
    assert slots["handoff_gave_up"] is True
    assert slots["requested_slot"] is None
    assert said == []


def test_a_question_in_the_middle_leaves_the_form_to_the_rules():
    slots, said = validate(form_tracker("can I call you?", "ask_phone_support", "contact_email"))
    assert "contact_email" not in slots
    assert said == []


def test_an_email_corrected_later_in_the_form_replaces_the_first():
    tracker = form_tracker("oh, use jens@firma.com instead", "inform", "description",
                           {"contact_email": "old@firma.com"})
    slots, _ = validate(tracker)
    assert slots["contact_email"] == "jens@firma.com"


def test_several_orders_are_collected_for_the_examples_slot():
    tracker = form_tracker("10023, 10024 and #10031", "inform", "examples",
                           {"problem_category": "order_transfer"})
    slots, _ = validate(tracker)
    assert slots["order_ids"] == ["10023", "10024", "10031"]
    assert slots["examples"] == "given"


def test_changing_a_field_from_the_summary_empties_it():
    entities = [{"entity": "ticket_field", "value": "email"}]
    tracker = form_tracker('/correct_field{"ticket_field": "email"}', "correct_field",
                           "confirmation", {"contact_email": "a@b.dk"}, entities)
    slots, _ = validate(tracker)
    assert slots["contact_email"] is None
    assert slots["confirmation"] is None


def test_a_yes_to_the_systems_question_is_asked_again():
    slots, said = validate(form_tracker("yes", "affirm", "ticket_systems"))
    assert slots["ticket_systems"] is None
    assert said == ["utter_systems_needed"]


def test_a_systems_correction_in_the_summary_replaces_the_systems():
    entities = [system_entity("Shopify"), system_entity("Dinero"), system_entity("e-conomic")]
    tracker = form_tracker("only Shopify and Dinero, not e-conomic", "correct_field",
                           "confirmation", {"ticket_systems": ["Shopify", "e-conomic"]}, entities)
    slots, said = validate(tracker)
    assert slots["ticket_systems"] == ["Shopify", "Dinero"]
    assert slots["confirmation"] is None
    assert said == []


@pytest.mark.parametrize(("text", "entities", "field"), [
    ("change the email", [{"entity": "ticket_field", "value": "email"}], "email"),
    ("not e-conomic, dinero", [system_entity("e-conomic"), system_entity("Dinero")], "systems"),
    ("use jens@firma.com instead", [], "email"),
    ("wrong order number, it's 10045", [], "examples"),
    ("that's wrong", [], None),
])
def test_the_field_to_change_is_named_or_inferred_from_the_values(text, entities, field):
    assert field_to_change(text, entities) == field


def test_a_named_field_wins_over_the_values_in_the_message():
    entities = [{"entity": "ticket_field", "value": "description"}, system_entity("Shopify")]
    assert field_to_change("the description, it's about Shopify", entities) == "description"


def run_action(action, tracker):
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages


def test_a_known_email_is_offered_back():
    tracker = form_tracker("human please", "request_human", "contact_email",
                           {"email": "anna@webshop.dk"})
    message = run_action(ActionAskContactEmail(), tracker)[0]
    assert message["response"] == "utter_offer_known_email"
    assert message["known_email"] == "anna@webshop.dk"
    # The button ("Yes, use {known_email}") is in both variations of the response in domain.yml.
    variations = DOMAIN["responses"]["utter_offer_known_email"]
    assert [variation["buttons"][0]["payload"] for variation in variations] == ["/affirm"] * 2
    assert all("{known_email}" in variation["buttons"][0]["title"] for variation in variations)


@pytest.mark.parametrize("category, response", [
    ("order_transfer", "utter_ask_examples_orders"),
    ("products", "utter_ask_examples_products"),
    ("payments", "utter_ask_examples_orders"),
    ("error_notifications", "utter_ask_examples_other"),
    (None, "utter_ask_examples_other"),
])
def test_the_example_question_fits_the_problem(category, response):
    tracker = form_tracker("x", "inform", "examples", {"problem_category": category})
    assert run_action(ActionAskExamples(), tracker)[0]["response"] == response


def test_the_summary_shows_every_field_and_notes_urgency():
    slots = {
        "contact_email": "anna@webshop.dk", "ticket_systems": ["Shopify", "e-conomic"],
        "description": "order never arrived", "order_ids": ["10023"], "examples": "given",
        "log_checked": False,
    }
    tracker = form_tracker("URGENT please", "inform", "confirmation", slots)
    message = run_action(ActionAskConfirmation(), tracker)[0]
    assert message["custom"]["type"] == "ticket_summary"
    values = [field["value"] for field in message["custom"]["fields"]]
    assert values[:3] == ["anna@webshop.dk", "Shopify, e-conomic", "order never arrived"]
    assert "10023" in values[3]
    assert len(values) == 6  # the five fields and the note that it is urgent
    assert message["response"] == "utter_case_summary"
    assert all(value in message["case_fields"] for value in values)
    # Rasa fills slot templates in buttons; the payloads' JSON braces are doubled for it.
    buttons = interpolate(DOMAIN["responses"]["utter_case_summary"][0]["buttons"], {})
    payloads = [button["payload"] for button in buttons]
    assert payloads[0] == "/affirm" and payloads[-1] == "/cancel"
    assert '/correct_field{"ticket_field": "systems"}' in payloads


def test_the_summary_of_a_calm_customer_has_no_urgency_note():
    tracker = form_tracker("looks right", "inform", "confirmation", {"contact_email": "a@b.dk"})
    message = run_action(ActionAskConfirmation(), tracker)[0]
    assert len(message["custom"]["fields"]) == 5
