"""The customer's e-mails in both languages: the reference, the promised day and the case."""

from __future__ import annotations

from datetime import date

from actions.response_time import response_time_values
from actions.summary import summary_fields
from mail.messages import agent_reply, confirmation
from tests.actions.helpdesk.fakes import example_ticket

SENDER = "IEX Support <support@iex.dk>"
SLOTS = {
    "contact_email": "anna@webshop.dk",
    "ticket_systems": ["Shopify", "e-conomic"],
    "description": "ordre 10023 kom aldrig over i e-conomic",
    "order_ids": ["10023"],
    "log_checked": True,
    "log_status": "Skipped",
}
#: Tuesday 1 December 2026: 3 business days later is Friday 4 December.
MONDAY_AFTER = date(2026, 12, 1)


def ticket(language: str, **changes) -> dict:
    values = {"customer": {"email": "anna@webshop.dk", "name": "Anna"}, **changes}
    return example_ticket(
        id="IEX-20261201-7QX2", idempotency_key="iex-customer-7-3", language=language, **values
    )


def confirmation_in(language: str):
    return confirmation(
        ticket(language),
        response_time_values(MONDAY_AFTER, language),
        summary_fields(SLOTS, [], language),
        SENDER,
    )


def test_the_danish_confirmation_names_the_reference_the_day_and_the_case():
    mail = confirmation_in("da")
    message = mail.message
    body = message.get_content()
    assert message["To"] == "anna@webshop.dk"
    assert message["From"] == SENDER
    assert message["Subject"] == "Vi har modtaget din sag IEX-20261201-7QX2"
    assert message["Content-Language"] == "da"
    assert body.startswith("Hej Anna\n\n")
    assert "din reference er IEX-20261201-7QX2" in body
    assert "inden for 1-3 hverdage, altså senest fredag den 4. december 2026." in body
    assert "Systemer: Shopify, e-conomic\n" in body
    assert "Beskrivelse: ordre 10023 kom aldrig over i e-conomic\n" in body
    assert "Eksempler: ordrer 10023\n" in body
    assert "Dashboard-log: tjekket, status: Skipped\n" in body
    assert body.endswith("Venlig hilsen\nIEX Support\n")
    assert (mail.idempotency_key, mail.reference) == (
        "confirmation:iex-customer-7-3",
        "IEX-20261201-7QX2",
    )


def test_the_english_confirmation_says_the_same_in_english():
    message = confirmation_in("en").message
    body = message.get_content()
    assert message["Subject"] == "We have your case IEX-20261201-7QX2"
    assert body.startswith("Hello Anna,\n\n")
    assert "your reference is IEX-20261201-7QX2" in body
    assert "within 1-3 business days, so by Friday 4 December 2026 at the latest." in body
    assert "Systems: Shopify, e-conomic\n" in body
    assert "Examples: orders 10023\n" in body
    assert body.endswith("Kind regards\nIEX Support\n")


def test_a_reply_carries_the_reference_and_the_greeting_of_the_tickets_language():
    danish = agent_reply(ticket("da"), "  Vi har rettet opsætningen.  ", "ab" * 16, SENDER)
    assert danish.message["Subject"] == "Din sag IEX-20261201-7QX2: svar fra IEX Support"
    assert danish.message.get_content() == (
        "Hej Anna\n\nVi har rettet opsætningen.\n\nDin reference er IEX-20261201-7QX2.\n\n"
        "Venlig hilsen\nIEX Support\n"
    )
    assert danish.idempotency_key == "reply:" + "ab" * 16
    english = agent_reply(ticket("en", customer={"email": "bo@shop.dk"}), "Fixed.", "k", SENDER)
    assert english.message["Subject"] == "Your case IEX-20261201-7QX2: an answer from IEX Support"
    assert english.message.get_content().startswith("Hello,\n\nFixed.\n")
