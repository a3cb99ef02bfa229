"""End-to-end: the chat widget in a real browser (headless Debian chromium driven by Playwright),
on the demo page served by the real web app, talking to the real Rasa and action servers."""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.config import Settings
from bot.supervisor import Service, free_port, wait_until_ready, web_app
from support_core.language import detect
from tests.conftest import SCREENSHOTS_DIR

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: Small, so the length test types little; the page passes it to the widget as a data attribute.
MAX_MESSAGE_LENGTH = 300
#: How long the assistant may take to answer one message in the browser.
ANSWER_MS = 30_000


def start_web_app(settings: Settings, log_dir: Path) -> Service:
    """The bot web app (demo page and widget) on settings.port, pointed at settings.rasa_url."""
    web = web_app(settings)
    web.env["IEX_MAX_MESSAGE_LENGTH"] = str(MAX_MESSAGE_LENGTH)
    web.start(log_file=log_dir / "web.log")
    try:
        wait_until_ready([web], timeout=60)
    except (RuntimeError, TimeoutError):
        web.stop()
        raise
    return web


@pytest.fixture(scope="module")
def support_page(assistant, tmp_path_factory) -> str:
    """URL of the demo support page, its widget talking to the shared assistant."""
    settings = replace(assistant.settings, port=free_port())
    web = start_web_app(settings, tmp_path_factory.mktemp("web"))
    yield f"http://localhost:{settings.port}/"
    web.stop()


@pytest.fixture
def page(browser) -> Page:
    """A fresh browser profile (empty localStorage) per test."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(params=["desktop", "phone"])
def any_page(request, browser) -> Page:
    """A fresh browser profile at desktop size, then at 360 px with a touch screen."""
    phone = request.param == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP, has_touch=phone,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    yield page
    context.close()


#: The accessible names the tests find the widget's parts by, in each language it speaks.
NAMES = {
    "en": {"message": "Your message", "conversation": "Conversation"},
    "da": {"message": "Din besked", "conversation": "Samtale"},
}


class Widget:
    """The chat widget on a page, found the way a person finds it: by role and visible text."""

    def __init__(self, page: Page, language: str = "en"):
        self.page = page
        self.root = page.locator("#iex-support-widget")
        self.input = self.root.get_by_role("textbox", name=NAMES[language]["message"])
        self.conversation = self.root.get_by_role("log", name=NAMES[language]["conversation"])
        self.banner = self.root.locator(".banner")

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def messages_from(self, sender: str):
        return self.root.locator(f"li.message.{sender}")

    def expect_answer(self, text: str, timeout: int = ANSWER_MS) -> None:
        """The assistant's answer to the customer's last message contains ``text``."""
        self.page.wait_for_function(
            """text => {
                const widget = document.querySelector("#iex-support-widget");
                const items = [...widget.shadowRoot.querySelectorAll(".messages > li")];
                const last = items.findLastIndex(item => item.classList.contains("customer"));
                return items.slice(last + 1).some(
                    item => item.classList.contains("bot") && item.textContent.includes(text));
            }""",
            arg=text,
            timeout=timeout,
        )

    def expect_delivered(self, timeout: int = ANSWER_MS) -> None:
        """The customer's last message reached the assistant and its answer is shown."""
        sent = re.compile(r"\bsent\b")
        expect(self.messages_from("customer").last).to_have_class(sent, timeout=timeout)
        expect(self.root.locator(".typing")).to_be_hidden()

    def quick_reply(self, title: str):
        answers = self.root.get_by_role("group", name="Suggested answers")
        return answers.get_by_role("button", name=title)

    def session_id(self) -> str:
        stored = self.page.evaluate("() => Object.entries(localStorage)")
        conversation = next(
            value for key, value in stored
            if key.startswith("iex-support-widget:") and not key.endswith((":open", ":tickets"))
        )
        return json.loads(conversation)["sessionId"]

    def shown_messages(self) -> int:
        return self.root.locator("li.message").count()

    def last_answer_texts(self) -> list[str]:
        """The texts (bubbles and answer buttons) of the answer to the customer's last message."""
        return self.page.evaluate(
            """() => {
                const widget = document.querySelector("#iex-support-widget");
                const items = [...widget.shadowRoot.querySelectorAll(".messages > li")];
                const last = items.findLastIndex(item => item.classList.contains("customer"));
                return items.slice(last + 1).flatMap(item => [
                    ...item.querySelectorAll(".bubble, .quick-reply")]).map(node => node.innerText);
            }"""
        )


def open_support_page(page: Page, url: str, language: str = "en") -> Widget:
    page.goto(url)
    widget = Widget(page, language)
    if (page.viewport_size or DESKTOP)["width"] <= PHONE["width"]:
        # A phone shows only the launcher when the page loads.
        expect(widget.input).to_be_hidden()
        widget.root.locator(".launcher").click()
    expect(widget.input).to_be_visible()
    return widget


