"""The inbox's tickets: list, filters, search, pages, detail, status changes, notes and exports."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.inbox import filters
from bot.inbox.exports import spreadsheet_safe, ticket_row, tickets_csv
from bot.request_values import MalformedInput
from bot.ticket_store import TicketFilter, TicketStore
from storage.database import Database
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
from tickets import ticket_problems

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def shopify_ticket(number: int, created_at: str, **changes) -> dict:
    return numbered_ticket(number, created_at, **changes)


def vat_ticket(number: int, created_at: str, **changes) -> dict:
    values = {
        "category": "vat",
        "language": "da",
        "systems": ["WooCommerce", "Dinero"],
        "summary": "VAT differs between WooCommerce and Dinero",
        "description": "The VAT on invoice 5531 is 25 % in Dinero but 0 % in the shop.",
        "examples": {"order_ids": ["5531"], "product_ids": ["SKU-RED-42"], "other": []},
        "transcript": [
            {"sender": "customer", "text": "moms er forkert på faktura 5531",
             "timestamp": created_at},
        ],
    }
    return numbered_ticket(number, created_at, **(values | changes))


@pytest.fixture
def settings(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    return settings


@pytest.fixture
def store(store_location) -> TicketStore:
    """A ticket store of its own, in a SQLite file, then in PostgreSQL."""
    return TicketStore(store_location)


@pytest.fixture
def app(settings):
    return inbox_app(settings)


@pytest.fixture
def client(app) -> StaffClient:
    return logged_in(app)


def references(page: str) -> list[str]:
    """Ticket references in the order the list page shows them."""
    return re.findall(r'<a href="/inbox/tickets/(IEX-[0-9A-Z-]+)">', page)


# --- the store: search, filters, history, notes ------------------------------------------------


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("never arrived", ["IEX-20261127-0001"]),          # description
        ("SKU-RED-42", ["IEX-20261127-0002"]),             # product example
        ("1002", ["IEX-20261127-0001"]),                   # start of an order number
        ("faktura", ["IEX-20261127-0002"]),                # transcript
        ("FORKERT moms", ["IEX-20261127-0002"]),           # any case, any order
        ("forkert pa", ["IEX-20261127-0002"]),             # "på" without its accent
        ("PÅ faktura", ["IEX-20261127-0002"]),
        ("Orders", ["IEX-20261127-0001"]),
        ("orders dinero", []),                             # every word must occur
        ('"unbalanced AND OR NEAR(', []),                  # FTS syntax is taken as words
        ("!!!", []),
        # Words inside addresses, decimals and file names, on either database.
        ("butikken", ["IEX-20261127-0002"]),
        ("checkout step2", ["IEX-20261127-0002"]),
        ("50", ["IEX-20261127-0002"]),
        ("error log", ["IEX-20261127-0002"]),
    ],
)
def test_full_text_search_looks_in_description_examples_and_transcript(store, words, found):
    store.add(shopify_ticket(1, "2026-11-20T10:00:00Z"))
    store.add(vat_ticket(2, "2026-11-21T10:00:00Z", description=(
        "The VAT on invoice 5531 is 25 % in Dinero but 0 % in the shop; the fee was 12.50 and"
        " error.log names ole@butikken.dk and https://shop.example.dk/checkout/step2."
    )))

    assert [t["id"] for t in store.search(TicketFilter(text=words))] == found


def test_search_words_are_quoted_for_either_database(tmp_path):
    words = ["order", "10023", "OR", "x"]
    sqlite, postgres = Database(tmp_path / "a.db", "a"), Database("postgresql://host/a", "a")
    assert sqlite.text_query(words) == '"order"* "10023"* "OR"* "x"*'
    assert postgres.text_query(words) == "'order':* & '10023':* & 'OR':* & 'x':*"
    assert sqlite.text_query([]) is None and postgres.text_query([]) is None


def test_filters_combine_status_category_system_and_days(store):
    store.add(shopify_ticket(1, "2026-11-19T23:30:00Z"))  # 00:30 on 20 Nov in Copenhagen
    store.add(vat_ticket(2, "2026-11-21T10:00:00Z"))
    store.add(vat_ticket(3, "2026-11-22T10:00:00Z", status="closed"))

    def found(**narrowing) -> list[str]:
        return [ticket["id"][-1] for ticket in store.search(TicketFilter(**narrowing))]

    twentieth = datetime(2026, 11, 20, tzinfo=COPENHAGEN)
    twenty_first = datetime(2026, 11, 21, tzinfo=COPENHAGEN)
    assert found() == ["3", "2", "1"]
    assert found(status="closed") == ["3"]
    assert found(category="vat") == ["3", "2"]
    assert found(system="dinero") == ["3", "2"]
    assert found(system="Shopify", category="vat") == []
    assert found(language="da") == ["3", "2"]
    assert found(language="en") == ["1"]  # stored without a language: from before languages
    assert found(created_from=twentieth, created_before=twenty_first) == ["1"]
    assert found(created_from=twenty_first) == ["3", "2"]
    assert store.count_matching(TicketFilter(category="vat", status="new")) == 1
    assert store.categories() == ["order_transfer", "vat"]
    assert store.systems() == ["Dinero", "e-conomic", "Shopify", "WooCommerce"]


def test_status_changes_are_kept_with_who_and_when(store):
    store.add(shopify_ticket(1, "2026-11-20T10:00:00Z"))

    store.set_status("IEX-20261127-0001", "in_progress", changed_by="mette@iex.dk")
    store.set_status("IEX-20261127-0001", "in_progress", changed_by="lars@iex.dk")
    store.set_status("IEX-20261127-0001", "closed", changed_by="lars@iex.dk")

    history = store.history("IEX-20261127-0001")
    assert [(change["field"], change["value"], change["changed_by"]) for change in history] == [
        ("status", "in_progress", "mette@iex.dk"), ("status", "closed", "lars@iex.dk"),
    ]
    assert all(change["changed_at"].startswith("20") for change in history)
    assert store.get("IEX-20261127-0001")["status"] == "closed"


def test_notes_are_kept_with_author_and_time(store):
    store.add(shopify_ticket(1, "2026-11-20T10:00:00Z"))

    store.add_note("IEX-20261127-0001", "mette@iex.dk", "Asked the customer for the log line.")
    store.add_note("IEX-20261127-0001", "lars@iex.dk", "VAT code 25 was missing.")

    notes = store.notes("IEX-20261127-0001")
    assert [(note["author"], note["text"]) for note in notes] == [
        ("mette@iex.dk", "Asked the customer for the log line."),
        ("lars@iex.dk", "VAT code 25 was missing."),
    ]
    assert store.add_note("IEX-20261127-NOPE", "mette@iex.dk", "lost") is None
    with pytest.raises(ValueError):
        store.add_note("IEX-20261127-0001", "mette@iex.dk", "   ")


def test_tickets_stored_before_the_search_index_are_indexed_on_start(store):
    store.add(vat_ticket(2, "2026-11-21T10:00:00Z"))
    with store._connection() as db:
        db.execute("DELETE FROM ticket_text")
    assert store.search(TicketFilter(text="faktura")) == []

    reopened = TicketStore(store.database.location)

    assert [t["id"] for t in reopened.search(TicketFilter(text="faktura"))] == [
        "IEX-20261127-0002"
    ]


# --- reading the filter form (plain functions) ------------------------------------------------


def test_filter_form_keeps_what_was_filled_in():
    form = filters.ticket_form({"status": "new", "to": "2026-11-30", "q": "  10023 ", "x": "y"})

    assert form == {
        "q": "10023", "status": "new", "assignee": "", "category": "", "system": "",
        "language": "", "customer": "", "from": "", "to": "2026-11-30", "order": "",
    }


def test_the_list_opened_without_a_filter_is_the_queue_of_open_tickets_as_received():
    assert filters.ticket_form({}) == filters.ticket_form({"status": "open", "order": "received"})
    assert filters.ticket_form({"page": "2"})["status"] == "open"
    assert filters.ticket_form({}, queue_when_empty=False)["status"] == ""
    assert filters.query_string(filters.ticket_form({"status": ""})) == "status="


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"status": "opened"}, "status"),
        ({"assignee": "mette@iex.dk"}, "assignee"),
        ({"order": "oldest"}, "order"),
        ({"language": "de"}, "language"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "2026-11-3²"}, "to"),
        ({"to": "27.11.2026"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_filter_form_refuses_unknown_statuses_and_days_saying_which(values, named):
    with pytest.raises(MalformedInput, match=f"^{named} must be"):
        filters.ticket_form(values)


def test_filter_days_are_whole_days_in_the_inbox_time_zone():
    ticket_filter = filters.ticket_filter({"from": "2026-11-20", "to": "2026-11-20"}, COPENHAGEN)

    assert ticket_filter.created_from.astimezone(timezone.utc) == datetime(
        2026, 11, 19, 23, 0, tzinfo=timezone.utc
    )
    assert ticket_filter.created_before.astimezone(timezone.utc) == datetime(
        2026, 11, 20, 23, 0, tzinfo=timezone.utc
    )
    assert filters.ticket_filter({}, COPENHAGEN) == TicketFilter()


@pytest.mark.parametrize(
    ("value", "page"), [("3", 3), ("", 1), (None, 1), ("9" * 30, filters.MAX_PAGE)]
)
def test_page_numbers_start_at_one(value, page):
    assert filters.page_number(value) == page


@pytest.mark.parametrize("value", ["0", "-2", "x", "²", "٣", "1.5", "1e3"])
def test_a_page_that_is_no_whole_number_from_one_is_refused(value):
    with pytest.raises(MalformedInput, match="page must be a whole number from 1"):
        filters.page_number(value)


def test_page_links_keep_the_filter():
    assert filters.query_string({"q": "vat", "status": ""}, page=2) == "q=vat&page=2"
    assert filters.page_count(0) == 1 and filters.page_count(26) == 2


# --- the list page -----------------------------------------------------------------------------


def test_list_shows_every_column_in_the_order_received(settings, client):
    store_tickets(
        settings,
        shopify_ticket(1, "2026-11-20T10:00:00Z"),
        vat_ticket(2, "2026-11-21T10:00:00Z", urgent_requested=True),
    )

    page = client.get("/inbox/tickets")

    assert page.status == 200
    assert references(page.text) == ["IEX-20261127-0001", "IEX-20261127-0002"]
    row = page.text[page.text.index("IEX-20261127-0002"):]
    for shown in ("21 Nov 2026 11:00", "kunde@webshop.dk", "VAT does not match", "WooCommerce",
                  "Dinero", "Danish", "New", "VAT differs between WooCommerce and Dinero",
                  "urgent", "nobody"):
        assert shown in row
    assert ">vat<" not in row
    assert "Europe/Copenhagen" in page.text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("status=closed", ["IEX-20261127-0003"]),
        ("category=order_transfer", ["IEX-20261127-0001"]),
        ("system=WooCommerce", ["IEX-20261127-0002", "IEX-20261127-0003"]),
        ("language=da", ["IEX-20261127-0002", "IEX-20261127-0003"]),
        ("status=open", ["IEX-20261127-0001", "IEX-20261127-0002"]),
        ("status=&order=newest", ["IEX-20261127-0003", "IEX-20261127-0002", "IEX-20261127-0001"]),
        ("language=en", ["IEX-20261127-0001"]),
        ("from=2026-11-21&to=2026-11-21", ["IEX-20261127-0002"]),
        ("q=faktura&status=new", ["IEX-20261127-0002"]),
        ("q=SKU-RED-42", ["IEX-20261127-0002", "IEX-20261127-0003"]),
        ("q=nothing+like+this", []),
        ("status=&q=", ["IEX-20261127-0001", "IEX-20261127-0002", "IEX-20261127-0003"]),
    ],
)
def test_list_filters_by_status_category_system_days_and_text(settings, client, query, shown):
    store_tickets(
        settings,
        shopify_ticket(1, "2026-11-20T10:00:00Z"),
        vat_ticket(2, "2026-11-21T10:00:00Z"),
        vat_ticket(3, "2026-11-22T10:00:00Z", status="closed"),
    )

    page = client.get(f"/inbox/tickets?{query}")

    assert page.status == 200
    assert references(page.text) == shown
    assert f"{len(shown)} ticket" in page.text


def test_list_pages_through_many_tickets(settings, client):
    store_tickets(settings, *[
        shopify_ticket(number, f"2026-11-{number:02d}T10:00:00Z") for number in range(1, 31)
    ])

    first = client.get("/inbox/tickets?category=order_transfer")
    second = client.get("/inbox/tickets?category=order_transfer&page=2")
    beyond = client.get("/inbox/tickets?category=order_transfer&page=9")

    assert len(references(first.text)) == filters.PAGE_SIZE
    assert references(first.text)[0] == "IEX-20261127-0001"
    assert references(second.text) == [f"IEX-20261127-{n:04d}" for n in range(26, 31)]
    assert "Page 2 of 2" in second.text
    assert 'href="?category=order_transfer&amp;page=2"' in first.text
    assert references(beyond.text) == references(second.text)


def test_empty_list_says_so(client):
    assert "the queue is empty" in client.get("/inbox/tickets").text


# --- the detail page ---------------------------------------------------------------------------


def test_detail_shows_every_structured_field_and_the_transcript(settings, client):
    ticket = vat_ticket(
        2, "2026-11-21T10:00:00Z", urgent_requested=True,
        examples={"order_ids": ["5531"], "product_ids": ["SKU-RED-42"],
                  "other": ["invoice F-2026-118"]},
        self_help={"articles_shown": ["https://support.iex.dk/en/articles/vat-codes"],
                   "log_checked": False, "log_status": None},
        transcript=[
            {"sender": "customer", "text": "moms er forkert", "timestamp": "2026-11-21T09:58:00Z"},
            {"sender": "bot", "text": "Did that solve it?\n[Yes] [No]",
             "timestamp": "2026-11-21T09:58:01Z"},
        ],
    )
    store_tickets(settings, ticket)

    page = client.get("/inbox/tickets/IEX-20261127-0002")

    assert page.status == 200
    text = page.text
    for shown in (
        "VAT differs between WooCommerce and Dinero", ticket["description"].replace("'", "&#39;"),
        "kunde@webshop.dk", "Mette Hansen", "WooCommerce", "Dinero", "VAT does not match",
        "<code>5531</code>", "<code>SKU-RED-42</code>", "invoice F-2026-118",
        'href="https://support.iex.dk/en/articles/vat-codes"', "(no current article)",
        "moms er forkert",
        "Did that solve it?\n[Yes] [No]", "10:58:00", "10:58:01", "urgent requested",
        ticket["conversation_id"],
    ):
        assert shown in text, shown
    assert re.search(r'id="log-checked">No<', text)
    assert re.search(r'id="urgent">Yes<', text)
    assert "unknown" in text  # the log status
    embedded = re.search(r'<pre id="ticket-json"[^>]*>(.*?)</pre>', text, re.S).group(1)
    assert json.loads(html.unescape(embedded)) == ticket


def test_detail_of_an_unknown_ticket_is_not_found(client):
    page = client.get("/inbox/tickets/IEX-20261127-NOPE")

    assert page.status == 404
    assert "There is no ticket IEX-20261127-NOPE." in page.text


def test_ticket_json_can_be_downloaded(settings, client):
    ticket = vat_ticket(2, "2026-11-21T10:00:00Z")
    store_tickets(settings, ticket)

    reply = client.get("/inbox/tickets/IEX-20261127-0002/ticket.json")
    unknown = client.get("/inbox/tickets/IEX-20261127-NOPE/ticket.json")

    assert reply.status == 200 and json.loads(reply.text) == ticket
    assert 'filename="IEX-20261127-0002.json"' in reply.headers["content-disposition"]
    assert unknown.status == 404


def test_status_change_is_kept_with_who_changed_it(settings, client):
    store_tickets(settings, shopify_ticket(1, "2026-11-20T10:00:00Z"))

    reply = client.post(
        "/inbox/tickets/IEX-20261127-0001/status",
        {"status": "in_progress", "csrf_token": client.csrf_token()},
    )
    page = client.get(reply.headers["location"])

    assert reply.status == 303
    assert reply.headers["location"] == "/inbox/tickets/IEX-20261127-0001?saved=status"
    assert TicketStore(settings.ticket_location).get("IEX-20261127-0001")["status"] == "in_progress"
    assert "Status changed to In progress." in page.text
    history = page.text[page.text.index('id="status-history"'):]
    assert "In progress" in history and f"by {USERNAME}" in history


def test_unknown_status_is_refused(settings, client):
    store_tickets(settings, shopify_ticket(1, "2026-11-20T10:00:00Z"))

    reply = client.post(
        "/inbox/tickets/IEX-20261127-0001/status",
        {"status": "deleted", "csrf_token": client.csrf_token()},
    )

    assert reply.status == 422
    assert TicketStore(settings.ticket_location).get("IEX-20261127-0001")["status"] == "new"


def test_status_of_an_unknown_ticket_is_not_found(client):
    reply = client.post(
        "/inbox/tickets/IEX-20261127-NOPE/status",
        {"status": "closed", "csrf_token": client.csrf_token()},
    )

    assert reply.status == 404


def test_notes_are_added_and_shown_with_author(settings, client):
    store_tickets(settings, shopify_ticket(1, "2026-11-20T10:00:00Z"))

    reply = client.post(
        "/inbox/tickets/IEX-20261127-0001/notes",
        {"text": "Customer uses VAT code 25.\nAsked for the log.",
         "csrf_token": client.csrf_token()},
    )
    page = client.get(reply.headers["location"])

    assert reply.status == 303
    notes = page.text[page.text.index('id="notes"'):]
    assert "Customer uses VAT code 25.\nAsked for the log." in notes
    assert USERNAME in notes
    assert TicketStore(settings.ticket_location).notes("IEX-20261127-0001")[0]["author"] == USERNAME


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_overlong_notes_are_refused(settings, client, text):
    store_tickets(settings, shopify_ticket(1, "2026-11-20T10:00:00Z"))

    reply = client.post(
        "/inbox/tickets/IEX-20261127-0001/notes", {"text": text, "csrf_token": client.csrf_token()}
    )

    assert reply.status == 422
    assert TicketStore(settings.ticket_location).notes("IEX-20261127-0001") == []


def test_note_on_an_unknown_ticket_is_not_found(client):
    reply = client.post(
        "/inbox/tickets/IEX-20261127-NOPE/notes", {"text": "hi", "csrf_token": client.csrf_token()}
    )

    assert reply.status == 404


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_has_a_row_per_ticket_of_the_filter(settings, client):
    store_tickets(
        settings, shopify_ticket(1, "2026-11-20T10:00:00Z"), vat_ticket(2, "2026-11-21T10:00:00Z")
    )

    reply = client.get("/inbox/export/tickets.csv?category=vat")
    everything = client.get("/inbox/export/tickets.csv")

    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"].startswith('attachment; filename="iex-tickets-')
    rows = list(csv.DictReader(io.StringIO(reply.text.lstrip("\ufeff"))))
    assert [row["reference"] for row in rows] == ["IEX-20261127-0002"]
    assert rows[0]["systems"] == "WooCommerce; Dinero"
    assert rows[0]["product_ids"] == "SKU-RED-42"
    assert rows[0]["log_checked"] == "yes"
    assert len(list(csv.DictReader(io.StringIO(everything.text.lstrip("\ufeff"))))) == 2


def test_json_export_holds_the_tickets_as_stored(settings, client):
    tickets = [shopify_ticket(1, "2026-11-20T10:00:00Z"), vat_ticket(2, "2026-11-21T10:00:00Z")]
    store_tickets(settings, *tickets)

    reply = client.get("/inbox/export/tickets.json?q=never+arrived")
    everything = json.loads(client.get("/inbox/export/tickets.json").text)

    assert reply.headers["content-type"].startswith("application/json")
    assert json.loads(reply.text) == [tickets[0]]
    assert everything == tickets[::-1]
    assert all(ticket_problems(ticket) == [] for ticket in everything)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"),
     ("@SUM(A1)", "'@SUM(A1)"), ("10023", "10023"), (None, "")],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert spreadsheet_safe(value) == cell


def test_csv_row_flattens_a_ticket(settings):
    row = ticket_row(vat_ticket(2, "2026-11-21T10:00:00Z", summary="=cmd|' /C calc'!A0"))

    assert row["summary"] == "'=cmd|' /C calc'!A0"
    assert row["order_ids"] == "5531"
    assert row["urgent_requested"] == "no"
    header = tickets_csv([]).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("reference,created_at,status,customer_email")


def test_day_of_a_ticket_is_read_in_the_inbox_zone():
    ticket_filter = filters.ticket_filter({"from": date(2026, 7, 1).isoformat()}, COPENHAGEN)

    assert ticket_filter.created_from.utcoffset().total_seconds() == 7200  # summer time
