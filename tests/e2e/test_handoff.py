"""End-to-end: article suggestions and the ticket hand-off, over REST, into the ticket API."""
from __future__ import annotations

import time

import pytest

from bot.supervisor import wait_until_ready
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


def reference_in(messages: list[dict]) -> str:
    return next(m["custom"]["reference"] for m in messages if "custom" in m
                and m["custom"].get("type") == "ticket_reference")


def write_up_order_case(assistant, customer: str) -> list[dict]:
    """Report an order problem, decline self-help, give e-mail, systems and two orders, confirm."""
    assistant.say("an order was not transferred to our accounting system", customer)
    assert "e-mail" in assistant.texts("/deny", customer)
    assert "systems" in assistant.texts("anna@webshop.dk", customer)
    assert "order numbers" in assistant.texts("Shopify and e-conomic", customer)
    assert "log" in assistant.texts("orders 10023 and #10024", customer)
    summary = assistant.texts("/deny", customer)
    for expected in ("anna@webshop.dk", "Shopify, e-conomic", "orders 10023, 10024", "not checked"):
        assert expected in summary
    return assistant.say("/affirm", customer)


def test_a_problem_gets_the_right_article_and_still_needing_help_starts_the_handoff(assistant):
    customer = new_customer()
    answer = assistant.texts(
        "order 10023 is skipped in the log, it says not in allowed states", customer
    )
    assert SKIPPED_URL in answer
    assert "Did that solve it?" in answer
    another = assistant.say("/request_another_article", customer)
    assert SKIPPED_URL not in " ".join(message.get("text", "") for message in another)
    handoff = assistant.texts("/deny", customer)
    assert "write your case up" in handoff
    assert "e-mail" in handoff


def test_a_confirmed_case_reaches_the_ticket_api_with_its_fields_and_transcript(assistant):
    customer = new_customer()
    closing = write_up_order_case(assistant, customer)
    reference = reference_in(closing)
    text = " ".join(message.get("text", "") for message in closing)
    assert reference in text and "business days" in text and "billable" in text

    ticket = wait_for_ticket(assistant, reference)
    assert ticket["conversation_id"] == customer
    assert ticket["customer"]["email"] == "anna@webshop.dk"
    assert ticket["systems"] == ["Shopify", "e-conomic"]
    assert ticket["examples"]["order_ids"] == ["10023", "10024"]
    assert ticket["category"] == "order_transfer"
    assert ticket["self_help"]["log_checked"] is False
    said = [line["text"] for line in ticket["transcript"] if line["sender"] == "customer"]
    assert said[:3] == ["an order was not transferred to our accounting system",
                        "No, I still need help", "anna@webshop.dk"]
    assert any(line["sender"] == "bot" for line in ticket["transcript"])


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
    assistant.texts("I want to open a support ticket", customer)
    answer = assistant.texts("can I call you instead?", customer)
    assert "billable" in answer
    assert "e-mail" in answer  # the form asks its question again
    assert "dropped" in assistant.texts("cancel", customer)