def answer_by_message(page: Page, answers: dict[str, list[dict]]) -> None:
    """Answer each widget message with the answer whose key it starts with (else "OK")."""

    def reply(route):
        message = route.request.post_data_json["message"]
        answer = next((value for key, value in answers.items() if message.startswith(key)),
                      [{"text": "OK"}])
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer),
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route("**/webhooks/chat/webhook", reply)


def stored_feedback(assistant, query: str) -> list[tuple]:
    """Rows of the web app's feedback store (bot/feedback.py)."""
    with sqlite3.connect(assistant.settings.feedback_db) as db:
        return db.execute(query).fetchall()


def size_name(page: Page) -> str:
    return "phone" if page.viewport_size["width"] <= PHONE["width"] else "desktop"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / name))


#: Answers as the channel sends them (replaced in the browser: the same every run).
PROBLEM_ANSWER = [
    {"text": "Please check the Log in your IEX dashboard (https://app.iex.dk) first: it says why "
             "each order was transferred or skipped. An order whose state you have not allowed "
             "is skipped, and one without a customer number may be refused by e-conomic. "
             "Allow the state under Settings and transfer it again from the Log."},
    {"text": "These help articles should cover it:\n"
             "- Selecting the order stage: https://support.iex.dk/en/order-stage"},
    {"custom": {"type": "articles", "articles": [
        {"title": "Selecting the order stage", "url": "https://support.iex.dk/en/order-stage",
         "slug": "selecting-the-order-stage"}]}},
    {"text": "Did that solve it?", "buttons": [
        {"title": "Yes, it's solved", "payload": "/affirm"},
        {"title": "Show me another", "payload": "/request_another_article"},
        {"title": "No, I still need help", "payload": "/deny"}]},
]
SOLVED_ANSWER = [{"text": "Great, I'm glad it's sorted."}]
EMAIL_QUESTION = [{"text": "I'll write your case up for the support team."},
                  {"text": "Which e-mail address should the support team answer you at?"}]
SUMMARY_FIELDS = [
    ("E-mail", "anna@webshop.dk"), ("Systems", "Shopify, e-conomic"),
    ("Description", "Order 10023 was not transferred to e-conomic; the Log says skipped."),
    ("Examples", "orders 10023, 10024"), ("Dashboard log", "not checked"),
    ("Urgent", "noted, but cases are answered in the order they arrive"),
]
SUMMARY_ANSWER = [
    {"text": "Here is your case as I'll send it:\n"
             + "\n".join(f"- {label}: {value}" for label, value in SUMMARY_FIELDS)
             + "\n\nShall I send it?",
     "buttons": [{"title": title, "payload": payload} for title, payload in [
         ("Send it", "/affirm"),
         ("Change e-mail", '/correct_field{"ticket_field": "email"}'),
         ("Change systems", '/correct_field{"ticket_field": "systems"}'),
         ("Change description", '/correct_field{"ticket_field": "description"}'),
         ("Change examples", '/correct_field{"ticket_field": "examples"}'),
         ("Change log status", '/correct_field{"ticket_field": "log"}'),
         ("Don't send", "/cancel")]]},
    {"custom": {"type": "ticket_summary",
                "fields": [{"label": label, "value": value} for label, value in SUMMARY_FIELDS]}},
]
TICKET_ANSWER = [
    {"text": "Your case is with the support team. Your reference is IEX-20261202-K7QX. They "
             "answer by e-mail in the order cases arrive, so by Friday 4 December at the latest."},
    {"custom": {"type": "ticket_reference", "reference": "IEX-20261202-K7QX",
                "due": "Friday 4 December"}},
    {"text": "If the case needs our 2nd-line team it will take longer, and it stays in writing."},
]


def bubbles_of_last_answer(widget: Widget) -> int:
    return widget.page.evaluate(
        """() => {
            const widget = document.querySelector("#iex-support-widget");
            const items = [...widget.shadowRoot.querySelectorAll(".messages > li")];
            const last = items.findLastIndex(item => item.classList.contains("customer"));
            return items.slice(last + 1).flatMap(item => [...item.querySelectorAll(".bubble")])
                .length;
        }"""
    )


def focused_in_widget(page: Page) -> str:
    """The focused element inside the widget ("" if the focus is on the page behind it)."""
    return page.evaluate(
        """() => {
            const host = document.querySelector("#iex-support-widget");
            if (document.activeElement !== host) return "";
            const active = host.shadowRoot.activeElement;
            return active ? (active.getAttribute("aria-label") || active.textContent.trim()
                             || active.tagName) : "";
        }"""
    )


#: Run in the page before its scripts: once the <html> element (or the widget's script tag) is
#: parsed, it says Danish; the widget's script, fetched meanwhile, runs after that.
MAKE_THE_PAGE_DANISH = """how => new MutationObserver((changes, observer) => {
    const script = document.querySelector('script[src$="/widget.js"]');
    if (how === "html lang" && document.documentElement) {
        document.documentElement.lang = "da";
        observer.disconnect();
    } else if (how === "data-lang" && script) {
        script.dataset.lang = "da";
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true})"""


