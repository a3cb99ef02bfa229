"""The inbox as a queue: order received, due dates, assignees, customers' tickets, duplicates,
human labels, and old ticket databases."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from actions.articles import KnowledgeBase, knowledge_base_for
from actions.response_time import answer_due
from bot.inbox.labels import ArticleTitles, category_label
from bot.inbox.queue import DUE_TODAY, OVERDUE, due_date, due_state
from bot.ticket_store import TicketFilter, TicketStore, likely_duplicate_of
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

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
#: The support team's "now" in these tests: Wednesday 2 December 2026, 10:00 in Copenhagen.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=COPENHAGEN)
COLLEAGUE = "lars@iex.dk"
ORDER_STATES_URL = "https://support.iex.dk/en/articles/8000000-order-states"


def references(page: str) -> list[str]:
    return re.findall(r'<a href="/inbox/tickets/(IEX-[0-9A-Z-]+)">', page)


# --- due dates (plain functions, Danish holidays from actions/business_days) ---------------------


def test_a_ticket_is_due_on_the_day_the_customer_was_told():
    # Wednesday 1 April 2026: Maundy Thursday, Good Friday, the weekend and Easter Monday are
    # skipped, so three business days end on Thursday 9 April.
    ticket = numbered_ticket(1, "2026-04-01T09:00:00Z")

    assert due_date(ticket) == date(2026, 4, 9) == answer_due(date(2026, 4, 1))


def test_the_due_date_counts_from_the_hand_off_day_in_utc_as_the_customer_was_told():
    # 00:30 on 1 April in Copenhagen is still 31 March in UTC, the day actions/handoff.py uses.
    assert due_date(numbered_ticket(1, "2026-03-31T22:30:00Z")) == answer_due(date(2026, 3, 31))


@pytest.mark.parametrize(
    ("today", "status", "state"),
    [
        (date(2026, 12, 4), "new", DUE_TODAY),
        (date(2026, 12, 7), "in_progress", OVERDUE),
        (date(2026, 12, 3), "new", None),
        (date(2026, 12, 7), "closed", None),
    ],
)
def test_open_tickets_are_due_today_or_overdue(today, status, state):
    assert due_state(date(2026, 12, 4), today, status) == state


# --- duplicates (plain function) --------------------------------------------------------------


def test_the_same_description_from_the_same_address_shortly_after_is_a_likely_duplicate():
    first = numbered_ticket(1, "2026-12-01T09:00:00Z", description="Order 1001 is missing.")
    again = numbered_ticket(2, "2026-12-01T09:00:40Z", description="order 1001  is missing. ")
    later = numbered_ticket(3, "2026-12-01T11:00:00Z", description="Order 1001 is missing.")
    other = numbered_ticket(4, "2026-12-01T09:01:00Z", description="Stock is wrong.")
    everything = [first, again, later, other]
    window = timedelta(minutes=10)

    assert likely_duplicate_of(again, everything, window) == "IEX-20261127-0001"
    assert likely_duplicate_of(first, everything, window) is None
    assert likely_duplicate_of(later, everything, window) is None  # two hours later: a new case
    assert likely_duplicate_of(other, everything, window) is None


# --- labels ----------------------------------------------------------------------------------


def test_categories_read_as_the_catalogue_names_them():
    assert category_label("order_transfer") == "Order not transferred"
    assert category_label("vat") == "VAT does not match"
    assert category_label("retired_category") == "retired_category"  # nothing hidden


def test_articles_are_named_by_their_title(tmp_path):
    (tmp_path / "order-states.md").write_text(
        "---\nslug: order-states\ntitle: Which order states are transferred\n"
        f"url: {ORDER_STATES_URL}\nsystems: [shopify]\ntags: [orders]\n---\n"
        "Only orders in the allowed states are transferred.\n",
        encoding="utf-8",
    )
    titles = ArticleTitles(tmp_path)

    known, gone = titles.references([ORDER_STATES_URL, "https://support.iex.dk/en/gone"])

    assert known.title == "Which order states are transferred"
    assert gone.title is None and gone.url == "https://support.iex.dk/en/gone"


def test_article_titles_share_the_help_pages_knowledge_base(tmp_path, monkeypatch):
    loaded = []
    original_init = KnowledgeBase.__init__
    monkeypatch.setattr(
        KnowledgeBase,
        "__init__",
        lambda self, *args, **kwargs: loaded.append(args) or original_init(self, *args, **kwargs),
    )
    knowledge_base_for(tmp_path)  # as the help pages and the feedback load it

    ArticleTitles(tmp_path).reference(ORDER_STATES_URL)

    assert len(loaded) == 1


# --- the store: assignment, history, customers, migration ----------------------------------------


def test_assignments_and_duplicate_links_are_kept_in_the_history(store_location):
    store = TicketStore(store_location)
    store.add(numbered_ticket(1, "2026-12-01T09:00:00Z"))
    store.add(numbered_ticket(2, "2026-12-01T09:00:30Z"))

    store.assign("IEX-20261127-0002", USERNAME, changed_by=USERNAME)
    store.assign("IEX-20261127-0002", USERNAME, changed_by=COLLEAGUE)  # no change
    store.set_status("IEX-20261127-0002", "in_progress", changed_by=USERNAME)
    store.mark_duplicate("IEX-20261127-0002", "IEX-20261127-0001", changed_by=COLLEAGUE)
    store.assign("IEX-20261127-0002", None, changed_by=COLLEAGUE)

    assert [
        (c["field"], c["value"], c["changed_by"]) for c in store.history("IEX-20261127-0002")
    ] == [
        ("assignee", USERNAME, USERNAME),
        ("status", "in_progress", USERNAME),
        ("duplicate_of", "IEX-20261127-0001", COLLEAGUE),
        ("assignee", None, COLLEAGUE),
    ]
    entry = store.entry("IEX-20261127-0002")
    assert (entry.assignee, entry.duplicate_of) == (None, "IEX-20261127-0001")
    assert store.assign("IEX-20261127-NOPE", USERNAME) is None
    with pytest.raises(ValueError):
        store.mark_duplicate("IEX-20261127-0002", "IEX-20261127-0002")
    with pytest.raises(ValueError):
        store.mark_duplicate("IEX-20261127-0002", "IEX-20261127-NOPE")


def test_duplicate_links_never_go_round_in_a_circle(store_location):
    store = TicketStore(store_location)
    for number in (1, 2, 3):
        store.add(numbered_ticket(number, f"2026-12-01T09:00:0{number}Z"))
    store.mark_duplicate("IEX-20261127-0002", "IEX-20261127-0001")
    store.mark_duplicate("IEX-20261127-0003", "IEX-20261127-0002")

    for ticket, original in (
        ("IEX-20261127-0001", "IEX-20261127-0002"),
        ("IEX-20261127-0001", "IEX-20261127-0003"),
    ):
        with pytest.raises(ValueError, match="is itself a duplicate of"):
            store.mark_duplicate(ticket, original)
    assert store.entry("IEX-20261127-0001").duplicate_of is None
    store.mark_duplicate("IEX-20261127-0003", "IEX-20261127-0001")  # no circle: allowed


def test_the_queue_filters_by_assignee_and_customer(store_location):
    store = TicketStore(store_location)
    store.add(numbered_ticket(1, "2026-12-01T09:00:00Z"))
    store.add(
        numbered_ticket(2, "2026-12-01T08:00:00Z", customer={"email": "Ole@Shop.dk", "name": "Ole"})
    )
    store.add(numbered_ticket(3, "2026-12-01T07:00:00Z", status="closed"))
    store.assign("IEX-20261127-0001", USERNAME)

    def found(**narrowing) -> list[str]:
        return [entry.id[-1] for entry in store.entries(TicketFilter(**narrowing))]

    assert found() == ["2", "1", "3"]  # open tickets oldest first, closed ones after them
    assert found(status="open") == ["2", "1"]
    assert found(assignee=USERNAME) == ["1"]
    assert found(unassigned=True) == ["2", "3"]
    assert found(email="ole@shop.DK") == ["2"]
    assert {
        email: [t["id"][-1] for t in tickets]
        for email, tickets in store.of_customers({"OLE@shop.dk", "kunde@webshop.dk"}).items()
    } == {"kunde@webshop.dk": ["3", "1"], "ole@shop.dk": ["2"]}


#: The tickets table and history of a tickets.db written before assignees and duplicate links.
OLD_SCHEMA = """
CREATE TABLE tickets (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
    status TEXT NOT NULL, email TEXT NOT NULL, category TEXT NOT NULL, ticket TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE ticket_status_changes (
    id INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL, status TEXT NOT NULL, changed_by TEXT,
    changed_at TEXT NOT NULL
);
"""


def test_an_old_tickets_database_is_migrated_once_and_keeps_working(tmp_path):
    path = tmp_path / "tickets.db"
    old = numbered_ticket(1, "2026-11-20T10:00:00Z", status="in_progress")
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                old["id"],
                old["idempotency_key"],
                "2026-11-20T10:00:00.000000Z",
                old["status"],
                old["customer"]["email"],
                old["category"],
                json.dumps(old),
                "2026-11-20T10:00:01.000000Z",
            ),
        )
        db.execute(
            "INSERT INTO ticket_status_changes (ticket_id, status, changed_by, changed_at)"
            " VALUES (?, 'in_progress', ?, '2026-11-20T11:00:00.000000Z')",
            (old["id"], COLLEAGUE),
        )
    db.close()

    TicketStore(path)
    store = TicketStore(path)  # a second start migrates nothing more

    entry = store.entry(old["id"])
    assert (entry.ticket, entry.assignee, entry.duplicate_of) == (old, None, None)
    assert store.assign(old["id"], USERNAME).assignee == USERNAME
    assert [change["field"] for change in store.history(old["id"])] == ["status", "assignee"]
    assert store.search(TicketFilter(text="arrived")) == [old]  # indexed on the first start


# --- the pages, with the clock fixed at NOW ------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("queue"))
    create_staff(settings)
    create_staff(settings, COLLEAGUE)
    same = "Order 1001 never arrived in e-conomic."
    store_tickets(
        settings,
        numbered_ticket(1, "2026-11-20T09:00:00Z"),  # due 25 Nov: overdue
        numbered_ticket(2, "2026-11-27T10:00:00Z", category="vat"),  # due 2 Dec: today
        numbered_ticket(3, "2026-12-01T10:00:00Z"),  # due 4 Dec
        numbered_ticket(4, "2026-11-19T09:00:00Z", status="closed"),
        # Nine identical tickets from one address within a minute, after the tickets above.
        *[
            numbered_ticket(
                10 + n,
                f"2026-12-01T12:00:{n * 5:02d}Z",
                description=same,
                customer={"email": "ole@shop.dk", "name": "Ole"},
            )
            for n in range(9)
        ],
    )
    return settings


@pytest.fixture(scope="module")
def app(settings):
    return inbox_app(settings, clock=NOW.timestamp)


@pytest.fixture(scope="module")
def client(app):
    return logged_in(app)


def test_the_queue_lists_open_tickets_as_received_with_what_is_due(client):
    page = client.get("/inbox/tickets").text

    assert references(page)[:3] == ["IEX-20261127-0001", "IEX-20261127-0002", "IEX-20261127-0003"]
    assert "IEX-20261127-0004" not in references(page)  # closed: not in the queue
    rows = page.split("<tr")
    overdue = next(row for row in rows if "IEX-20261127-0001</a>" in row)
    today = next(row for row in rows if "IEX-20261127-0002</a>" in row)
    later = next(row for row in rows if "IEX-20261127-0003</a>" in row)
    assert "Overdue" in overdue and 'datetime="2026-11-25"' in overdue
    assert "Due today" in today and "VAT does not match" in today
    assert 'datetime="2026-12-04"' in later and "Overdue" not in later and "Due today" not in later


def test_the_ticket_page_shows_the_promised_date(client):
    page = client.get("/inbox/tickets/IEX-20261127-0003").text

    assert "due Friday 4 December 2026" in page
    assert "Order not transferred" in page


def test_tickets_from_one_address_are_grouped_and_repeats_flagged(client):
    page = client.get("/inbox/tickets").text
    rows = [row for row in page.split("<tr") if "ole@shop.dk" in row]

    assert len(rows) == 9 and all("9 tickets" in row for row in rows)
    assert "likely duplicate" not in rows[0]
    assert all("likely duplicate of IEX-20261127-0010" in row for row in rows[1:])
    grouped = client.get("/inbox/tickets?status=&customer=ole%40shop.dk")
    assert len(references(grouped.text)) == 9


def test_a_ticket_is_marked_a_duplicate_and_shows_the_customers_other_tickets(settings, client):
    page = client.get("/inbox/tickets/IEX-20261127-0011").text
    history = page[page.index('id="customer-history"') :]
    assert "Likely a duplicate of" in history
    others = history[history.index('id="other-tickets"') :]
    assert len(re.findall(r"IEX-20261127-00(?:1[02-8])</a>", others)) == 8

    reply = client.post(
        "/inbox/tickets/IEX-20261127-0011/duplicate",
        {
            "original": "IEX-20261127-0010",
            "csrf_token": client.csrf_token(),
        },
    )
    marked = client.get(reply.headers["location"]).text
    refused = client.post(
        "/inbox/tickets/IEX-20261127-0011/duplicate",
        {
            "original": "IEX-20261127-NOPE",
            "csrf_token": client.csrf_token(),
        },
    )

    assert reply.status == 303
    assert "Marked as a duplicate of IEX-20261127-0010." in marked
    assert re.search(r"Marked as a duplicate of <a [^>]+>IEX-20261127-0010</a>", marked)
    assert refused.status == 422 and "there is no ticket IEX-20261127-NOPE" in refused.text
    assert TicketStore(settings.ticket_location).entry("IEX-20261127-0011").duplicate_of == (
        "IEX-20261127-0010"
    )


def test_the_ticket_page_says_why_a_circle_of_duplicates_is_refused(settings, client):
    marked = client.post(
        "/inbox/tickets/IEX-20261127-0016/duplicate",
        {"original": "IEX-20261127-0017", "csrf_token": client.csrf_token()},
    )
    refused = client.post(
        "/inbox/tickets/IEX-20261127-0017/duplicate",
        {"original": "IEX-20261127-0016", "csrf_token": client.csrf_token()},
    )

    assert marked.status == 303
    assert refused.status == 422
    assert "IEX-20261127-0016 is itself a duplicate of IEX-20261127-0017" in refused.text
    assert TicketStore(settings.ticket_location).entry("IEX-20261127-0017").duplicate_of is None


def test_tickets_are_assigned_and_the_list_filters_by_assignee(settings, client):
    mine = client.post(
        "/inbox/tickets/IEX-20261127-0003/assignee",
        {
            "assignee": USERNAME,
            "csrf_token": client.csrf_token(),
        },
    )
    theirs = client.post(
        "/inbox/tickets/IEX-20261127-0002/assignee",
        {
            "assignee": COLLEAGUE,
            "csrf_token": client.csrf_token(),
        },
    )
    stranger = client.post(
        "/inbox/tickets/IEX-20261127-0001/assignee",
        {
            "assignee": "someone@else.dk",
            "csrf_token": client.csrf_token(),
        },
    )

    assert mine.status == theirs.status == 303 and stranger.status == 422
    page = client.get(mine.headers["location"]).text
    assert f"Assigned to {USERNAME}." in page
    assert re.search(rf"Assigned to <span class=\"email\">{re.escape(USERNAME)}</span>", page)
    assert references(client.get("/inbox/tickets?status=open&assignee=me").text) == [
        "IEX-20261127-0003"
    ]
    unassigned = references(client.get("/inbox/tickets?status=open&assignee=unassigned").text)
    assert "IEX-20261127-0001" in unassigned and "IEX-20261127-0002" not in unassigned
    assert TicketStore(settings.ticket_location).entry("IEX-20261127-0001").assignee is None


def test_the_transcript_is_in_the_page_and_the_json_behind_a_details_element(client):
    page = client.get("/inbox/tickets/IEX-20261127-0001").text

    assert re.search(r'<details class="raw">\s*<summary>Ticket as JSON</summary>', page)
    assert "Ctrl+A" not in page and '<textarea id="ticket-json"' not in page
    stylesheet = client.get("/inbox/inbox.css").text
    transcript_rule = re.search(r"ol\.transcript \{[^}]*\}", stylesheet).group(0)
    assert "max-height" not in transcript_rule and "overflow" not in transcript_rule


def test_the_login_page_gives_no_developer_hints(app):
    page = StaffClient(app).get("/inbox/login").text

    assert "make user" not in page and "Ctrl" not in page and "<code>" not in page
