"""Customer e-mails through the real development mail sink (aiosmtpd on a free port): what the
customer would receive, and a server that is down delaying a message but not losing it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from actions.outbox import DELIVERED, PENDING
from actions.response_time import response_time_values
from actions.summary import summary_fields
from bot.config import Settings
from bot.supervisor import free_port
from mail.messages import agent_reply, confirmation
from mail.outbox import MailOutbox
from mail.sink import received_messages, start_sink
from mail.smtp import SmtpSender
from tests.actions.helpdesk.fakes import example_ticket

SENDER = "IEX Support <support@iex.dk>"
TICKET = example_ticket(
    id="IEX-20261201-7QX2",
    idempotency_key="iex-customer-9-3",
    language="da",
    customer={"email": "anna@webshop.dk", "name": "Anna"},
)
SLOTS = {
    "contact_email": "anna@webshop.dk",
    "ticket_systems": ["Shopify"],
    "description": "ordre 10023 mangler",
    "order_ids": ["10023"],
}


def settings_for(port: int) -> Settings:
    return replace(Settings(), smtp_port=port, smtp_timeout_seconds=5)


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    """The real mail sink on a free port, storing into a Maildir of its own."""
    maildir = tmp_path_factory.mktemp("sink") / "mail"
    port = free_port()
    controller = start_sink("127.0.0.1", port, maildir)
    yield port, maildir
    controller.stop()


def test_a_confirmation_and_a_reply_arrive_as_the_customer_reads_them(sink, tmp_path):
    port, maildir = sink
    outbox = MailOutbox(tmp_path / "mail_outbox.db")
    outbox.enqueue(
        confirmation(
            TICKET,
            response_time_values(date(2026, 12, 1), "da"),
            summary_fields(SLOTS, [], "da"),
            SENDER,
        )
    )
    outbox.enqueue(agent_reply(TICKET, "Vi har rettet mappingen.", "cd" * 16, SENDER))

    results = outbox.deliver_due(SmtpSender(settings_for(port)))

    assert [result.delivered for result in results] == [True, True]
    assert outbox.counts()[DELIVERED] == 2
    received = {message.subject: message for message in received_messages(maildir)}
    confirmed = received["Vi har modtaget din sag IEX-20261201-7QX2"]
    reply = received["Din sag IEX-20261201-7QX2: svar fra IEX Support"]
    assert (confirmed.to, confirmed.sender) == ("anna@webshop.dk", SENDER)
    assert len(received) == 2
    assert confirmed.body == (
        "Hej Anna\n\n"
        "Tak for din henvendelse. Din sag ligger nu hos supportteamet, og din reference er"
        " IEX-20261201-7QX2.\n\n"
        "De svarer på mail i den rækkefølge, sagerne kommer ind, inden for 1-3 hverdage, altså"
        " senest fredag den 4. december 2026.\n\n"
        "Din sag, sådan som du bekræftede den:\n"
        "E-mail: anna@webshop.dk\n"
        "Systemer: Shopify\n"
        "Beskrivelse: ordre 10023 mangler\n"
        "Eksempler: ordrer 10023\n"
        "Dashboard-log: ikke oplyst\n\n"
        "Skriver du til os igen om sagen, så nævn gerne IEX-20261201-7QX2.\n\n"
        "Venlig hilsen\nIEX Support\n"
    )
    assert reply.to == "anna@webshop.dk"
    assert reply.body == (
        "Hej Anna\n\nVi har rettet mappingen.\n\nDin reference er IEX-20261201-7QX2.\n\n"
        "Venlig hilsen\nIEX Support\n"
    )


def test_a_message_waits_for_a_server_that_is_down_and_arrives_once_when_it_is_up(tmp_path):
    port = free_port()
    maildir = tmp_path / "mail"
    clock = [1_800_000_000.0]
    outbox = MailOutbox(tmp_path / "mail_outbox.db", clock=lambda: clock[0], retry_base=5)
    outbox.enqueue(agent_reply(TICKET, "Hej igen.", "ef" * 16, SENDER))
    send = SmtpSender(settings_for(port))

    [refused] = outbox.deliver_due(send)
    assert refused.retryable and "ConnectionRefusedError" in refused.error
    assert outbox.items()[0].status == PENDING

    controller = start_sink("127.0.0.1", port, maildir)
    try:
        clock[0] += 5
        outbox.deliver_due(send)
        clock[0] += 1000
        outbox.deliver_due(send)
    finally:
        controller.stop()
    assert outbox.items()[0].status == DELIVERED
    [arrived] = received_messages(maildir)
    assert arrived.subject == "Din sag IEX-20261201-7QX2: svar fra IEX Support"


def test_an_empty_or_missing_sink_lists_nothing(tmp_path):
    assert received_messages(tmp_path / "never-started") == []
