"""Customer text is shown as text everywhere in the inbox: no markup in any field renders or runs.

Every customer-controlled field of a ticket, and every part of a conversation in the tracker
store, carries a <script>, an <img onerror> and a javascript: link; every page must show them as
text and contain no script, no event handler and no javascript: URL.
"""
from __future__ import annotations

import html
import re

import pytest

from bot.inbox.formatting import web_link
from tests.bot.inbox_support import (
    USERNAME,
    Conversation,
    StaffClient,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    markup_of,
    numbered_ticket,
    save_conversations,
    store_tickets,
)

SCRIPT = "<script>alert('xss')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
LINK = '<a href="javascript:alert(1)">click</a>'
JAVASCRIPT_URL = "javascript:alert(1)"
EVERYTHING = f"{SCRIPT} {IMAGE} {LINK} {JAVASCRIPT_URL}"
HOSTILE_ARTICLE = "https://evil.example/'\"><script>alert(1)</script>"
HOSTILE_SENDER = "<script>alert('sender')</script>"
REFERENCE = "IEX-20261127-0666"


def hostile_ticket() -> dict:
    """A valid ticket with markup in every field the customer's words reach."""
    return numbered_ticket(
        666, "2026-11-20T10:00:00Z",
        conversation_id=HOSTILE_SENDER,
        customer={"email": "javascript:alert('x')@evil.example", "name": IMAGE},
        systems=[SCRIPT, LINK],
        summary=EVERYTHING,
        description=EVERYTHING + "\nsecond line " + SCRIPT,
        examples={"order_ids": [SCRIPT, IMAGE], "product_ids": [LINK, JAVASCRIPT_URL],
                  "other": [EVERYTHING]},
        self_help={"articles_shown": [HOSTILE_ARTICLE], "log_checked": True,
                   "log_status": EVERYTHING},
        transcript=[
            {"sender": "customer", "text": EVERYTHING, "timestamp": "2026-11-20T09:59:00Z"},
            {"sender": "bot", "text": SCRIPT, "timestamp": "2026-11-20T09:59:01Z"},
        ],
    )


def hostile_conversation() -> Conversation:
    return (
        Conversation("2026-11-20T09:58:00Z")
        .customer(EVERYTHING, "nlu_fallback")
        .bot(IMAGE, buttons=[{"title": LINK, "payload": "/affirm"}])
        .customer("/affirm", "affirm")
        .customer(SCRIPT, "report_problem")
        .slot("articles_shown", [JAVASCRIPT_URL, HOSTILE_ARTICLE])
        .slot("self_help_outcome", "resolved")
        .customer(IMAGE, "nlu_fallback")
        .slot("ticket_reference", IMAGE)
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("escaping"))
    create_staff(settings)
    store_tickets(settings, hostile_ticket())
    save_conversations(settings.tracker_db, {HOSTILE_SENDER: hostile_conversation()})
    return settings


@pytest.fixture(scope="module")
def app(settings):
    return inbox_app(settings)


@pytest.fixture(scope="module")
def client(app):
    client = logged_in(app)
    client.post(f"/inbox/tickets/{REFERENCE}/notes",
                {"text": EVERYTHING, "csrf_token": client.csrf_token()})
    return client


def conversation_path(client: StaffClient) -> str:
    return re.search(r'href="(/inbox/conversations/\d+)"', client.get("/inbox/conversations").text
                     ).group(1)


def assert_inert(page: str) -> None:
    """Nothing in the page can run: no script, no handler, no javascript: URL, no foreign image."""
    found = markup_of(page)
    assert "script" not in found.tags
    assert "<script" not in page.lower()
    assert found.handlers == []
    for url in found.urls:
        assert not html.unescape(url).strip().lower().startswith(("javascript:", "data:")), url
    image_sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    assert all(source.startswith("/inbox/") for source in image_sources), image_sources
    links_to_click = re.findall(r"<a [^>]*>(.*?)</a>", page, re.S)
    assert "click" not in [text.strip() for text in links_to_click]


def assert_shown_as_text(page: str, *texts: str) -> None:
    shown = "".join(markup_of(page).text)
    for text in texts:
        assert text in shown, text


