"""End-to-end: a card number pasted into the chat never reaches the ticket, whatever Rasa kept."""
from __future__ import annotations

import json

import pytest

from support_core.language import detect
from tests.conftest import new_customer
from tests.e2e.test_handoff import reference_in, wait_for_ticket

pytestmark = pytest.mark.e2e


def test_a_card_number_given_with_the_order_numbers_is_neither_an_example_nor_in_the_ticket(
    assistant,
):
    customer = new_customer()
    assistant.say("an order was not transferred to our accounting system", customer)
    assert "ask:contact_email" in assistant.did("/deny", customer).moves
    assert "ask:ticket_systems" in assistant.did("anna@webshop.dk", customer).moves
    assert "ask:examples" in assistant.did("Shopify and e-conomic", customer).moves
    examples = "orders 10023 and #10024, paid with card 4571 0000 0000 0001 cvc 737"
    assert "ask:log_checked" in assistant.did(examples, customer).moves
    assert "ask:confirmation" in assistant.did("/deny", customer).moves

    ticket = wait_for_ticket(assistant, reference_in(assistant.say("/affirm", customer)))

    assert ticket["examples"]["order_ids"] == ["10023", "10024"]
    stored = json.dumps(_what_the_customer_and_the_case_gave(ticket))
    assert "4571" not in stored and "0001" not in stored and "737" not in stored
    said = [line["text"] for line in ticket["transcript"] if line["sender"] == "customer"]
    assert ("orders 10023 and #10024, paid with card [card number removed]"
            " cvc [security code removed]") in said


def _what_the_customer_and_the_case_gave(ticket: dict) -> dict:
    # Generated values (the reference, ids, times) are random hex and digits that can hold
    # "0001" or "737" by chance; the card number could only come from what was said.
    generated = {"id", "conversation_id", "created_at", "idempotency_key"}
    kept = {key: value for key, value in ticket.items() if key not in generated}
    kept["transcript"] = [
        {key: value for key, value in line.items() if key != "timestamp"}
        for line in ticket["transcript"]
    ]
    return kept


def test_the_removal_notice_in_a_danish_conversation_is_danish(assistant):
    customer = new_customer()
    assistant.say("min ordre er ikke blevet overført til e-conomic", customer)

    notice = assistant.say("kort: 4111 1111 1111 1111", customer)[0]["text"]

    assert "kortnummeret" in notice and detect(notice) == "da"
