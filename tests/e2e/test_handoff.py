"""End-to-end: article suggestions and the ticket hand-off, over REST, into the ticket API."""
from __future__ import annotations

import time

import pytest

from actions.outbox import DELIVERED, FAILED
from bot.supervisor import wait_until_ready
from evaluation.moves import last_turn
from mail.outbox import MailOutbox
from mail.sink import received_messages
from support_core.language import detect
from tests.conftest import new_customer

pytestmark = pytest.mark.e2e

SKIPPED_URL = "https://support.iex.dk/en/articles/81904-log-status-skipped-order-not-in-allowed-states"


def wait_for_ticket(assistant, reference: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ticket in assistant.tickets():
            if ticket["id"] == reference:
                return ticket
        time.sleep(0.5)
    raise AssertionError(f"ticket {reference} never reached the ticket API")


def wait_for_mail(assistant, reference: str, timeout: float = 60) -> list:
    """The messages about the ticket that the development mail sink received, counted once the
    mail outbox says every e-mail about it is delivered (so a copy sent again is counted too)."""
    outbox = MailOutbox(assistant.settings.mail_outbox_db)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = outbox.items(reference=reference)
        if items and all(item.status == DELIVERED for item in items):
            return [message for message in received_messages(assistant.settings.mail_sink_dir)
                    if reference in message.subject]
        if any(item.status == FAILED for item in items):
            raise AssertionError(f"an e-mail about {reference} failed: {items}")
        time.sleep(0.5)
    raise AssertionError(f"the e-mails about {reference} were not all sent: {items}")


def reference_in(messages: list[dict]) -> str:
    return next(m["custom"]["reference"] for m in messages if "custom" in m
                and m["custom"].get("type") == "ticket_reference")


def write_up_order_case(assistant, customer: str) -> list[dict]:
    """Report an order problem, decline self-help, give e-mail, systems and two orders, confirm."""
    assistant.say("an order was not transferred to our accounting system", customer)
    assert "ask:contact_email" in assistant.did("/deny", customer).moves
    assert "ask:ticket_systems" in assistant.did("anna@webshop.dk", customer).moves
    assert "ask:examples" in assistant.did("Shopify and e-conomic", customer).moves
    assert "ask:log_checked" in assistant.did("orders 10023 and #10024", customer).moves
    assert "ask:confirmation" in assistant.did("/deny", customer).moves
    [summary] = [(event.get("data") or {}).get("custom", {}).get("fields")
                 for event in last_turn(assistant.tracker(customer)["events"])
                 if ((event.get("data") or {}).get("custom") or {}).get("type") == "ticket_summary"]
    values = {field["label"]: field["value"] for field in summary}
    assert "anna@webshop.dk" in values.values()
    assert any("10023" in value and "10024" in value for value in values.values())
    return assistant.say("/affirm", customer)


def test_a_problem_gets_the_right_article_and_still_needing_help_starts_the_handoff(assistant):
    customer = new_customer()
    reply = assistant.did("order 10023 is skipped in the log, it says not in allowed states",
                          customer)
    assert reply.article_urls[0] == SKIPPED_URL
    assert reply.responses[-1] == "utter_ask_if_solved"
    another = assistant.did("/request_another_article", customer)
    assert "another_article" in another.moves and SKIPPED_URL not in another.article_urls
    handoff = assistant.did("/deny", customer)
    assert "handoff" in handoff.moves and "ask:contact_email" in handoff.moves


def test_a_confirmed_case_reaches_the_ticket_api_with_its_fields_and_transcript(assistant):
    customer = new_customer()
    closing = write_up_order_case(assistant, customer)
    reference = reference_in(closing)
    assert reference.startswith("IEX-")

    ticket = wait_for_ticket(assistant, reference)
    assert ticket["conversation_id"] == assistant.conversation_id(customer)
    assert ticket["customer"]["email"] == "anna@webshop.dk"
    assert ticket["systems"] == ["Shopify", "e-conomic"]
    assert ticket["examples"]["order_ids"] == ["10023", "10024"]
    assert ticket["category"] == "order_transfer"
    assert ticket["self_help"]["log_checked"] is False
    said = [line["text"] for line in ticket["transcript"] if line["sender"] == "customer"]
    assert said[:3] == ["an order was not transferred to our accounting system",
                        "No, I still need help", "anna@webshop.dk"]
    assert any(line["sender"] == "bot" for line in ticket["transcript"])

    [confirmation] = wait_for_mail(assistant, reference)
    assert confirmation.to == "anna@webshop.dk"
    assert f"your reference is {reference}" in confirmation.body
    [queued] = MailOutbox(assistant.settings.mail_outbox_db).items(reference=reference)
    assert queued.kind == "confirmation"


def test_a_case_written_while_the_ticket_api_is_down_arrives_once_it_is_back(assistant):
    web = assistant.service("web")
    web.stop()
    try:
        customer = new_customer()
        reference = reference_in(write_up_order_case(assistant, customer))
        assert reference.startswith("IEX-")
    finally:
        web.start(log_file=assistant.settings.state_dir / "web-restarted.log")
        wait_until_ready([web])
    ticket = wait_for_ticket(assistant, reference)
    assert ticket["customer"]["email"] == "anna@webshop.dk"
    assert [t["id"] for t in assistant.tickets()].count(reference) == 1


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_form_goes_on(assistant):
    customer = new_customer()
    assistant.did("I want to open a support ticket", customer)
    reply = assistant.did("can I call you instead?", customer)
    assert "policy:phone_support" in reply.moves
    assert reply.actions[-2:] == ["ticket_form", "action_listen"]  # the form asks again
    assert "utter_offer_handoff" not in reply.responses
    assert "ticket_cancelled" in assistant.did("cancel", customer).moves


def test_asking_for_danish_in_the_middle_of_the_form_asks_its_question_again_in_danish(assistant):
    customer = new_customer()
    assistant.did("I want to open a support ticket", customer)
    reply = assistant.did("can we do this in danish please?", customer)

    assert reply.responses[0] == "utter_language_switched"
    assert reply.actions[-2:] == ["ticket_form", "action_listen"]  # the form asks again
    slots = assistant.tracker(customer)["slots"]
    assert slots["language"] == "da"
    assert slots["requested_slot"] == "contact_email" and slots["contact_email"] is None
    texts = [event["text"] for event in last_turn(assistant.tracker(customer)["events"])
             if event.get("event") == "bot"]
    assert detect(texts[-1]) == "da"