def make_the_demo_page_danish(page: Page, how: str) -> None:
    """Make the demo page Danish before the widget reads it: its <html lang>, or its script tag's
    data-lang on a page that says it is English. (Changed in the browser: Chromium lets no page
    that Playwright serves itself send requests to localhost.)"""
    page.add_init_script(f"({MAKE_THE_PAGE_DANISH})({json.dumps(how)})")


def answer_every_message(page: Page, answer: list[dict]) -> list[dict]:
    """Answer the widget's messages with ``answer``; returns the JSON bodies it posts, in order."""
    bodies = []

    def reply(route):
        bodies.append(route.request.post_data_json)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer),
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route("**/webhooks/chat/webhook", reply)
    return bodies


def is_danish(text: str) -> bool:
    """Clearly Danish, or too short to tell (a button like "Ja"); never clearly English."""
    return detect(text) in ("da", None)


def test_a_problem_description_leads_through_self_help_to_a_ticket_reference(
    page, support_page, assistant
):
    widget = open_support_page(page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")

    expect(widget.messages_from("customer").last).to_contain_text("order 10023 was not transferred")
    widget.expect_answer("Log in your IEX dashboard")
    widget.expect_answer("Did that solve it?")
    assert bubbles_of_last_answer(widget) <= 2  # the model's real answer, merged
    dashboard = widget.conversation.get_by_role("link", name="https://app.iex.dk")
    expect(dashboard.first).to_have_attribute("href", "https://app.iex.dk/")
    expect(widget.quick_reply("Yes, it's solved")).to_be_visible()

    widget.quick_reply("No, I still need help").click()
    expect(widget.messages_from("customer").last).to_contain_text("No, I still need help")
    widget.expect_answer("support team")  # the hand-off: a person will take the case
    expect(widget.root.locator(".quick-replies")).to_have_count(0)
    last_time = widget.messages_from("bot").last.locator("time")
    expect(last_time).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))

    widget.expect_answer("e-mail address")
    assert bubbles_of_last_answer(widget) <= 2
    widget.say("anna@webshop.dk")
    widget.expect_answer("log in your IEX dashboard")  # systems, description, order came along
    assert bubbles_of_last_answer(widget) <= 2
    widget.quick_reply("I haven't checked it").click()
    widget.expect_answer("Shall I send it?")
    assert bubbles_of_last_answer(widget) <= 2
    summary = widget.root.get_by_role("region", name="Your case, before it is sent")
    expect(summary).to_contain_text("anna@webshop.dk")
    expect(summary).to_contain_text("orders 10023")
    # The summary once: one card, and no text bubble beside it repeating the fields.
    expect(widget.root.locator(".ticket-summary")).to_have_count(1)
    expect(widget.root.locator("li.message", has=summary).locator(".bubble")).to_have_count(0)
    send_it = summary.get_by_role("button", name="Send it")
    expect(send_it).to_be_in_viewport()
    send_it.click()
    reference = widget.root.locator(".ticket-reference")
    expect(reference).to_contain_text(re.compile(r"IEX-\d{8}-[0-9A-Z]{4}"), timeout=ANSWER_MS)
    assert bubbles_of_last_answer(widget) <= 2

    # The conversation has ended with a ticket: a short rating, stored by the web app.
    rating = widget.root.get_by_role("region", name="How did this conversation go?")
    rating.get_by_role("button", name="4 of 5").click()
    rating.get_by_role("textbox", name="Anything to add? (optional)").fill("Clear questions")
    rating.get_by_role("button", name="Send rating").click()
    expect(rating).to_contain_text("Thanks for your rating!")
    assert (widget.session_id(), 4, "Clear questions", "ticket") in stored_feedback(
        assistant, "SELECT conversation_id, rating, comment, outcome FROM conversation_ratings"
    )
    screenshot(page, "widget-desktop-ticket.png")


