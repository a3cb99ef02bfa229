"""Every conversation of the tracker store in the inbox, with its outcome and transcript."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from bot.config import Settings
from bot.inbox.conversations import (
    ABANDONED,
    ANSWERED,
    NOT_UNDERSTOOD,
    ONGOING,
    RESOLVED,
    TICKET,
    TrackerReader,
    conversation_from_events,
    outcome_of,
    session_expiry_seconds,
    split_sessions,
)
from tests.bot.inbox_support import (
    Conversation,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    moment,
    numbered_ticket,
    save_conversations,
    store_tickets,
)
from tests.conversation_builders import bot_event, problem_report, user_event

ARTICLE = "https://support.iex.dk/en/articles/a-order-states"


def seeded() -> dict[str, Conversation]:
    return {
        "web-resolved": Conversation("2026-11-16T09:00:00Z")
        .customer("hi", "greet").bot("Hi! What went wrong?")
        .customer("Shopify orders don't reach e-conomic", "report_problem")
        .articles(ARTICLE)
        .bot("Did that solve it?", buttons=[{"title": "Yes, it did", "payload": "/affirm"},
                                            {"title": "No", "payload": "/deny"}])
        .customer("/affirm", "affirm").slot("self_help_outcome", "resolved"),
        "web-ticket": Conversation("2026-11-17T10:00:00Z")
        .customer("VAT differs in Dinero", "report_problem")
        .customer("kunde@webshop.dk", "inform").slot("ticket_reference", "IEX-20261127-0001"),
        "web-abandoned": Conversation("2026-11-18T10:00:00Z")
        .customer("stock is not updated", "report_problem"),
        "web-lost": Conversation("2026-11-19T10:00:00Z")
        .customer("blorf wibble", "nlu_fallback").bot("Sorry, I didn't get that."),
        "web-question": Conversation("2026-11-20T10:00:00Z")
        .customer("how fast do you answer?", "ask_response_time").bot("1-3 business days."),
    }


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("conversations"))
    save_conversations(settings.tracker_db, seeded())
    create_staff(settings)
    store_tickets(settings, numbered_ticket(
        1, "2026-11-17T10:01:00Z", conversation_id="web-ticket",
    ))
    return settings


@pytest.fixture(scope="module")
def reader(settings) -> TrackerReader:
    return TrackerReader(settings.tracker_db)


@pytest.fixture(scope="module")
def client(settings):
    return logged_in(inbox_app(settings))


def by_sender(reader: TrackerReader) -> dict:
    return {conversation.sender_id: conversation for conversation in reader.conversations()}


# --- reading the tracker store (plain functions and the reader) --------------------------------


@pytest.mark.parametrize(
    ("ticket", "resolved", "last_intent", "problem", "outcome"),
    [
        (True, True, "affirm", True, TICKET),
        (False, True, "nlu_fallback", True, RESOLVED),
        (False, False, "nlu_fallback", True, NOT_UNDERSTOOD),
        (False, False, "deny", True, ABANDONED),
        (False, False, "thank", False, ANSWERED),
    ],
)
def test_outcome_of_a_conversation(ticket, resolved, last_intent, problem, outcome):
    assert outcome_of(ticket, resolved, last_intent, problem) == outcome


def test_every_conversation_has_its_outcome_newest_first(reader):
    conversations = reader.conversations()

    assert [(c.sender_id, c.outcome) for c in conversations] == [
        ("web-question", ANSWERED), ("web-lost", NOT_UNDERSTOOD),
        ("web-abandoned", ABANDONED), ("web-ticket", TICKET), ("web-resolved", RESOLVED),
    ]


def test_conversation_keeps_its_transcript_articles_and_ticket(reader):
    conversations = by_sender(reader)
    resolved, ticket = conversations["web-resolved"], conversations["web-ticket"]

    assert [(m.sender, m.text) for m in resolved.messages][-3:] == [
        ("bot", f"These help articles should cover it:\n{ARTICLE}"),
        ("bot", "Did that solve it?\n[Yes, it did] [No]"),
        ("customer", "Yes, it did"),  # the button clicked, not its payload
    ]
    assert resolved.messages[0].intent == "greet"
    assert resolved.articles_shown == resolved.articles_helped == [ARTICLE]
    assert resolved.headline == "Shopify orders don't reach e-conomic"
    assert ticket.ticket_reference == "IEX-20261127-0001"
    assert ticket.articles_shown == []


def test_a_returning_customer_starts_a_new_conversation_without_the_old_outcome(tmp_path):
    save_conversations(tmp_path / "tracker.db", {
        "web-back": Conversation("2026-11-10T09:00:00Z")
        .customer("orders missing", "report_problem").articles(ARTICLE)
        .customer("yes", "affirm").slot("self_help_outcome", "resolved")
        .slot("ticket_reference", "IEX-20261110-OLD1")
        .new_session("2026-11-21T12:00:00Z")
        .customer("now the VAT is wrong", "report_problem")
        .articles("https://support.iex.dk/en/articles/b-vat-codes"),
    })

    newer, older = TrackerReader(tmp_path / "tracker.db").conversations()

    assert (older.outcome, older.ticket_reference) == (TICKET, "IEX-20261110-OLD1")
    assert (newer.outcome, newer.ticket_reference) == (ABANDONED, None)
    assert newer.articles_shown == ["https://support.iex.dk/en/articles/b-vat-codes"]
    assert [m.text for m in newer.customer_messages] == ["now the VAT is wrong"]


def test_sessions_are_cut_where_rasa_started_a_new_one():
    events = [
        (1, {"event": "action", "name": "action_session_start"}),
        (2, {"event": "session_started"}),
        (3, {"event": "user", "text": "hi"}),
        (4, {"event": "action", "name": "action_session_start"}),
        (5, {"event": "session_started"}),
        (6, {"event": "user", "text": "again"}),
        (7, {"event": "session_started"}),  # without the action, as older Rasa versions wrote
    ]

    assert [[row for row, _ in session] for session in split_sessions(events)] == [
        [1, 2, 3], [4, 5, 6], [7],
    ]


def test_a_session_where_the_customer_never_wrote_is_no_conversation():
    events = [(1, {"event": "action", "name": "action_session_start", "timestamp": 1.0}),
              (2, {"event": "session_started", "timestamp": 1.0}),
              (3, {"event": "bot", "text": "Hi!", "timestamp": 2.0})]

    assert conversation_from_events("web-silent", events) is None


def session_of(*events: dict) -> list[tuple[int, dict]]:
    start = [{"event": "action", "name": "action_session_start", "timestamp": 1.0},
             {"event": "session_started", "timestamp": 1.0}]
    return list(enumerate(start + list(events), start=1))


def test_a_conversation_that_only_said_it_is_urgent_was_answered_not_abandoned():
    conversation = conversation_from_events("web-urgent", session_of(
        user_event("this is urgent", "flag_urgent", timestamp=2.0),
        bot_event("Cases are answered in the order they arrive.", timestamp=3.0,
                  response="utter_urgent_policy"),
    ))

    assert conversation.outcome == ANSWERED
    assert not conversation.has_problem
    assert conversation.headline == "this is urgent"


def test_a_problem_report_left_without_an_outcome_is_abandoned():
    conversation = conversation_from_events("web-gone", session_of(
        problem_report("stock is not updated", timestamp=2.0),
        user_event("this is urgent", "flag_urgent", timestamp=3.0),
    ))

    assert conversation.outcome == ABANDONED
    assert conversation.has_problem
    assert conversation.headline == "stock is not updated"


def test_events_with_unreadable_data_are_skipped(tmp_path):
    save_conversations(tmp_path / "tracker.db", {
        "web-1": Conversation("2026-11-16T09:00:00Z").customer("hi", "greet"),
    })
    import sqlite3

    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute("INSERT INTO events (sender_id, type_name, data) VALUES ('web-1', 'bot', '{')")

    assert [c.sender_id for c in TrackerReader(tmp_path / "tracker.db").conversations()] == [
        "web-1"
    ]


def test_conversations_are_read_by_period_from_either_database(store_location):
    save_conversations(store_location, {  # a SQLite file, then PostgreSQL, as Rasa writes them
        "web-early": Conversation("2026-11-16T09:00:00Z")
        .customer("orders missing", "report_problem"),
        "web-late": Conversation("2026-11-20T09:00:00Z")
        .customer("now the VAT is wrong", "report_problem"),
    })
    reader = TrackerReader(store_location)
    nineteenth = datetime(2026, 11, 19, tzinfo=timezone.utc)

    assert [c.sender_id for c in reader.conversations()] == ["web-late", "web-early"]
    assert [c.sender_id for c in reader.conversations(started_from=nineteenth)] == ["web-late"]
    assert [c.sender_id for c in reader.conversations(started_before=nineteenth)] == [
        "web-early"
    ]
    latest = reader.conversations()[0]
    assert reader.conversation(latest.id).customer_messages == latest.customer_messages


def test_no_tracker_store_yet_means_no_conversations(tmp_path):
    reader = TrackerReader(tmp_path / "missing.db")

    assert reader.conversations() == []
    assert reader.conversation(1) is None
    assert reader.conversation_of_ticket("web-1", "IEX-20261127-0001") is None
    assert not (tmp_path / "missing.db").exists()


def test_a_conversation_is_found_by_the_id_of_its_first_event(reader):
    resolved = by_sender(reader)["web-resolved"]

    assert reader.conversation(resolved.id).sender_id == "web-resolved"
    assert reader.conversation(resolved.id + 1) is None  # not the first event of a session
    assert reader.conversation(10**9) is None


def test_the_conversation_of_a_ticket_is_the_one_that_set_its_reference(reader):
    found = reader.conversation_of_ticket("web-ticket", "IEX-20261127-0001")

    assert found.sender_id == "web-ticket"
    assert reader.conversation_of_ticket("web-lost", "IEX-20261127-0009").sender_id == "web-lost"
    assert reader.conversation_of_ticket("web-unknown", "IEX-20261127-0001") is None


# --- the pages ---------------------------------------------------------------------------------


def conversation_links(page: str) -> list[str]:
    return re.findall(r'<a href="/inbox/conversations/(\d+)">', page)


def test_list_shows_every_conversation_with_its_outcome(client, reader):
    page = client.get("/inbox/conversations").text

    assert len(conversation_links(page)) == 5
    for label in ("Resolved by self-help", "Ticket", "Abandoned", "Not understood",
                  "Answered, no problem"):
        assert f'">{label}</span>' in page
    assert 'href="/inbox/tickets/IEX-20261127-0001"' in page
    assert "Shopify orders don&#39;t reach e-conomic" in page  # the problem, not the greeting


@pytest.mark.parametrize(
    ("query", "senders"),
    [
        ("outcome=resolved", ["web-resolved"]),
        ("outcome=not_understood", ["web-lost"]),
        ("from=2026-11-18&to=2026-11-19", ["web-lost", "web-abandoned"]),
        ("outcome=ticket&from=2026-11-18", []),
        ("outcome=&from=", ["web-question", "web-lost", "web-abandoned", "web-ticket",
                           "web-resolved"]),
    ],
)
def test_list_filters_by_outcome_and_days(client, reader, query, senders):
    ids = {str(c.id): c.sender_id for c in reader.conversations()}

    page = client.get(f"/inbox/conversations?{query}").text

    assert [ids[found] for found in conversation_links(page)] == senders


def test_opening_a_conversation_shows_its_transcript(client, reader):
    resolved = by_sender(reader)["web-resolved"]

    page = client.get(f"/inbox/conversations/{resolved.id}").text

    assert 'id="outcome">Resolved by self-help<' in page
    assert "Shopify orders don&#39;t reach e-conomic" in page
    assert "Did that solve it?\n[Yes, it did] [No]" in page
    assert '<time datetime="2026-11-16T10:00:04+01:00">10:00:04</time>' in page
    assert "report_problem" in page
    assert f'href="{ARTICLE}"' in page and "helped</span>" in page


def test_a_message_not_understood_stands_out(client, reader):
    lost = by_sender(reader)["web-lost"]

    page = client.get(f"/inbox/conversations/{lost.id}").text

    assert 'class="message customer not-understood"' in page
    assert "not understood" in page


def test_conversation_and_ticket_link_to_each_other(client, reader):
    conversation = by_sender(reader)["web-ticket"]

    conversation_page = client.get(f"/inbox/conversations/{conversation.id}").text
    ticket_page = client.get("/inbox/tickets/IEX-20261127-0001").text

    assert 'href="/inbox/tickets/IEX-20261127-0001"' in conversation_page
    assert f'href="/inbox/conversations/{conversation.id}"' in ticket_page


def test_unknown_conversation_is_not_found(client):
    assert client.get("/inbox/conversations/999999").status == 404


def test_list_without_a_tracker_store_says_there_are_none_yet(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)

    page = logged_in(inbox_app(settings)).get("/inbox/conversations")

    assert page.status == 200 and "No conversations yet." in page.text


def test_a_problem_report_is_abandoned_only_once_the_session_has_expired():
    events = session_of(problem_report("stock is not updated", timestamp=1000.0))
    minutes = 60.0

    going = conversation_from_events("web-going", events, open_after=1000.0 - minutes)
    expired = conversation_from_events("web-gone", events, open_after=1000.0 + minutes)

    assert going.outcome == ONGOING and going.has_problem
    assert expired.outcome == ABANDONED


def test_the_reader_takes_the_session_length_and_the_time_it_is_told(tmp_path):
    save_conversations(tmp_path / "tracker.db", {
        "web-1": Conversation("2026-12-02T09:00:00Z").customer("stock is wrong", "report_problem"),
    })
    last_event = moment("2026-12-02T09:00:04Z")

    def outcome(seconds_later: float) -> str:
        reader = TrackerReader(tmp_path / "tracker.db", session_seconds=7200,
                               clock=lambda: last_event + seconds_later)
        return reader.conversations()[0].outcome

    assert outcome(5 * 60) == ONGOING
    assert outcome(7200 + 1) == ABANDONED


def test_the_session_length_is_read_from_the_domain(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text("session_config:\n  session_expiration_time: 30\n", encoding="utf-8")
    never = tmp_path / "never.yml"
    never.write_text("session_config:\n  session_expiration_time: 0\n", encoding="utf-8")

    assert session_expiry_seconds(domain) == 30 * 60
    assert session_expiry_seconds(never) == float("inf")
    assert 0 < session_expiry_seconds(Settings().domain_file) < float("inf")
