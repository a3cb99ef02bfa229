"""Analytics checked against a tracker store seeded, through Rasa's SQLTrackerStore, with known
conversations; the chart and the NLU export of the messages that were not understood."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.inbox.analytics import (
    FAIR,
    GOOD,
    MESSAGE_PREVIEW_LENGTH,
    NOT_UNDERSTOOD_PAGE_SIZE,
    POOR,
    ArticleUse,
    UnderstoodNot,
    analytics,
    not_understood_page,
    rate,
    rating,
    shortened,
)
from bot.inbox.chart import daily_chart_svg
from bot.inbox.conversations import TrackerReader
from bot.inbox.exports import PLACEHOLDER_INTENT, nlu_stub
from bot.inbox.periods import Period, period_from
from bot.request_values import MalformedInput
from tests.bot.inbox_support import (
    Conversation,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    save_conversations,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WEEK = Period(date(2026, 11, 16), date(2026, 11, 22), COPENHAGEN)
ORDER_STATES = "https://support.iex.dk/en/articles/a-order-states"
VAT_CODES = "https://support.iex.dk/en/articles/b-vat-codes"
STOCK = "https://support.iex.dk/en/articles/c-stock"


def known_conversations() -> dict[str, Conversation]:
    """Ten conversations in the week of 16-22 Nov 2026 (Copenhagen), and three outside it."""
    returning = (
        Conversation("2026-11-10T09:00:00Z")  # outside the week: resolved with ORDER_STATES
        .customer("orders are missing", "report_problem").articles(ORDER_STATES)
        .customer("yes", "affirm").slot("self_help_outcome", "resolved")
        .new_session("2026-11-21T12:00:00Z")  # inside: the slots above are carried over
        .customer("the VAT is wrong now", "report_problem")
    )
    return {
        "resolved-1": Conversation("2026-11-16T09:00:00Z")
        .customer("hi", "greet").bot("Hi! What went wrong?")
        .customer("Shopify orders don't reach e-conomic", "report_problem")
        .articles(ORDER_STATES, VAT_CODES)
        .bot("Did that solve it?", buttons=[{"title": "Yes", "payload": "/affirm"}])
        .customer("/affirm", "affirm").slot("self_help_outcome", "resolved"),
        "resolved-2": Conversation("2026-11-17T09:00:00Z")
        .customer("order 10023 missing", "report_problem").articles(ORDER_STATES)
        .customer("that fixed it", "affirm").slot("self_help_outcome", "resolved"),
        "ticket-1": Conversation("2026-11-17T10:00:00Z")
        .customer("VAT differs in Dinero", "report_problem").articles(VAT_CODES)
        .customer("no", "deny").slot("self_help_outcome", "unresolved")
        .customer("kunde@webshop.dk", "inform").slot("ticket_reference", "IEX-20261117-AAAA"),
        "ticket-2": Conversation("2026-11-18T10:00:00Z")
        .customer("I want a person", "request_human")
        .customer("kunde@webshop.dk", "inform").slot("ticket_reference", "IEX-20261118-BBBB"),
        "abandoned-1": Conversation("2026-11-19T10:00:00Z")
        .customer("stock is not updated", "report_problem").articles(STOCK),
        "not-understood-1": Conversation("2026-11-20T10:00:00Z")
        .customer("blorf wibble", "nlu_fallback").bot("Sorry, I didn't get that.")
        .customer("Blorf   WIBBLE", "nlu_fallback"),
        "answered-1": Conversation("2026-11-21T10:00:00Z")
        .customer("how fast do you answer?", "ask_response_time").bot("1-3 business days.")
        .customer("thanks", "thank"),
        "fallback-then-resolved": Conversation("2026-11-22T10:00:00Z")
        .customer("hvad med mine ordrer?", "nlu_fallback")
        .customer("orders not transferred", "report_problem").articles(ORDER_STATES)
        .customer("yes", "affirm").slot("self_help_outcome", "resolved"),
        "returning": returning,
        "late": Conversation("2026-11-22T22:59:00Z")  # 23:59 in Copenhagen: still the 22nd
        .customer("hello", "greet").customer("bye", "goodbye"),
        "before": Conversation("2026-11-15T10:00:00Z")
        .customer("orders missing", "report_problem").articles(STOCK)
        .customer("yes", "affirm").slot("self_help_outcome", "resolved"),
        "after-midnight": Conversation("2026-11-22T23:00:00Z")  # 00:00 on the 23rd
        .customer("my stock", "report_problem")
        .slot("ticket_reference", "IEX-20261123-CCCC"),
    }


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("analytics"))
    save_conversations(settings.tracker_db, known_conversations())
    create_staff(settings)
    return settings


@pytest.fixture(scope="module")
def report(settings):
    reader = TrackerReader(settings.tracker_db)
    return analytics(reader.conversations(WEEK.start, WEEK.end), WEEK)


@pytest.fixture(scope="module")
def client(settings):
    return logged_in(inbox_app(settings))


# --- the numbers -------------------------------------------------------------------------------


def test_conversations_and_outcomes_of_the_period(report):
    assert report.conversations == 10
    assert (report.resolved, report.tickets, report.abandoned) == (3, 2, 2)
    assert (report.not_understood_conversations, report.answered) == (1, 2)


def test_deflection_rate_is_resolved_over_conversations_with_a_problem(report):
    assert report.with_problem == 7
    assert report.deflection_rate == pytest.approx(3 / 7)


def test_articles_by_times_shown_and_how_often_they_helped(report):
    assert report.articles == [
        ArticleUse(ORDER_STATES, shown=3, helped=3),
        ArticleUse(VAT_CODES, shown=2, helped=1),
        ArticleUse(STOCK, shown=1, helped=0),
    ]
    assert report.articles[1].help_rate == 0.5


def test_most_frequent_intents(report):
    assert report.intents[:5] == [
        ("report_problem", 6), ("affirm", 3), ("nlu_fallback", 3), ("greet", 2), ("inform", 2),
    ]
    assert sum(count for _, count in report.intents) == 21


def test_fallback_rate_is_over_customer_messages(report):
    assert (report.fallback_messages, report.customer_messages) == (3, 21)
    assert report.fallback_rate == pytest.approx(1 / 7)


def test_messages_not_understood_are_grouped_regardless_of_case_and_spacing(report, settings):
    texts = [(item.text, item.count) for item in report.not_understood]
    reader = TrackerReader(settings.tracker_db)
    latest = reader.conversation(report.not_understood[0].conversation_id)

    assert texts == [("blorf wibble", 2), ("hvad med mine ordrer?", 1)]
    assert latest.sender_id == "not-understood-1"


def test_conversations_and_deflection_per_day(report):
    per_day = [(day.day.day, day.conversations, day.with_problem, day.resolved)
               for day in report.days]

    assert per_day == [
        (16, 1, 1, 1), (17, 2, 2, 1), (18, 1, 1, 0), (19, 1, 1, 0), (20, 1, 0, 0),
        (21, 2, 1, 0), (22, 2, 1, 1),
    ]
    assert report.days[4].deflection_rate is None
    assert report.days[1].deflection_rate == 0.5


def test_another_period_counts_other_conversations(settings):
    reader = TrackerReader(settings.tracker_db)
    day = Period(date(2026, 11, 23), date(2026, 11, 23), COPENHAGEN)

    report = analytics(reader.conversations(day.start, day.end), day)

    assert (report.conversations, report.tickets, report.deflection_rate) == (1, 1, 0.0)


def test_an_empty_period_has_no_rates():
    empty = analytics([], WEEK)

    assert (empty.conversations, empty.deflection_rate, empty.fallback_rate) == (0, None, None)
    assert [day.conversations for day in empty.days] == [0] * 7
    assert rate(1, 0) is None


def test_period_defaults_to_the_last_thirty_days_and_is_put_in_order():
    today = date(2026, 11, 27)

    assert period_from(None, None, COPENHAGEN, today) == Period(
        date(2026, 10, 29), today, COPENHAGEN
    )
    assert period_from("2026-11-22", "2026-11-16", COPENHAGEN, today) == WEEK
    assert period_from("2020-01-01", "2026-11-27", COPENHAGEN, today).first == date(2025, 11, 27)
    assert period_from("", "", COPENHAGEN, today).last == today


@pytest.mark.parametrize(
    ("first", "last"), [("garbage", ""), ("0001-01-01", "9999-12-31"), ("", "2026-11-2²")]
)
def test_a_period_of_days_that_are_no_days_is_refused(first, last):
    with pytest.raises(MalformedInput, match="must be a day written YYYY-MM-DD"):
        period_from(first, last, COPENHAGEN, date(2026, 11, 27))

# --- the page, the chart and the export --------------------------------------------------------


def stat(page: str, name: str) -> str:
    return re.search(rf'id="stat-{name}">([^<]*)<', page).group(1)


def test_analytics_page_shows_the_numbers_of_the_chosen_period(client):
    page = client.get("/inbox/analytics?from=2026-11-16&to=2026-11-22").text

    assert stat(page, "conversations") == "10"
    assert stat(page, "resolved") == "3"
    assert stat(page, "tickets") == "2"
    assert stat(page, "abandoned") == "2"
    assert stat(page, "not-understood") == "1"
    assert stat(page, "deflection") == "43 %"
    assert stat(page, "fallback") == "14 %"
    assert ORDER_STATES in page and "blorf wibble" in page
    assert "<code>report_problem</code>" in page
    assert 'src="/inbox/analytics/chart.svg?from=2026-11-16&amp;to=2026-11-22"' in page
    assert 'href="/inbox/export/not-understood.yml?from=2026-11-16&amp;to=2026-11-22"' in page


def test_analytics_page_without_conversations(client):
    page = client.get("/inbox/analytics?from=2020-01-01&to=2020-01-31").text

    assert stat(page, "conversations") == "0"
    assert stat(page, "deflection") == "–"
    assert "understood every message" in page


def test_chart_is_an_svg_of_the_days(client):
    reply = client.get("/inbox/analytics/chart.svg?from=2026-11-16&to=2026-11-22")

    assert reply.status == 200
    assert reply.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(reply.body)
    assert root.tag.endswith("svg")
    assert "16 Nov" in reply.text and "22 Nov" in reply.text
    assert "Deflection rate" in reply.text


def test_chart_is_the_same_for_the_same_numbers(report):
    assert daily_chart_svg(report.days) == daily_chart_svg(report.days)


def test_not_understood_export_is_nlu_training_data_rasa_reads(client):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    reply = client.get("/inbox/export/not-understood.yml?from=2026-11-16&to=2026-11-22")

    assert reply.status == 200
    assert 'filename="not-understood-20261116-20261122.yml"' in reply.headers[
        "content-disposition"
    ]
    assert 'version: "3.1"' in reply.text
    training_data = RasaYAMLReader().reads(reply.text)
    assert [(m.get("text"), m.get("intent")) for m in training_data.intent_examples] == [
        ("blorf wibble", PLACEHOLDER_INTENT), ("hvad med mine ordrer?", PLACEHOLDER_INTENT),
    ]


def test_nlu_stub_keeps_awkward_messages_as_one_line_examples():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    awkward = [
        'she said: "it\'s #broken" - really',
        "two\nlines\tand\x07 a bell",
        "- looks like a list item",
        "version: 2",
        "æøå ÆØÅ",
    ]
    stub = nlu_stub([UnderstoodNot(text, 1, 1) for text in awkward], WEEK)

    texts = [m.get("text") for m in RasaYAMLReader().reads(stub).intent_examples]
    assert texts == [
        'she said: "it\'s #broken" - really', "two lines and a bell",
        "- looks like a list item", "version: 2", "æøå ÆØÅ",
    ]


def test_nlu_stub_without_messages_is_still_valid_yaml():
    import yaml

    stub = yaml.safe_load(nlu_stub([], WEEK))

    assert stub["version"] == "3.1"
    assert stub["nlu"][0]["intent"] == PLACEHOLDER_INTENT


# --- colours from thresholds, the paged not-understood list, articles by title ------------------


@pytest.mark.parametrize(
    ("value", "higher_is_better", "rated"),
    [
        (0.01, True, POOR), (0.3, True, FAIR), (0.6, True, GOOD), (None, True, ""),
        (0.05, False, GOOD), (0.1, False, FAIR), (0.2, False, POOR),
    ],
)
def test_rates_are_rated_by_their_thresholds(value, higher_is_better, rated):
    assert rating(value, (0.3, 0.6) if higher_is_better else (0.05, 0.15), higher_is_better) == (
        rated
    )


def test_long_messages_are_cut_at_a_space_near_the_end():
    assert shortened("short", 160) == "short"
    assert shortened("x" * 5000, 160) == "x" * 159 + "…"
    assert shortened("word " * 100, 20) == "word word word word…"
    assert shortened("words " * 100, 20) == "words words words…"


def test_the_not_understood_list_is_paged():
    items = [UnderstoodNot(f"message {n}", 1, n) for n in range(23)]

    first, last, beyond = (not_understood_page(items, n, size=10) for n in (1, 3, 9))

    assert [item.conversation_id for item in first.items] == list(range(10))
    assert (last.number, last.pages, last.total, len(last.items)) == (3, 3, 23, 3)
    assert beyond.number == 3


LONG_MESSAGE = "wibble " * 700  # some 5,000 characters


@pytest.fixture(scope="module")
def noisy_settings(tmp_path_factory):
    """A week with one conversation: an article with a title, then 12 messages not understood."""
    folder = tmp_path_factory.mktemp("noisy")
    articles = folder / "articles"
    articles.mkdir()
    (articles / "order-states.md").write_text(
        f"---\nslug: order-states\ntitle: Which order states are transferred\nurl: {ORDER_STATES}\n"
        "systems: [shopify]\ntags: [orders]\n---\nOnly orders in allowed states are transferred.\n",
        encoding="utf-8",
    )
    conversation = Conversation("2026-11-17T09:00:00Z").customer(
        "orders are missing", "report_problem"
    ).articles(ORDER_STATES)
    for number in range(11):
        conversation.customer(f"blorf number {number}", "nlu_fallback")
    conversation.customer(LONG_MESSAGE, "nlu_fallback")
    settings = inbox_settings(folder, articles_dir=articles)
    save_conversations(settings.tracker_db, {"web-noisy": conversation})
    create_staff(settings)
    return settings


def test_analytics_colour_the_rates_by_the_configured_thresholds(noisy_settings):
    strict = replace(noisy_settings, deflection_rate_thresholds=(0.5, 0.8),
                     fallback_rate_thresholds=(0.5, 0.95))
    page = logged_in(inbox_app(strict)).get(
        "/inbox/analytics?from=2026-11-16&to=2026-11-22"
    ).text

    assert re.search(r'class="stat poor" id="deflection-card"', page)  # 0 % resolved
    assert re.search(r'class="stat fair" id="fallback-card"', page)  # 12 of 13 messages
    assert "good from 80 %, poor below 50 %" in page


def test_the_not_understood_list_shows_a_page_of_cut_messages_with_their_conversation(
    noisy_settings,
):
    client = logged_in(inbox_app(noisy_settings))
    first = client.get("/inbox/analytics?from=2026-11-16&to=2026-11-22").text
    second = client.get("/inbox/analytics?from=2026-11-16&to=2026-11-22&page=2").text

    def rows(page: str) -> list[str]:
        table = page[page.index('id="not-understood"'):]
        return re.findall(r"<tr><td class=\"summary\">(.*?)</td>", table, re.S)

    assert len(rows(first)) == NOT_UNDERSTOOD_PAGE_SIZE
    assert len(rows(second)) == 12 - NOT_UNDERSTOOD_PAGE_SIZE
    everything = rows(first) + rows(second)
    assert max(len(row) for row in everything) <= MESSAGE_PREVIEW_LENGTH
    assert LONG_MESSAGE.strip() not in first + second
    assert "read it all" in first + second
    assert "Page 1 of 2" in first and "page=2#not-understood-section" in first
    assert "Export all 12" in first


def test_analytics_name_articles_by_title(noisy_settings):
    page = logged_in(inbox_app(noisy_settings)).get(
        "/inbox/analytics?from=2026-11-16&to=2026-11-22"
    ).text
    articles = page[page.index('id="articles"'):page.index('id="intents"')]

    assert f'href="{ORDER_STATES}"' in articles
    assert ">Which order states are transferred</a>" in articles