def test_the_conversation_survives_a_reload(page, support_page):
    widget = open_support_page(page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")
    widget.expect_answer("Did that solve it?")
    session_before = widget.session_id()
    shown_before = widget.shown_messages()

    page.reload()
    widget = Widget(page)
    expect(widget.messages_from("customer").locator(".bubble")).to_have_text(
        ["order 10023 was not transferred to e-conomic"]
    )
    widget.expect_answer("Log in your IEX dashboard", timeout=5_000)
    assert widget.shown_messages() == shown_before
    assert widget.session_id() == session_before

    # Rasa continues the same conversation: the unanswered question's buttons still work.
    widget.quick_reply("Yes, it's solved").click()
    widget.expect_answer("glad it's sorted")


def test_start_over_begins_a_new_conversation(page, support_page):
    widget = open_support_page(page, support_page)
    widget.say("can I just call you on the phone?")
    widget.expect_answer("billable")
    session_before = widget.session_id()

    widget.root.get_by_role("button", name="Start over").click()
    widget.root.get_by_role("button", name="Yes, start over").click()
    expect(widget.messages_from("customer")).to_have_count(0)
    expect(widget.messages_from("bot")).to_have_count(1)  # the widget's own greeting
    assert widget.session_id() != session_before
    expect(widget.input).to_be_focused()

    widget.say("how long does it take before support answers me?")
    widget.expect_answer("1-3 business days")


def test_html_typed_by_the_customer_is_shown_as_text(page, support_page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    widget = open_support_page(page, support_page)
    payloads = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>"]
    for payload in payloads:
        widget.say(payload)
        expect(widget.messages_from("customer").last.locator(".bubble")).to_have_text(payload)
        widget.expect_delivered()

    assert widget.root.locator(".messages img, .messages script").count() == 0
    assert dialogs == []


def test_articles_and_ticket_blocks_are_rendered_from_custom_payloads(page, support_page):
    # Rasa's answers are replaced here, so every rendering case is covered whatever the model says.
    answers = [
        {"text": "Background reading:\nOrder states \u2013 https://support.iex.dk/en/order-states"
                 "\nNot a link \u2013 javascript:alert(1)"},
        # The same articles as text lines and as cards: the widget shows the cards only.
        {"text": "These help articles should cover it:\n"
                 "- Orders are not transferred: https://support.iex.dk/en/orders"},
        {"custom": {"type": "articles", "articles": [
            {"title": "Orders are not transferred", "url": "https://support.iex.dk/en/orders"},
            {"title": "<img src=x onerror=alert(3)>", "url": "javascript:alert(4)"},
        ]}},
        {"custom": {"type": "ticket_summary", "fields": [
            {"label": "Problem", "value": "Order 10023 was not transferred to e-conomic"},
            {"label": "E-mail", "value": "anna@shop.example"},
        ]}},
        {"text": "Shall I send it?", "buttons": [{"title": "Yes, send it", "payload": "/affirm"}]},
        {"custom": {"type": "ticket_reference", "reference": "IEX-20241127-0042",
                    "due": "Friday 29 November"}},
    ]
    page.route(
        "**/webhooks/chat/webhook",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(answers),
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    widget = open_support_page(page, support_page)
    widget.say("order 10023 was not transferred")

    conversation = widget.conversation
    expect(conversation.get_by_role("link", name="https://support.iex.dk/en/order-states")).to_be_visible()
    expect(conversation.get_by_text("Not a link \u2013 javascript:alert(1)")).to_be_visible()
    expect(conversation.get_by_text("These help articles should cover it:")).to_be_visible()
    expect(conversation.get_by_role("link", name="https://support.iex.dk/en/orders")).to_have_count(0)
    cards = widget.root.get_by_role("list", name="Help articles").locator(".article-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_have_attribute("href", "https://support.iex.dk/en/orders")
    expect(cards.nth(0)).to_contain_text("Orders are not transferred")
    expect(cards.nth(1)).to_have_text("<img src=x onerror=alert(3)>")
    assert cards.nth(1).evaluate("card => card.tagName") == "DIV"  # no link for javascript:

    summary = widget.root.get_by_role("region", name="Your case, before it is sent")
    expect(summary.locator("dt")).to_have_text(["Problem", "E-mail"])
    expect(summary.locator("dd").first).to_have_text("Order 10023 was not transferred to e-conomic")
    reference = widget.root.get_by_role("region", name="Ticket created")
    expect(reference).to_contain_text("IEX-20241127-0042")
    expect(reference).to_contain_text("Friday 29 November")
    assert widget.root.locator(".messages img").count() == 0

    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "widget-desktop-cards.png"))


def tab_to(page: Page, target, presses: int = 30) -> None:
    """Press Tab until ``target`` (an element inside the widget) has the focus."""
    for _ in range(presses):
        if target.evaluate("node => node.getRootNode().activeElement === node"):
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_keyboard_alone_sends_messages_and_picks_answers(any_page, support_page):
    page = any_page
    page.goto(support_page)
    widget = Widget(page)
    if size_name(page) == "phone":
        # A phone shows the launcher only: open the chat from it with the keyboard as well.
        tab_to(page, widget.root.get_by_role("button", name="Chat with us"))
        page.keyboard.press("Enter")
        expect(widget.input).to_be_focused()
    else:
        tab_to(page, widget.input)

    page.keyboard.type("order 10023 was not transferred")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("to e-conomic")
    expect(widget.input).to_have_value("order 10023 was not transferred\nto e-conomic")
    expect(widget.messages_from("customer")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(widget.messages_from("customer").first.locator(".bubble")).to_have_text(
        "order 10023 was not transferred\nto e-conomic"
    )
    widget.expect_answer("Did that solve it?")

    page.keyboard.press("Shift+Tab")  # from the message box back to the last answer button
    expect(widget.quick_reply("No, I still need help")).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.messages_from("customer").last.locator(".bubble")).to_have_text(
        "No, I still need help"
    )
    widget.expect_delivered()
    expect(widget.input).to_be_focused()  # a key, not a tap: the customer types on

    page.keyboard.press("Escape")
    launcher = widget.root.get_by_role("button", name="Chat with us")
    expect(launcher).to_be_focused()
    expect(widget.input).to_be_hidden()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()


def test_a_message_over_the_length_limit_is_refused_in_the_widget(page, support_page):
    widget = open_support_page(page, support_page)
    too_long = "x" * (MAX_MESSAGE_LENGTH + 1)
    widget.say(too_long)

    note = widget.root.locator(".composer-note")
    expect(note).to_contain_text(f"the limit is {MAX_MESSAGE_LENGTH}")
    expect(note).to_contain_text("has not been sent")
    expect(widget.input).to_have_value(too_long)
    expect(widget.input).to_have_attribute("aria-invalid", "true")
    expect(widget.messages_from("customer")).to_have_count(0)


def test_the_open_widget_fits_desktop_and_phone_screens(page, support_page):
    widget = open_support_page(page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")
    widget.expect_answer("Did that solve it?")
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "widget-desktop.png"))

    page.set_viewport_size(PHONE)
    chat_window = widget.root.get_by_role("dialog", name="IEX Support")
    box = chat_window.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    overflowing = widget.root.locator(".conversation").evaluate(
        "element => element.scrollWidth > element.clientWidth"
    )
    assert not overflowing
    # The answer is shown from its start (the advice), also once the screen is narrower.
    expect(widget.messages_from("bot").nth(1).locator(".bubble").first).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS_DIR / "widget-phone.png"))


