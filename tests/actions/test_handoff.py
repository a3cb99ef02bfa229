from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.handoff import (
    ActionCancelTicket,
    ActionCreateTicket,
    ActionStartHandoff,
    handoff_confirmation,
)
from actions.outbox import Outbox
from tests.conversation_builders import bot_event, system_entity, user_event

CONVERSATION = [
    user_event("hi, order 10023 never reached e-conomic, it's urgent",
               "report_order_not_transferred", [system_entity("e-conomic")],
               timestamp=1_790_000_000.0),
    bot_event("Did that solve it?", timestamp=1_790_000_001.0),
    user_event("/deny", "deny", timestamp=1_790_000_010.0),
    bot_event("Here is your case as I'll send it", timestamp=1_790_000_020.0),
    user_event("/affirm", "affirm", timestamp=1_790_000_030.0),
]

CONFIRMED_CASE = {
    "contact_email": "anna@webshop.dk",
    "ticket_systems": ["Shopify", "e-conomic"],
    "description": "order 10023 never reached e-conomic",
    "examples": "given",
    "order_ids": ["10023", "10024"],
    "product_ids": [],
    "other_references": [],
    "log_checked": True,
    "log_status": "Skipped - not in allowed states",
    "articles_shown": ["https://support.iex.dk/en/articles/81255-when-is-the-webshop-order-transferred"],
    "confirmation": "confirmed",
}


def tracker(slots, events=CONVERSATION) -> Tracker:
    return Tracker("customer-7", slots, events[-1]["parse_data"], events, False, None, {},
                   "action_listen")


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    box = Outbox(tmp_path / "outbox.db")
    monkeypatch.setattr(handoff, "outbox", lambda: box)
    return box


def slot_values(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def test_the_handoff_starts_with_what_the_conversation_already_said():
    dispatcher = CollectingDispatcher()
    events = ActionStartHandoff().run(dispatcher, tracker({}, CONVERSATION[:3]), {})
    slots = slot_values(events)
    assert dispatcher.messages[0]["response"] == "utter_handoff_intro"
    assert slots["order_ids"] == ["10023"]
    assert slots["ticket_systems"] == ["e-conomic"]
    assert slots["problem_category"] == "order_transfer"
    assert slots["self_help_outcome"] == "unresolved"


def test_a_confirmed_case_is_stored_with_every_field_and_the_reference_is_told(outbox):
    dispatcher = CollectingDispatcher()
    events = ActionCreateTicket().run(dispatcher, tracker(CONFIRMED_CASE), {})
    [item] = outbox.items()
    ticket = item.ticket
    assert ticket["customer"]["email"] == "anna@webshop.dk"
    assert ticket["category"] == "order_transfer"
    assert ticket["examples"]["order_ids"] == ["10023", "10024"]
    assert ticket["self_help"]["log_status"] == "Skipped - not in allowed states"
    assert ticket["self_help"]["articles_shown"] == CONFIRMED_CASE["articles_shown"]
    assert ticket["urgent_requested"] is True
    assert [line["sender"] for line in ticket["transcript"]] == [
        "customer", "bot", "customer", "bot", "customer"]
    message = dispatcher.messages[0]
    assert item.reference in message["text"]
    assert message["custom"]["type"] == "ticket_reference"
    assert message["custom"]["reference"] == item.reference
    assert message["custom"]["due"] in message["text"]
    slots = slot_values(events)
    assert slots["ticket_reference"] == item.reference
    assert slots["contact_email"] is None  # ready for another case


def test_replaying_the_action_creates_one_ticket_with_the_same_reference(outbox):
    first, second = CollectingDispatcher(), CollectingDispatcher()
    ActionCreateTicket().run(first, tracker(CONFIRMED_CASE), {})
    ActionCreateTicket().run(second, tracker(CONFIRMED_CASE), {})
    assert len(outbox.items()) == 1
    assert first.messages[0]["custom"] == second.messages[0]["custom"]


def test_a_form_that_gave_up_sends_nothing_and_says_where_to_write(outbox):
    dispatcher = CollectingDispatcher()
    ActionCreateTicket().run(dispatcher, tracker({"handoff_gave_up": True}), {})
    assert outbox.items() == []
    assert dispatcher.messages[0]["response"] == "utter_handoff_gave_up"


def test_cancel_drops_the_case(outbox):
    dispatcher = CollectingDispatcher()
    events = ActionCancelTicket().run(dispatcher, tracker(CONFIRMED_CASE), {})
    assert outbox.items() == []
    assert dispatcher.messages[0]["response"] == "utter_ticket_cancelled"
    assert slot_values(events)["description"] is None


def test_the_confirmation_names_the_date_second_line_and_phone_billing():
    text = handoff_confirmation("IEX-20261127-ABCD", date(2026, 12, 2), urgent=True)
    assert "IEX-20261127-ABCD" in text
    assert "by Wednesday 2 December 2026 at the latest" in text
    assert "2nd-line" in text and "billable" in text
    assert "urgent" in text
