import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.handoff import ActionCancelTicket, ActionCreateTicket, ActionStartHandoff
from actions.outbox import Outbox
from tests.conversation_builders import (
    action_event,
    bot_event,
    problem_report,
    response_placeholders,
    responses_of,
    slots_of,
    user_event,
)

CONVERSATION = [
    problem_report("hi, order 10023 never reached e-conomic, it's urgent", "e-conomic",
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
    "problem_category": "order_transfer",
}


def tracker(slots, events=CONVERSATION) -> Tracker:
    return Tracker("customer-7", slots, events[-1]["parse_data"], events, False, None, {},
                   "action_listen")


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    box = Outbox(tmp_path / "outbox.db")
    monkeypatch.setattr(handoff, "outbox", lambda: box)
    return box


def test_the_handoff_starts_with_what_the_conversation_already_said():
    dispatcher = CollectingDispatcher()
    events = ActionStartHandoff().run(dispatcher, tracker({}, CONVERSATION[:3]), {})
    slots = slots_of(events)
    assert dispatcher.messages[0]["response"] == "utter_handoff_intro"
    assert slots["order_ids"] == ["10023"]
    assert slots["ticket_systems"] == ["e-conomic"]
    assert slots["problem_category"] == "order_transfer"
    assert slots["self_help_outcome"] == "unresolved"


def test_the_handoff_after_a_closed_case_starts_empty():
    events = CONVERSATION[:3] + [action_event("action_create_ticket", 1_790_000_011.0),
                                 user_event("I want a person", "request_human",
                                            timestamp=1_790_000_012.0)]
    events = ActionStartHandoff().run(CollectingDispatcher(), tracker({}, events), {})
    slots = slots_of(events)
    assert slots["order_ids"] == [] and slots["ticket_systems"] is None
    assert slots["description"] is None
    assert slots["problem_category"] == "other"


def test_the_handoff_of_a_second_problem_takes_its_category_and_words():
    second = problem_report("now the stock is wrong too", timestamp=1_790_000_040.0)
    events = ActionStartHandoff().run(CollectingDispatcher(),
                                      tracker({}, CONVERSATION + [second]), {})
    slots = slots_of(events)
    assert slots["problem_category"] == "stock"
    assert slots["description"] == "now the stock is wrong too"
    assert slots["order_ids"] == []


def test_a_resolved_conversation_stays_resolved_when_a_handoff_starts():
    events = ActionStartHandoff().run(
        CollectingDispatcher(), tracker({"self_help_outcome": "resolved"}, CONVERSATION[:3]), {})
    assert "self_help_outcome" not in slots_of(events)


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
    assert responses_of(dispatcher.messages) == [
        "utter_ticket_created", "utter_ticket_urgent_noted", "utter_ticket_next_steps"]
    message = dispatcher.messages[0]
    assert response_placeholders("utter_ticket_created") <= set(message)
    assert message["reference"] == item.reference
    assert message["custom"] == {"type": "ticket_reference", "reference": item.reference,
                                 "due": message["due"]}
    slots = slots_of(events)
    assert slots["ticket_reference"] == item.reference
    assert slots["contact_email"] is None  # ready for another case


def test_replaying_the_action_creates_one_ticket_with_the_same_reference(outbox):
    first, second = CollectingDispatcher(), CollectingDispatcher()
    ActionCreateTicket().run(first, tracker(CONFIRMED_CASE), {})
    ActionCreateTicket().run(second, tracker(CONFIRMED_CASE), {})
    assert len(outbox.items()) == 1
    assert first.messages[0]["custom"] == second.messages[0]["custom"]


def test_a_new_ticket_queues_one_confirmation_with_the_day_the_chat_promised(
    outbox, mail_outbox
):
    first, second = CollectingDispatcher(), CollectingDispatcher()
    ActionCreateTicket().run(first, tracker({**CONFIRMED_CASE, "language": "da"}), {})
    ActionCreateTicket().run(second, tracker({**CONFIRMED_CASE, "language": "da"}), {})
    [ticket] = outbox.items()
    [mail] = mail_outbox.items()
    assert (mail.kind, mail.reference, mail.recipient) == (
        "confirmation", ticket.reference, "anna@webshop.dk")
    body = mail.message.get_content()
    assert f"din reference er {ticket.reference}" in body
    assert f"senest {first.messages[0]['due']}." in body
    assert "Systemer: Shopify, e-conomic\n" in body


def test_a_form_that_gave_up_sends_nothing_and_says_where_to_write(outbox, mail_outbox):
    dispatcher = CollectingDispatcher()
    ActionCreateTicket().run(dispatcher, tracker({"handoff_gave_up": True}), {})
    assert outbox.items() == []
    assert mail_outbox.items() == []
    assert dispatcher.messages[0]["response"] == "utter_handoff_gave_up"


def test_cancel_drops_the_case(outbox):
    dispatcher = CollectingDispatcher()
    events = ActionCancelTicket().run(dispatcher, tracker(CONFIRMED_CASE), {})
    assert outbox.items() == []
    assert dispatcher.messages[0]["response"] == "utter_ticket_cancelled"
    assert slots_of(events)["description"] is None


def test_a_calm_customer_hears_no_urgency_note(outbox):
    calm = [problem_report("order 10023 never reached e-conomic", "e-conomic",
                           timestamp=1_790_000_000.0)] + CONVERSATION[1:]
    dispatcher = CollectingDispatcher()
    ActionCreateTicket().run(dispatcher, tracker(CONFIRMED_CASE, calm), {})
    assert responses_of(dispatcher.messages) == ["utter_ticket_created", "utter_ticket_next_steps"]
    assert outbox.items()[0].ticket["urgent_requested"] is False


def test_the_ticket_takes_the_category_of_the_case(outbox):
    ActionCreateTicket().run(CollectingDispatcher(),
                             tracker(dict(CONFIRMED_CASE, problem_category="vat")), {})
    assert outbox.items()[0].ticket["category"] == "vat"


def test_an_urgent_case_already_sent_does_not_make_the_next_case_urgent(outbox):
    # CONVERSATION's report says "it's urgent"; its case was sent, then a second problem came.
    events = CONVERSATION + [
        action_event("action_create_ticket", 1_790_000_031.0),
        problem_report("also the stock in Shopify is wrong", "Shopify", timestamp=1_790_000_040.0),
        user_event("/affirm", "affirm", timestamp=1_790_000_050.0),
    ]
    dispatcher = CollectingDispatcher()
    ActionCreateTicket().run(dispatcher, tracker(CONFIRMED_CASE, events), {})
    assert "utter_ticket_urgent_noted" not in responses_of(dispatcher.messages)
    assert outbox.items()[0].ticket["urgent_requested"] is False
