"""A conversation stored with a card number in it: its ticket and every inbox page leave it out.

Conversations stored before the chat channel redacted messages (or typed in ``rasa shell``) still
hold what the customer pasted; the transcript reader and the ticket builder redact them again.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.ticket import build_ticket
from bot.inbox.conversations import TrackerReader
from tests.bot.inbox_support import (
    Conversation,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    save_conversations,
    store_tickets,
)

CARD = "4571 0000 0000 0001"
PASTED = (f"I was charged twice on my card {CARD} cvc 737 for order 10023, "
          "password: Hunter2!")
SECRETS = ("4571", "0000 0001", "737", "Hunter2")


def conversation() -> Conversation:
    return (
        Conversation("2026-11-20T09:00:00Z")
        .customer(PASTED, "report_problem")
        .bot("Sorry to hear that. Did that solve it?")
        .customer("here is it again 4571000000000001", "nlu_fallback")
        .bot("Sorry, I didn't get that.")
        .slot("ticket_reference", "IEX-20261120-CARD")
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("redaction"))
    stored = conversation()
    save_conversations(settings.tracker_db, {"web-card": stored})
    ticket = build_ticket(
        {"email": "kunde@webshop.dk", "description": PASTED, "category": "payments"},
        "web-card",
        [event.as_dict() for event in stored.events],
        datetime(2026, 11, 20, 9, 1, tzinfo=timezone.utc),
    )
    store_tickets(settings, {**ticket, "id": "IEX-20261120-CARD"})
    create_staff(settings)
    return settings


@pytest.fixture(scope="module")
def client(settings):
    return logged_in(inbox_app(settings))


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_tracker_store_still_holds_the_card_number(settings):
    # The premise: what the customer pasted is in the store, so the pages below really redact.
    assert CARD.encode() in settings.tracker_db.read_bytes()


def test_the_ticket_transcript_and_description_leave_the_card_out(client):
    page = client.get("/inbox/tickets/IEX-20261120-CARD")
    download = client.get("/inbox/tickets/IEX-20261120-CARD/ticket.json")

    assert page.status == 200 and download.status == 200
    assert "[card number removed]" in page.text and "[security code removed]" in page.text
    assert "[password removed]" in page.text and "order 10023" in page.text
    assert_no_secrets(page.text)
    assert_no_secrets(download.text)


def test_the_conversation_page_and_the_analytics_leave_the_card_out(client, settings):
    conversation_id = TrackerReader(settings.tracker_db).conversations()[0].id
    month = "from=2026-11-01&to=2026-11-30"
    pages = {
        "conversation": client.get(f"/inbox/conversations/{conversation_id}"),
        "list": client.get("/inbox/conversations?days=3650"),
        "analytics": client.get(f"/inbox/analytics?{month}"),
        "not understood": client.get(f"/inbox/export/not-understood.yml?{month}"),
        "export": client.get("/inbox/export/tickets.json"),
    }

    for name, page in pages.items():
        assert page.status == 200, name
        assert_no_secrets(page.text)
    assert "[card number removed]" in pages["conversation"].text
    assert "here is it again [card number removed]" in pages["analytics"].text
