"""Customer e-mails in the inbox: an agent's reply from the ticket page (queued in the mail
outbox, kept in the ticket's history, shown with its delivery state) and the mail sink's page."""

from __future__ import annotations

import mailbox
import re
from email.message import EmailMessage

import pytest

from actions.helpdesk.base import DeliveryResult, Outcome
from bot.supervisor import free_port
from bot.ticket_store import TicketStore
from mail.outbox import MailOutbox
from mail.sink import start_sink
from mail.smtp import SmtpSender
from tests.bot.inbox_support import (
    USERNAME,
    StaffClient,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    numbered_ticket,
    store_tickets,
)

REFERENCE = "IEX-20261127-0001"
TICKET_PAGE = f"/inbox/tickets/{REFERENCE}"
_REPLY_KEY = re.compile(r'name="reply_key" value="([0-9a-f]{32})"')


@pytest.fixture
def settings(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    store_tickets(settings, numbered_ticket(1, "2026-11-20T10:00:00Z", language="da"))
    return settings


@pytest.fixture
def client(settings) -> StaffClient:
    return logged_in(inbox_app(settings))


def reply_form(client: StaffClient, text: str) -> dict:
    page = client.get(TICKET_PAGE).text
    return {
        "text": text,
        "reply_key": _REPLY_KEY.search(page).group(1),
        "csrf_token": client.csrf_token(TICKET_PAGE),
    }


def test_a_reply_is_queued_kept_in_the_history_and_shown_with_its_state(settings, client):
    reply = client.post(f"{TICKET_PAGE}/reply", reply_form(client, "Vi har rettet momskoden."))

    assert (reply.status, reply.headers["location"]) == (303, f"{TICKET_PAGE}?saved=reply")
    outbox = MailOutbox(settings.mail_outbox_db)
    [mail] = outbox.items()
    assert (mail.kind, mail.reference, mail.recipient) == ("reply", REFERENCE, "kunde@webshop.dk")
    assert mail.subject == f"Din sag {REFERENCE}: svar fra IEX Support"
    assert "Vi har rettet momskoden." in mail.message.get_content()
    [kept] = TicketStore(settings.ticket_db).replies(REFERENCE)
    assert (kept["author"], kept["text"], kept["mail_key"]) == (
        USERNAME,
        "Vi har rettet momskoden.",
        mail.idempotency_key,
    )
    shown = client.get(reply.headers["location"]).text
    mails = shown[shown.index('id="customer-mails"') : shown.index('id="reply-form"')]
    assert "Reply by " + USERNAME in mails and "Vi har rettet momskoden." in mails
    assert "waiting to be sent" in mails

    outbox.deliver_due(lambda message: DeliveryResult(Outcome.RETRYABLE, error="421 busy"))
    assert "tried 1×: 421 busy" in client.get(TICKET_PAGE).text
    assert "421 busy" in client.get("/inbox/mail").text

    outbox.deliver_due(lambda message: DeliveryResult(Outcome.DELIVERED), now=2e9)
    assert 'class="mail-state delivered">sent' in client.get(TICKET_PAGE).text


def test_a_reply_stands_in_the_tickets_history_between_the_changes_around_it(settings, client):
    def change_status(status: str) -> None:
        form = {"status": status, "csrf_token": client.csrf_token(TICKET_PAGE)}
        client.post(f"{TICKET_PAGE}/status", form)

    change_status("in_progress")
    client.post(f"{TICKET_PAGE}/reply", reply_form(client, "Vi kigger på det."))
    change_status("closed")

    page = client.get(TICKET_PAGE).text
    history = page[page.index('id="status-history"') :]
    history = history[: history.index("</ol>")]
    lines = [" ".join(re.sub(r"<[^>]+>", " ", line).split())
             for line in re.findall(r"<li>(.*?)</li>", history, re.S)]
    assert [re.split(r" \d\d \w{3} \d{4}", line)[0] for line in lines] == [
        "Handed off", "In progress", "Reply e-mailed (waiting to be sent)", "Closed",
    ]
    assert lines[2].endswith(f"by {USERNAME}")


def test_a_reply_form_sent_twice_sends_one_email(settings, client):
    form = reply_form(client, "Svar.")
    client.post(f"{TICKET_PAGE}/reply", form)
    client.post(f"{TICKET_PAGE}/reply", form)

    assert len(MailOutbox(settings.mail_outbox_db).items()) == 1
    assert len(TicketStore(settings.ticket_db).replies(REFERENCE)) == 1


def test_a_reply_without_the_forms_token_is_refused(settings, client):
    form = {**reply_form(client, "Svar."), "csrf_token": "forged"}
    assert client.post(f"{TICKET_PAGE}/reply", form).status == 403
    assert MailOutbox(settings.mail_outbox_db).items() == []


@pytest.mark.parametrize("text", ["  ", "x" * 10001])
def test_an_empty_or_overlong_reply_is_refused_and_nothing_sent(settings, client, text):
    reply = client.post(f"{TICKET_PAGE}/reply", reply_form(client, text))
    assert reply.status == 422
    assert "A reply needs some text" in reply.text
    assert MailOutbox(settings.mail_outbox_db).items() == []


def test_a_reply_to_an_unknown_ticket_is_not_found(settings, client):
    form = reply_form(client, "Svar.")
    assert client.post("/inbox/tickets/IEX-20261127-NOPE/reply", form).status == 404
    assert MailOutbox(settings.mail_outbox_db).items() == []


def test_the_mail_page_shows_what_the_sink_received(settings, client):
    message = EmailMessage()
    message["From"] = "IEX Support <support@iex.dk>"
    message["To"] = "kunde@webshop.dk"
    message["Subject"] = f"Vi har modtaget din sag {REFERENCE}"
    message["Date"] = "Fri, 27 Nov 2026 10:01:00 +0000"
    message.set_content("Hej Mette Hansen\n\nDin sag <b>er</b> modtaget.\n")
    mailbox.Maildir(settings.mail_sink_dir).add(message)

    page = client.get("/inbox/mail")

    assert page.status == 200
    assert '<a href="/inbox/mail" aria-current="page">Mail</a>' in page.text
    received = page.text[page.text.index('id="sink-messages"') :]
    assert "kunde@webshop.dk" in received
    assert f"Vi har modtaget din sag {REFERENCE}" in received
    assert "27 Nov 2026 11:01" in received  # Copenhagen time
    assert "Din sag &lt;b&gt;er&lt;/b&gt; modtaget." in received


def test_an_email_refused_for_good_is_shown_and_can_be_sent_again(settings, client):
    client.post(f"{TICKET_PAGE}/reply", reply_form(client, "Svar."))
    outbox = MailOutbox(settings.mail_outbox_db)
    outbox.deliver_due(lambda message: DeliveryResult(Outcome.PERMANENT, error="550 no mailbox"))
    page = client.get("/inbox/mail").text
    assert "550 no mailbox" in page and "not sent" in page

    reply = client.post("/inbox/mail/retry", {"csrf_token": client.csrf_token("/inbox/mail")})

    assert reply.headers["location"] == "/inbox/mail?retried=1"
    assert outbox.counts()["pending"] == 1


def test_the_mail_page_needs_a_login(settings):
    reply = StaffClient(inbox_app(settings)).get("/inbox/mail")
    assert reply.status == 303
    assert reply.headers["location"].startswith("/inbox/login")


def test_a_reply_reaches_the_real_mail_sink_and_its_page(tmp_path):
    settings = inbox_settings(tmp_path, smtp_port=free_port())
    create_staff(settings)
    store_tickets(settings, numbered_ticket(1, "2026-11-20T10:00:00Z", language="da"))
    client = logged_in(inbox_app(settings))
    client.post(f"{TICKET_PAGE}/reply", reply_form(client, "Ordren er sendt igen."))

    sink = start_sink(settings.smtp_host, settings.smtp_port, settings.mail_sink_dir)
    try:
        [sent] = MailOutbox(settings.mail_outbox_db).deliver_due(SmtpSender(settings))
    finally:
        sink.stop()

    assert sent.delivered
    received = client.get("/inbox/mail").text
    received = received[received.index('id="sink-messages"') :]
    assert f"Din sag {REFERENCE}: svar fra IEX Support" in received
    assert "Hej Mette Hansen\n\nOrdren er sendt igen.\n\nDin reference er" in received
    assert 'class="mail-state delivered">sent' in client.get(TICKET_PAGE).text
