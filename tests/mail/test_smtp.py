"""SMTP sending against real SMTP servers (aiosmtpd on free ports) that refuse a recipient, a
message, or us: only a refusal of the message itself fails it, and a message the server took is
delivered once, whatever QUIT answers."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from actions.helpdesk.base import Outcome
from actions.outbox import DELIVERED, FAILED, PENDING
from bot.config import Settings
from bot.supervisor import free_port
from mail.outbox import CONFIRMATION, CustomerMail, MailOutbox
from mail.smtp import SmtpSender

REFUSED_RECIPIENT = "gone@webshop.dk"


class Recipient:
    """A handler that keeps what it receives and refuses what the test messages ask it to."""

    def __init__(self):
        self.received: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED_RECIPIENT:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"X-Test: refuse-content" in envelope.content:
            return "554 5.6.0 Message refused"
        if b"X-Test: refuse-quit" in envelope.content:
            session.refuse_quit = True
        self.received.append(envelope.content)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        return (
            "554 5.0.0 Not saying goodbye" if getattr(session, "refuse_quit", False) else "221 Bye"
        )


class RefusingGreeting(SMTP):
    """A server that refuses every client at connect."""

    async def _handle_client(self):
        await self.push("554 5.3.2 No service here")
        self.transport.close()


class RefusingHello(SMTP):
    """A server that refuses EHLO and HELO (e.g. our host name is not allowed)."""

    async def smtp_EHLO(self, hostname):
        await self.push("554 5.7.1 Not you")

    async def smtp_HELO(self, hostname):
        await self.push("554 5.7.1 Not you")


def controller_of(server_class: type[SMTP], handler) -> Controller:
    class ServerController(Controller):
        def factory(self):
            return server_class(self.handler, **self.SMTP_kwargs)

    return ServerController(handler, hostname="127.0.0.1", port=free_port())


@pytest.fixture(scope="module")
def servers():
    """A well-behaved server (refusing per message), one refusing at connect, one at EHLO."""
    recipient = Recipient()
    controllers = {
        "server": controller_of(SMTP, recipient),
        "greeting": controller_of(RefusingGreeting, Recipient()),
        "hello": controller_of(RefusingHello, Recipient()),
    }
    for controller in controllers.values():
        controller.start()
    yield recipient, {name: controller.port for name, controller in controllers.items()}
    for controller in controllers.values():
        controller.stop()


def settings_for(port: int, **changes) -> Settings:
    return replace(Settings(), smtp_port=port, smtp_timeout_seconds=5, **changes)


def message(number: int, to: str = "anna@webshop.dk", test: str = "") -> CustomerMail:
    composed = EmailMessage()
    composed["From"] = "IEX Support <support@iex.dk>"
    composed["To"] = to
    composed["Subject"] = f"Din sag IEX-20261202-000{number}"
    if test:
        composed["X-Test"] = test
    composed.set_content("Hej Anna\n")
    return CustomerMail(
        f"confirmation:{number}", f"IEX-20261202-000{number}", CONFIRMATION, composed
    )


def outbox_with(tmp_path, *mails: CustomerMail) -> MailOutbox:
    outbox = MailOutbox(tmp_path / "mail_outbox.db")
    for mail in mails:
        outbox.enqueue(mail)
    return outbox


def statuses(outbox: MailOutbox) -> list[str]:
    return [item.status for item in outbox.items()]


@pytest.mark.parametrize(
    "server, changes, refusal",
    [
        ("greeting", {}, "554"),
        ("hello", {}, "554"),
        # The plain server offers no STARTTLS: a setting for another server must not fail the mail.
        ("server", {"smtp_starttls": True}, "STARTTLS"),
    ],
)
def test_a_server_that_refuses_us_fails_no_message_and_ends_the_round(
    servers, tmp_path, server, changes, refusal
):
    _recipient, ports = servers
    outbox = outbox_with(tmp_path, message(1), message(2), message(3))
    [result] = outbox.deliver_due(SmtpSender(settings_for(ports[server], **changes)))
    assert result.outcome is Outcome.MISCONFIGURED and refusal in result.error
    assert statuses(outbox) == [PENDING, PENDING, PENDING]
    assert outbox.items()[0].next_attempt_at > outbox.items()[1].next_attempt_at  # backoff


def test_a_refused_recipient_or_content_fails_that_message_only(servers, tmp_path):
    recipient, ports = servers
    outbox = outbox_with(
        tmp_path,
        message(1, to=REFUSED_RECIPIENT),
        message(2, test="refuse-content"),
        message(3),
    )
    results = outbox.deliver_due(SmtpSender(settings_for(ports["server"])))
    assert [result.outcome for result in results] == [
        Outcome.PERMANENT,
        Outcome.PERMANENT,
        Outcome.DELIVERED,
    ]
    assert "550" in results[0].error and "554" in results[1].error
    assert statuses(outbox) == [FAILED, FAILED, DELIVERED]


def test_a_message_the_server_took_is_delivered_once_whatever_quit_answers(servers, tmp_path):
    recipient, ports = servers
    outbox = outbox_with(tmp_path, message(4, test="refuse-quit"))
    send = SmtpSender(settings_for(ports["server"]))
    before = len(recipient.received)
    [result] = outbox.deliver_due(send)
    outbox.deliver_due(send, now=outbox.clock() + 3600)
    assert result.delivered
    assert statuses(outbox) == [DELIVERED]
    assert [b"IEX-20261202-0004" in content for content in recipient.received[before:]] == [True]