def test_a_message_typed_while_rasa_is_down_arrives_after_the_restart(page, spare_assistant):
    settings = spare_assistant.settings
    rasa = spare_assistant.service("rasa")
    widget = open_support_page(page, f"http://localhost:{settings.port}/")
    widget.say("can I just call you on the phone?")
    widget.expect_answer("billable")

    rasa.stop()
    widget.say("how long does it take before support answers me?")
    expect(widget.banner).to_contain_text("can't reach the assistant")
    waiting = widget.messages_from("customer").last
    expect(waiting).to_contain_text("will be sent when the connection is back")

    page.reload()  # what was typed is kept in the browser, not in the page
    widget = Widget(page)
    expect(widget.messages_from("customer").last).to_contain_text("how long does it take")
    expect(widget.banner).to_contain_text("can't reach the assistant")
    expect(widget.messages_from("customer").last).to_be_in_viewport(ratio=0.9)
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "widget-desktop-offline.png"))

    rasa.start(log_file=settings.state_dir / "rasa-restarted.log")
    wait_until_ready([rasa], timeout=180)
    widget.expect_answer("1-3 business days", timeout=60_000)
    expect(widget.banner).to_be_hidden()
    expect(widget.messages_from("customer").last).not_to_contain_text("Not sent")


def test_an_old_unsigned_conversation_id_is_replaced_and_the_message_arrives(
    page, support_page, assistant
):
    old = {"sessionId": "web-0123456789abcdef0123456789abcdef", "messages": []}
    page.add_init_script(
        f"localStorage.setItem({json.dumps('iex-support-widget:' + assistant.settings.rasa_url)},"
        f" {json.dumps(json.dumps(old))})"
    )
    widget = open_support_page(page, support_page)
    widget.say("can I just call you on the phone?")
    widget.expect_answer("billable")
    assert widget.session_id() != old["sessionId"] and "." in widget.session_id()
    expect(widget.messages_from("customer").last).not_to_contain_text("Not sent")


def test_a_message_refused_for_its_size_says_why_and_is_not_retried(page, support_page):
    refusals = []

    def too_long(route):
        refusals.append(route.request.post_data)
        route.fulfill(status=413, content_type="application/json",
                      headers={"Access-Control-Allow-Origin": "*"},
                      body=json.dumps({"error": "message_too_long", "retry": False,
                                       "message": "That message is too long for the chat."}))

    page.route("**/webhooks/chat/webhook", too_long)
    widget = open_support_page(page, support_page)
    widget.say("order 10023 was not transferred")
    last = widget.messages_from("customer").last
    expect(last).to_contain_text("Not sent: That message is too long for the chat.")
    expect(last.get_by_role("button", name="Retry sending this message")).to_be_visible()
    page.wait_for_timeout(1500)
    assert len(refusals) == 1  # a refusal is not sent again on its own


def test_a_rate_limited_message_waits_as_told_and_then_arrives(page, support_page):
    calls = []

    def limited_once(route):
        calls.append(route.request.url)
        if len(calls) > 1:
            return route.continue_()
        return route.fulfill(
            status=429, content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*", "Retry-After": "2"},
            body=json.dumps({"error": "too_many_messages", "retry": True, "retry_after": 2,
                             "message": "You're sending messages faster than I can answer."}),
        )

    page.route("**/webhooks/chat/webhook", limited_once)
    widget = open_support_page(page, support_page)
    widget.say("can I just call you on the phone?")
    expect(widget.banner).to_contain_text("faster than I can answer")
    widget.expect_answer("billable")
    expect(widget.banner).to_be_hidden()
    assert len(calls) == 2