def test_ticket_list_shows_markup_as_text(client):
    page = client.get("/inbox/tickets").text

    assert_inert(page)
    assert_shown_as_text(page, EVERYTHING, SCRIPT, LINK, "javascript:alert('x')@evil.example")


def test_ticket_search_echo_shows_markup_as_text(client):
    page = client.get("/inbox/tickets", params={"q": EVERYTHING, "system": SCRIPT}).text

    assert_inert(page)
    echoed = re.search(r'name="q" value="([^"]*)"', page).group(1)
    assert html.unescape(echoed) == EVERYTHING


def test_ticket_detail_shows_every_field_as_text(client):
    page = client.get(f"/inbox/tickets/{REFERENCE}").text

    assert_inert(page)
    assert_shown_as_text(
        page, EVERYTHING, EVERYTHING + "\nsecond line " + SCRIPT, IMAGE, SCRIPT, LINK,
        JAVASCRIPT_URL, HOSTILE_ARTICLE, HOSTILE_SENDER, "javascript:alert('x')@evil.example",
    )
    # The article link stays one https link; its quotes cannot break out of the attribute.
    assert 'href="https://evil.example/&#39;&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert 'href="mailto:javascript:alert(&#39;x&#39;)@evil.example"' in page


def test_notes_show_markup_as_text(client):
    page = client.get(f"/inbox/tickets/{REFERENCE}").text
    notes = page[page.index('id="notes"'):]

    assert_shown_as_text(notes, EVERYTHING, USERNAME)


def test_conversation_list_and_transcript_show_markup_as_text(client):
    listing = client.get("/inbox/conversations").text
    page = client.get(conversation_path(client)).text

    assert_inert(listing)
    assert_inert(page)
    assert_shown_as_text(listing, SCRIPT, IMAGE)
    assert_shown_as_text(page, EVERYTHING, IMAGE, LINK, SCRIPT, HOSTILE_SENDER, JAVASCRIPT_URL)


def test_article_urls_that_are_not_web_links_are_not_linked(client):
    page = client.get(conversation_path(client)).text

    assert f"<li>{JAVASCRIPT_URL}" in page
    assert web_link(JAVASCRIPT_URL) is None
    assert web_link(" JavaScript:alert(1)") is None
    assert web_link("data:text/html,<script>") is None
    assert web_link("https://support.iex.dk/x") == "https://support.iex.dk/x"
    assert web_link("https:///nohost") is None


def test_analytics_show_messages_and_articles_as_text(client):
    page = client.get("/inbox/analytics?from=2026-11-01&to=2026-11-30").text

    assert_inert(page)
    assert_shown_as_text(page, EVERYTHING, IMAGE, HOSTILE_ARTICLE, JAVASCRIPT_URL)


def test_login_page_echoes_the_user_name_as_text(app):
    client = StaffClient(app)

    page = client.log_in(username=EVERYTHING[:200], password="wrong password!!").text

    assert_inert(page)
    assert "Wrong user name or password." in page


def test_login_next_parameter_cannot_inject(app):
    page = StaffClient(app).get("/inbox/login", params={"next": f'/inbox/"><{SCRIPT}'}).text

    assert_inert(page)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/inbox/export/tickets.csv", "text/csv"),
        ("/inbox/export/tickets.json", "application/json"),
        ("/inbox/export/not-understood.yml?from=2026-11-01&to=2026-11-30", "application/yaml"),
        (f"/inbox/tickets/{REFERENCE}/ticket.json", "application/json"),
    ],
)
def test_exports_are_downloads_that_no_browser_renders_as_a_page(client, path, content_type):
    reply = client.get(path)

    assert reply.status == 200
    assert reply.headers["content-type"].startswith(content_type)
    assert reply.headers["content-disposition"].startswith("attachment;")
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_not_understood_export_keeps_the_text_as_plain_examples(client):
    stub = client.get("/inbox/export/not-understood.yml?from=2026-11-01&to=2026-11-30").text

    assert f"    - {EVERYTHING}" in stub
    assert f"    - {IMAGE}" in stub
