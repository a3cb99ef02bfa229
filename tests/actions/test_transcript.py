"""The conversation transcript built from tracker events."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from actions.ticket import build_ticket
from actions.transcript import iso_utc, transcript_from_events
from tests.conversation_builders import bot_event, user_event

T0 = 1_795_773_600.0  # 2026-11-27T10:00:00Z


def test_customer_and_bot_messages_are_listed_in_order_with_utc_times():
    events = [
        {"event": "action", "name": "action_listen", "timestamp": T0 - 1},
        user_event("Order 10023 is missing", "report_problem", timestamp=T0),
        bot_event("Sorry to hear that.", timestamp=T0 + 1.75),
        {"event": "slot", "name": "order_ids", "value": ["10023"], "timestamp": T0 + 2},
    ]

    assert transcript_from_events(events) == [
        {
            "sender": "customer",
            "text": "Order 10023 is missing",
            "timestamp": "2026-11-27T10:00:00Z",
        },
        {"sender": "bot", "text": "Sorry to hear that.", "timestamp": "2026-11-27T10:00:01Z"},
    ]


def test_events_without_text_are_skipped():
    events = [
        user_event("", "greet", timestamp=T0),
        {"event": "user", "text": None, "timestamp": T0 + 1},
        {"event": "bot", "text": None, "data": {}, "timestamp": T0 + 2},
        {"event": "bot", "text": "   ", "timestamp": T0 + 3},
    ]

    assert transcript_from_events(events) == []


def test_button_only_bot_message_shows_the_button_titles():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    events = [{"event": "bot", "text": None, "data": {"buttons": buttons}, "timestamp": T0}]

    assert transcript_from_events(events)[0]["text"] == "[Yes] [No]"


def test_bot_text_with_buttons_keeps_both():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]

    [line] = transcript_from_events([bot_event("Did it help?", timestamp=T0, buttons=buttons)])

    assert line["text"] == "Did it help?\n[Yes] [No]"


def test_button_click_shows_the_title_instead_of_the_payload():
    buttons = [{"title": "Create a ticket", "payload": "/request_human"}]
    events = [
        bot_event("Anything else?", timestamp=T0, buttons=buttons),
        user_event("/request_human", "request_human", timestamp=T0 + 5),
        user_event("/request_human", "request_human", timestamp=T0 + 9),
    ]

    lines = transcript_from_events(events)

    assert [line["text"] for line in lines] == [
        "Anything else?\n[Create a ticket]",
        "Create a ticket",
        "Create a ticket",
    ]


def test_images_and_quick_replies_are_mentioned():
    events = [
        {
            "event": "bot",
            "text": "Here is where to look:",
            "data": {"image": "https://help.iex.dk/log.png", "quick_replies": [{"title": "OK"}]},
            "timestamp": T0,
        }
    ]

    assert transcript_from_events(events)[0]["text"] == (
        "Here is where to look:\n[OK]\n[image: https://help.iex.dk/log.png]"
    )


def test_missing_timestamp_borrows_the_previous_one():
    events = [
        user_event("first", "greet", timestamp=T0),
        {"event": "bot", "text": "second"},
    ]

    assert [line["timestamp"] for line in transcript_from_events(events)] == [
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00Z",
    ]


def test_iso_utc_drops_fractions():
    assert iso_utc(T0 + 0.999) == "2026-11-27T10:00:00Z"


def test_a_ticket_from_a_conversation_with_a_card_number_holds_neither_it_nor_its_code():
    # Events and slots stored before the chat channel redacted what customers type.
    card, code = "4242 4242 4242 4242", "cvc 737"
    events = [
        user_event(f"I was charged twice on {card} {code} for order 10023", "report_problem",
                   timestamp=T0),
        bot_event("Sorry to hear that.", timestamp=T0 + 1),
        user_event("password: Hunter2!", "inform", timestamp=T0 + 2),
    ]
    case = {
        "email": "kunde@webshop.dk",
        "description": f"Charged twice on {card} {code}",
        "order_ids": ["10023", "4242424242424242"],
        "other_examples": [f"card {card}"],
        "log_status": "password: Hunter2!",
        "category": "payments",
    }

    ticket = build_ticket(case, "web-card", events, datetime(2026, 11, 27, tzinfo=timezone.utc))

    stored = json.dumps(ticket)
    assert "4242" not in stored and "737" not in stored and "Hunter2" not in stored
    assert ticket["description"] == (
        "Charged twice on [card number removed] cvc [security code removed]"
    )
    assert ticket["transcript"][0]["text"] == (
        "I was charged twice on [card number removed] cvc [security code removed] for order 10023"
    )
    assert "10023" in ticket["examples"]["order_ids"]