def test_a_failed_action_is_explained_and_retry_works_once_it_is_back(page, spare_assistant):
    settings = spare_assistant.settings
    actions = spare_assistant.service("actions")
    widget = open_support_page(page, f"http://localhost:{settings.port}/")
    actions.stop()
    try:
        widget.say("order 10023 was not transferred to e-conomic")
        expect(widget.banner).to_contain_text("went wrong on my side")
        last = widget.messages_from("customer").last
        retry = last.get_by_role("button", name="Retry sending this message")
        # Retried with backoff a few times, then left to the customer ("Not sent yet" while it
        # is still retrying has no button).
        expect(retry).to_be_visible(timeout=40_000)
        expect(last).to_contain_text("Not sent:")
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS_DIR / "widget-desktop-action-failed.png"))
    finally:
        actions.start(log_file=settings.state_dir / "actions-restarted-browser.log")
        wait_until_ready([actions], timeout=120)
    retry.click()
    widget.expect_answer("Did that solve it?")
    expect(widget.messages_from("customer").last).not_to_contain_text("Not sent")


@pytest.mark.parametrize("how", ["html lang", "data-lang"])
def test_on_a_danish_page_the_widget_speaks_danish_and_tells_the_server_once(
    page, support_page, how
):
    make_the_demo_page_danish(page, how)
    # Rasa's answers are replaced: this is about what the widget sends, whatever the model says.
    bodies = answer_every_message(page, [{"text": "Tak, det kigger jeg på."}])
    widget = open_support_page(page, support_page, language="da")

    expect(widget.root).to_have_attribute("lang", "da")
    expect(widget.input).to_have_attribute("placeholder", "Beskriv dit problem\u2026")
    expect(widget.messages_from("bot").first).to_contain_text("supportassistent")
    launcher = widget.root.locator(".launcher")
    expect(launcher).to_have_accessible_name("Luk chatten")
    launcher.click()
    expect(launcher).to_have_accessible_name("Chat med os")
    launcher.click()

    widget.say("min ordre 10023 er ikke blevet overført til e-conomic")
    widget.expect_answer("det kigger jeg på")
    widget.say("ok")
    widget.expect_delivered()
    assert [body.get("language") for body in bodies] == ["da", None]
    assert "language" not in bodies[1]
    session_before = widget.session_id()

    # A new conversation starts with the page's language again.
    widget.root.get_by_role("button", name="Start forfra").click()
    widget.root.get_by_role("button", name="Ja, start forfra").click()
    widget.say("hvor lang tid gaar der foer i svarer paa en sag")
    widget.expect_delivered()
    assert widget.session_id() != session_before
    assert [body.get("language") for body in bodies] == ["da", None, "da"]
    assert bodies[2]["sender"] == widget.session_id()


def test_a_danish_conversation_on_the_danish_demo_page_is_answered_in_danish(
    page, support_page, assistant
):
    # Needs the Danish demo page (/?lang=da) and a model trained with the Danish data.
    widget = open_support_page(page, support_page + "?lang=da", language="da")
    assert page.evaluate("() => document.documentElement.lang") == "da"

    widget.say("min ordre 10023 er ikke blevet overført til e-conomic")
    widget.expect_delivered()
    answer = widget.last_answer_texts()
    assert answer, "the assistant did not answer"
    assert [text for text in answer if not is_danish(text)] == []
    assert any(detect(text) == "da" for text in answer)
    expect(widget.root.get_by_role("group", name="Forslag til svar")).to_be_visible()
    tracker = assistant.chat.tracker(widget.session_id())
    assert tracker["slots"]["language"] == "da"

    # A short answer keeps the conversation in Danish.
    widget.say("nej")
    widget.expect_delivered()
    answer = widget.last_answer_texts()
    assert answer and [text for text in answer if not is_danish(text)] == []
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "widget-desktop-danish.png"))


# ---- Issue 12: the widget at the key steps, at desktop size and at 360 px -----------------------
# Rasa's answers are replaced in the browser (the same every run, and cheap); the web app, its
# help articles and its feedback store are real.


