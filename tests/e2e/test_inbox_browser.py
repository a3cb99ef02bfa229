"""End-to-end: the support inbox in a real browser (headless Debian chromium driven by Playwright).

The real web app runs as ``make run`` starts it; a staff account is made with the CLI, tickets
arrive through the ticket API, and a support agent logs in, works the queue, filters, opens a
ticket, assigns it and changes its status. No Rasa server is needed.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import Page, expect

from bot.config import PROJECT_ROOT
from bot.conversation_ids import new_conversation_id
from bot.feedback import FeedbackStore
from bot.supervisor import mail_services, private_settings, wait_until_ready, web_app
from tests.actions.helpdesk.fakes import example_ticket
from tests.bot.inbox_support import Conversation, save_conversations
from tests.conftest import SCREENSHOTS_DIR

pytestmark = pytest.mark.e2e

USERNAME = "mette@iex.dk"
PASSWORD = "correct horse battery staple"
XSS = "<script>alert('xss')</script> <img src=x onerror=\"alert(1)\"> javascript:alert(1)"
#: Help articles of data/articles, which the inbox names by their titles.
VAT_ARTICLE = "https://support.iex.dk/en/articles/81884-how-is-vat-handled"
ORDER_ARTICLE = "https://support.iex.dk/en/articles/81255-when-is-the-webshop-order-transferred"
ORDER_SELF_HELP = {"articles_shown": [ORDER_ARTICLE], "log_checked": True,
                   "log_status": "VAT code missing"}

def tickets() -> list[dict]:
    vat = {
        "category": "vat", "systems": ["WooCommerce", "Dinero"],
        "summary": "VAT differs between WooCommerce and Dinero",
        "description": "Invoice 5531 has 25 % VAT in Dinero but 0 % in the shop.",
        "self_help": {"articles_shown": [VAT_ARTICLE], "log_checked": True,
                      "log_status": "VAT code missing"},
    }
    return [
        example_ticket(id="IEX-20261120-0001", idempotency_key="iex-browser-0001",
                       created_at="2026-11-20T09:00:00Z", self_help=ORDER_SELF_HELP),
        example_ticket(id="IEX-20261121-0002", idempotency_key="iex-browser-0002",
                       created_at="2026-11-21T09:00:00Z", **vat),
        example_ticket(id="IEX-20261122-0003", idempotency_key="iex-browser-0003",
                       created_at="2026-11-22T09:00:00Z", status="closed", **vat),
        example_ticket(id="IEX-20261123-0004", idempotency_key="iex-browser-0004",
                       created_at="2026-11-23T09:00:00Z", summary=XSS[:150], description=XSS,
                       customer={"email": "kunde@webshop.dk", "name": XSS[:200]},
                       self_help=ORDER_SELF_HELP),
        # The same case sent twice within a minute from another address.
        *[example_ticket(id=f"IEX-20261124-000{number}", idempotency_key=f"iex-browser-000{number}",
                         created_at=f"2026-11-24T09:00:{number:02d}Z", self_help=ORDER_SELF_HELP,
                         customer={"email": "lars.christensen-regnskab@meget-lang-webshop.dk"})
          for number in (5, 6)],
    ]


def conversations() -> dict[str, Conversation]:
    """Yesterday: one problem solved by self-help, two left unsolved, one not understood; and
    one conversation of two minutes ago, still going."""
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT09:00:00Z")
    just_now = (datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    article = "https://support.iex.dk/en/article/acquirer-features"
    return {
        "web-solved": Conversation(yesterday).customer("payout missing", "report_problem")
        .articles(article).customer("yes", "affirm").slot("self_help_outcome", "resolved"),
        "web-left-1": Conversation(yesterday).customer("stock wrong", "report_problem"),
        "web-left-2": Conversation(yesterday).customer("orders missing", "report_problem")
        .articles(article),
        "web-noise": Conversation(yesterday).customer("blorf " * 900, "nlu_fallback"),
        "web-going": Conversation(just_now).customer("my invoice is wrong", "report_problem"),
    }


@pytest.fixture(scope="module")
def inbox_url(tmp_path_factory) -> str:
    """The running web app, with the mail worker and the development mail sink, a staff account,
    six tickets and a few conversations; yields its base URL."""
    settings = private_settings(tmp_path_factory.mktemp("inbox-state"))
    # Playwright's sync API runs an event loop in this thread; Rasa's store needs one of its own.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(save_conversations, settings.tracker_db, conversations()).result()
    # What customers told the widget: an article read in its panel, and two ratings.
    feedback = FeedbackStore(settings.feedback_db)
    for rating, comment in ((4, "Quick and clear"), (2, "I had to write a ticket anyway")):
        reader = new_conversation_id(settings.conversation_secret)
        feedback.article_opened(reader, "acquirer-features")
        feedback.article_helped(reader, "acquirer-features", rating > 3)
        feedback.rate(reader, rating, comment, "solved" if rating > 3 else "ticket")
    created = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create", USERNAME, "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
        env={**os.environ, "IEX_STATE_DIR": str(settings.state_dir)},
    )
    assert created.returncode == 0, created.stderr
    services = [web_app(settings), *mail_services(settings)]
    for service in services:
        service.start(log_file=settings.state_dir / f"{service.name}.log")
    try:
        wait_until_ready(services, timeout=60)
        base = f"http://localhost:{settings.port}"
        for ticket in tickets():
            reply = requests.post(
                f"{base}/api/tickets", json=ticket, timeout=30,
                headers={"Authorization": f"Bearer {settings.ticket_api_token}"},
            )
            assert reply.status_code == 201, reply.text
        yield base
    finally:
        for service in reversed(services):
            service.stop()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def log_in(page: Page, inbox_url: str) -> None:
    page.goto(f"{inbox_url}/inbox/tickets")
    expect(page).to_have_url(f"{inbox_url}/inbox/login?next=%2Finbox%2Ftickets")
    page.get_by_label("User name").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{inbox_url}/inbox/tickets")


def test_agent_filters_opens_a_ticket_and_changes_its_status(page, inbox_url):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    log_in(page, inbox_url)
    rows = page.locator("table#tickets tbody tr")
    expect(rows).to_have_count(5)  # the queue: open tickets, oldest first; the closed one not
    expect(rows.first).to_contain_text("IEX-20261120-0001")
    expect(rows.first).to_contain_text("Overdue")
    expect(rows.last).to_contain_text("likely duplicate of IEX-20261124-0005")
    expect(rows.last).to_contain_text("2 tickets")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-queue.png"), full_page=True)

    page.get_by_label("Category").select_option("vat")
    page.get_by_label("Status").select_option("new")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(r"/inbox/tickets\?.*status=new&.*category=vat"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("IEX-20261121-0002")
    expect(rows.first).to_contain_text("WooCommerce")
    expect(rows.first).to_contain_text("VAT does not match")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-tickets-filtered.png"), full_page=True)

    page.get_by_role("link", name="IEX-20261121-0002").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "VAT differs between WooCommerce and Dinero"
    )
    expect(page.locator("#description")).to_contain_text("Invoice 5531")
    expect(page.locator("#current-status")).to_have_text("New")
    article = page.locator("#articles-shown").get_by_role("link", name="How is VAT handled?")
    expect(article).to_have_attribute("href", VAT_ARTICLE)

    page.locator("#status").select_option("in_progress")
    page.get_by_role("button", name="Change status").click()

    expect(page.locator("#saved")).to_have_text("Status changed to In progress.")
    page.reload()
    expect(page.locator("#current-status")).to_have_text("In progress")
    expect(page.locator("#status-history")).to_contain_text(f"by {USERNAME}")
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#saved")).to_have_text(f"Assigned to {USERNAME}.")
    expect(page.locator("#status-history")).to_contain_text(f"Assigned to {USERNAME}")
    page.get_by_label("New note").fill("Asked for the VAT setup in Dinero.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#notes")).to_contain_text("Asked for the VAT setup in Dinero.")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-ticket.png"), full_page=True)

    page.goto(f"{inbox_url}/inbox/tickets?status=in_progress&assignee=me")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("In progress")
    stored = requests.get(
        f"{inbox_url}/api/tickets/IEX-20261121-0002", timeout=30,
        headers={"Authorization": "Bearer dev-ticket-token"},
    ).json()
    assert stored["status"] == "in_progress"


def test_customer_markup_neither_runs_nor_renders(page, inbox_url):
    log_in(page, inbox_url)

    page.get_by_role("link", name="IEX-20261123-0004").click()

    expect(page.locator("#description")).to_have_text(XSS)
    expect(page.locator("#name")).to_have_text(XSS)
    assert page.locator("script").count() == 0
    assert page.locator("main img").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_inbox_is_closed_after_logout(page, inbox_url):
    log_in(page, inbox_url)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{inbox_url}/inbox/login")
    page.goto(f"{inbox_url}/inbox/tickets/IEX-20261121-0002")

    expect(page).to_have_url(
        f"{inbox_url}/inbox/login?next=%2Finbox%2Ftickets%2FIEX-20261121-0002"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the support inbox")
    expect(page.locator("main")).not_to_contain_text("make user")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-login.png"), full_page=True)


def test_agent_sees_the_customers_other_tickets_and_marks_a_duplicate(page, inbox_url):
    log_in(page, inbox_url)

    page.get_by_role("link", name="IEX-20261124-0006").click()
    expect(page.locator("#likely-duplicate")).to_contain_text("IEX-20261124-0005")
    expect(page.locator("#other-tickets")).to_contain_text("IEX-20261124-0005")
    page.get_by_role("button", name="Mark as duplicate").click()

    expect(page.locator("#saved")).to_have_text("Marked as a duplicate of IEX-20261124-0005.")
    email = page.locator("#email a")
    box = email.bounding_box()
    assert box["height"] < 30, "the e-mail address wraps"
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-ticket-duplicate.png"), full_page=True)


def test_analytics_colour_a_poor_deflection_rate_and_cut_long_messages(page, inbox_url):
    log_in(page, inbox_url)

    page.get_by_role("link", name="Analytics").click()

    expect(page.locator("#deflection-card")).to_have_class(re.compile(r"\bpoor\b"))
    expect(page.locator("#stat-abandoned")).to_have_text("2")
    expect(page.locator("#stats")).to_contain_text("1 still going")
    article = page.locator("#articles tbody tr", has_text="Acquirer features")
    # Shown twice in the chat, solved once after it; opened twice in the widget, helped once.
    expect(article.locator("td.number")).to_have_text(["2", "1", "50 %", "2", "1", "1"])
    expect(page.locator("#rating-average")).to_have_text("3.0")
    message = page.locator("#not-understood td.summary").first
    assert len(message.inner_text()) <= 160
    # The chart is drawn on the server (matplotlib, imported on first use): it must load.
    page.wait_for_function(
        "() => { const chart = document.querySelector('img.chart');"
        " return chart && chart.complete && chart.naturalWidth > 0; }", timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-analytics.png"), full_page=True)

    page.get_by_role("link", name="Conversations").click()
    expect(page.locator("#conversations")).to_contain_text("Still going")


def test_agent_replies_by_email_and_the_mail_sink_has_it(page, inbox_url):
    log_in(page, inbox_url)
    page.goto(f"{inbox_url}/inbox/tickets/IEX-20261120-0001")

    page.get_by_label(re.compile(r"^Reply to kunde@webshop.dk")).fill(
        "We have re-sent orders 10023 and 10024; they are in e-conomic now."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-saved")).to_have_text("Reply queued for kunde@webshop.dk.")
    expect(page.locator("#status-history")).to_contain_text("Reply e-mailed")

    # The mail worker sends it to the development mail sink, and the Mail page shows it there.
    mail_page = f"{inbox_url}/inbox/mail"
    received = page.locator("#sink-messages .sink-message")
    for _ in range(30):
        page.goto(mail_page)
        if received.count():
            break
        page.wait_for_timeout(500)
    expect(received).to_have_count(1)
    expect(received.first.locator(".to")).to_have_text("kunde@webshop.dk")
    expect(received.first).to_contain_text("IEX-20261120-0001")
    expect(received.first).to_contain_text("they are in e-conomic now")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-mail.png"), full_page=True)

    page.goto(f"{inbox_url}/inbox/tickets/IEX-20261120-0001")
    expect(page.locator("#customer-mails .mail-state")).to_have_class(re.compile(r"\bdelivered\b"))
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-ticket-reply.png"), full_page=True)


def test_a_conversation_reads_as_a_chat_in_the_page_flow(page, inbox_url):
    log_in(page, inbox_url)
    page.get_by_role("link", name="Conversations").click()
    page.locator("#conversations tbody tr", has_text="payout missing").get_by_role("link").click()

    transcript = page.get_by_role("list", name="Transcript")
    expect(transcript).to_contain_text("payout missing")
    expect(page.locator("#outcome")).to_have_text("Resolved by self-help")
    # No inner scroll box: the transcript is as tall as its messages.
    assert transcript.evaluate("node => node.scrollHeight <= node.clientHeight + 1")
    assert transcript.evaluate("node => getComputedStyle(node).overflowY") == "visible"
    expect(page.locator("#articles-shown")).to_contain_text("Acquirer features")
    page.screenshot(path=str(SCREENSHOTS_DIR / "inbox-conversation.png"), full_page=True)