def test_an_answer_is_at_most_two_bubbles_shown_from_its_start(any_page, support_page):
    answer_by_message(any_page, {"order": PROBLEM_ANSWER})
    widget = open_support_page(any_page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")
    expect(widget.quick_reply("No, I still need help")).to_be_visible()

    assert bubbles_of_last_answer(widget) == 2
    first_answer = widget.messages_from("bot").nth(1)  # after the widget's greeting
    expect(first_answer).to_contain_text("Please check the Log")
    expect(first_answer.locator(".bubble")).to_be_in_viewport()  # the advice, not the end
    expect(first_answer.get_by_role("list", name="Help articles")).to_be_visible()
    screenshot(any_page, f"widget-{size_name(any_page)}-answer.png")


#: A problem answer taller than the chat window at either size.
LONG_ANSWER = [{"text": " ".join([PROBLEM_ANSWER[0]["text"]] * 4)}, *PROBLEM_ANSWER[1:]]


def test_a_long_answer_after_earlier_ones_is_shown_from_its_first_message(any_page, support_page):
    answer_by_message(any_page, {"order": LONG_ANSWER})
    widget = open_support_page(any_page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")
    expect(widget.quick_reply("No, I still need help")).to_be_visible()
    widget.say("order 10024 was not transferred either")
    expect(widget.messages_from("customer")).to_have_count(2)
    widget.expect_answer("Did that solve it?")

    where = any_page.evaluate(
        """() => {
            const root = document.querySelector("#iex-support-widget").shadowRoot;
            const scroller = root.querySelector(".conversation");
            const items = [...root.querySelectorAll(".messages > li")];
            const last = items.findLastIndex(item => item.classList.contains("customer"));
            const first = items[last + 1];
            return {
                top: first.getBoundingClientRect().top - scroller.getBoundingClientRect().top,
                fromEnd: scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight,
            };
        }"""
    )
    assert 0 <= where["top"] < 40, where  # the start of the new answer, at the top
    assert where["fromEnd"] > 100, where  # not scrolled to its end
    screenshot(any_page, f"widget-{size_name(any_page)}-long-answer.png")


def test_the_case_summary_is_one_card_with_send_it_as_its_main_action(any_page, support_page):
    answer_by_message(any_page, {"anna": SUMMARY_ANSWER})
    widget = open_support_page(any_page, support_page)
    widget.say("anna@webshop.dk")

    summary = widget.root.get_by_role("region", name="Your case, before it is sent")
    expect(summary).to_be_visible()
    expect(widget.root.locator(".ticket-summary")).to_have_count(1)
    expect(widget.conversation.get_by_text("Here is your case")).to_have_count(0)
    expect(summary.locator("dt")).to_have_text([label for label, _ in SUMMARY_FIELDS])
    expect(summary).to_contain_text("Shall I send it?")
    send_it = summary.get_by_role("button", name="Send it")
    dont_send = summary.get_by_role("button", name="Don't send")
    expect(send_it).to_have_class(re.compile(r"\bprimary\b"))
    expect(dont_send).to_have_class(re.compile(r"\bsecondary\b"))
    expect(summary.get_by_role("button", name="Change e-mail")).to_have_class(
        re.compile(r"\bcorrection\b"))
    # The whole card, "Send it" included, is on screen without scrolling.
    expect(summary).to_be_in_viewport(ratio=1)
    colours = [button.evaluate("node => getComputedStyle(node).backgroundColor")
               for button in (send_it, dont_send)]
    assert colours[0] != colours[1]
    screenshot(any_page, f"widget-{size_name(any_page)}-summary.png")


def test_start_over_asks_first_and_keeps_the_ticket_reference_with_a_copy_button(
    any_page, support_page
):
    answer_by_message(any_page, {"Send": TICKET_ANSWER})
    widget = open_support_page(any_page, support_page)
    widget.say("Send it")
    reference = widget.root.get_by_role("region", name="Ticket created")
    expect(reference).to_contain_text("IEX-20261202-K7QX")
    reference.get_by_role("button", name="Copy the reference").click()
    expect(reference.get_by_role("button", name="Copy the reference")).to_have_text("Copied")
    assert any_page.evaluate("() => navigator.clipboard.readText()") == "IEX-20261202-K7QX"

    widget.root.get_by_role("button", name="Start over").click()
    question = widget.root.get_by_role("group", name=re.compile("Start a new conversation"))
    expect(question).to_be_visible()
    expect(question).to_contain_text("your case references stay")
    screenshot(any_page, f"widget-{size_name(any_page)}-start-over.png")
    question.get_by_role("button", name="Keep this conversation").click()
    expect(question).to_be_hidden()
    expect(widget.messages_from("customer")).to_have_count(1)  # nothing was lost

    widget.root.get_by_role("button", name="Start over").click()
    question.get_by_role("button", name="Yes, start over").click()
    expect(widget.messages_from("customer")).to_have_count(0)
    cases = widget.root.get_by_role("region", name="Your cases")
    expect(cases).to_contain_text("IEX-20261202-K7QX")
    expect(cases).to_contain_text("Friday 4 December")
    widget = open_support_page(any_page, support_page)  # a new visit
    cases = widget.root.get_by_role("region", name="Your cases")
    expect(cases).to_contain_text("IEX-20261202-K7QX")


def test_an_article_opens_inside_the_widget_and_did_this_help_is_stored(
    any_page, support_page, assistant
):
    answer_by_message(any_page, {"order": PROBLEM_ANSWER, "/affirm": SOLVED_ANSWER})
    widget = open_support_page(any_page, support_page)
    widget.say("order 10023 was not transferred to e-conomic")
    card = widget.root.get_by_role("link", name=re.compile("Selecting the order stage"))
    card.click()

    panel = widget.root.get_by_role("region", name=re.compile("Selecting the order stage"))
    expect(panel).to_be_visible()  # the web app's own article, its full title
    expect(panel).to_contain_text("automatic booking")
    expect(widget.conversation).to_be_hidden()
    expect(any_page).to_have_url(support_page)  # still on the page, in the chat
    helped = panel.get_by_role("group", name="Did this help?")
    expect(helped).to_be_in_viewport()
    helped.get_by_role("button", name="Yes").click()
    expect(helped).to_contain_text("Thanks for telling us.")
    # The answer given is marked, the other is not.
    expect(helped.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    expect(helped.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "false")
    screenshot(any_page, f"widget-{size_name(any_page)}-article.png")
    rows = stored_feedback(
        assistant, "SELECT conversation_id, slug, helped FROM article_feedback"
    )
    assert (widget.session_id(), "selecting-the-order-stage", 1) in rows

    panel.get_by_role("button", name="Back to the chat").click()
    expect(widget.conversation).to_be_visible()
    expect(card).to_be_focused()

    # Solved: the conversation has ended, and its rating is stored with that outcome.
    widget.quick_reply("Yes, it's solved").click()
    rating = widget.root.get_by_role("region", name="How did this conversation go?")
    rating.get_by_role("button", name="5 of 5").click()
    rating.get_by_role("button", name="Send rating").click()
    expect(rating).to_contain_text("Thanks for your rating!")
    assert (widget.session_id(), 5, "solved") in stored_feedback(
        assistant, "SELECT conversation_id, rating, outcome FROM conversation_ratings"
    )


#: A tap as older Safari reports it: a touch pointerdown, then a click with no pointerType.
TAP_WITHOUT_POINTER_TYPE = """title => {
    const root = document.querySelector("#iex-support-widget").shadowRoot;
    const button = [...root.querySelectorAll(".quick-reply")].find(b => b.textContent === title);
    button.dispatchEvent(new PointerEvent("pointerdown", {
        bubbles: true, composed: true, pointerType: "touch", isPrimary: true}));
    button.dispatchEvent(new MouseEvent("click", {bubbles: true, composed: true, detail: 1}));
}"""


def test_a_tap_whose_click_names_no_pointer_pops_up_no_keyboard(browser, support_page):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        answer_by_message(page, {"order": PROBLEM_ANSWER, "/deny": EMAIL_QUESTION})
        widget = open_support_page(page, support_page)
        widget.say("order 10023 was not transferred to e-conomic")
        expect(widget.quick_reply("No, I still need help")).to_be_visible()
        expect(widget.input).to_be_focused()  # typed: the keyboard is up

        page.evaluate(TAP_WITHOUT_POINTER_TYPE, "No, I still need help")
        widget.expect_answer("Which e-mail address")
        expect(widget.input).not_to_be_focused()
    finally:
        context.close()


def test_on_a_phone_the_chat_waits_behind_its_launcher_and_keeps_the_focus(
    browser, support_page
):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    try:
        answer_by_message(page, {"order": PROBLEM_ANSWER, "/deny": EMAIL_QUESTION})
        page.goto(support_page)  # the demo page asks for the chat open (data-open="true")
        widget = Widget(page)
        launcher = widget.root.get_by_role("button", name="Chat with us")
        expect(launcher).to_be_visible()
        expect(widget.root.get_by_role("dialog")).to_be_hidden()
        screenshot(page, "widget-phone-launcher.png")

        launcher.tap()
        dialog = widget.root.get_by_role("dialog", name="IEX Support")
        expect(dialog).to_have_attribute("aria-modal", "true")
        expect(widget.input).not_to_be_focused()  # no keyboard popping up on a tap

        widget.say("order 10023 was not transferred to e-conomic")
        expect(widget.quick_reply("No, I still need help")).to_be_visible()
        widget.quick_reply("No, I still need help").tap()
        widget.expect_answer("Which e-mail address")
        expect(widget.input).not_to_be_focused()
        expect(widget.input).to_have_attribute("placeholder", "name@company.dk")
        expect(widget.input).to_have_attribute("inputmode", "email")

        # Tab and Shift+Tab go round the full-screen dialog, never to the page behind it.
        widget.input.focus()
        seen = set()
        for _ in range(12):
            page.keyboard.press("Tab")
            focused = focused_in_widget(page)
            assert focused, "the focus left the dialog for the page behind it"
            seen.add(focused)
        assert {"Start over", "Close chat", "TEXTAREA", "Send message"} <= seen
        for _ in range(4):
            page.keyboard.press("Shift+Tab")
            assert focused_in_widget(page)
        screenshot(page, "widget-phone-email-question.png")
    finally:
        context.close()
