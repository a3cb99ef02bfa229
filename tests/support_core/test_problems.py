"""The problem catalogue: the category of a report comes from its words or its quoted log status."""
import pytest

from bot.config import PROJECT_ROOT
from support_core.problems import (
    GENERAL_PROBLEM,
    LOG_STATUSES,
    OTHER,
    PROBLEMS,
    categories,
    category_of,
    log_status_in,
    problem,
    problem_for,
)
from tests.conversation_builders import domain


@pytest.mark.parametrize(("text", "category"), [
    ("order 10023 was not transferred to e-conomic", "order_transfer"),
    ("duplicate orders in economic", "order_transfer"),
    ("product not created in dinero", "products"),
    ("customer not created", "customers"),
    ("stock not updated", "stock"),
    ("VAT is wrong on the invoices", "vat"),
    ("invoice not marked as paid", "payments"),
    ("payout missing from stripe", "payments"),
    ("credit note for a refund never made it", "invoices"),
    ("rounding difference in dinero", "invoices"),
    ("nothing has been transferred since yesterday", "integration_inactive"),
    ("the integration has stopped", "integration_inactive"),
    ("I get error emails every day", "error_notifications"),
    ("something strange happened", OTHER),
    ("", OTHER),
])
def test_the_category_comes_from_the_customers_words(text, category):
    assert category_of(text) == category


def test_the_category_with_most_keyword_hits_wins():
    assert category_of("the order is there but the VAT on the invoice and the vat code differ") \
        == "vat"


def test_a_quoted_skipped_status_is_an_order_transfer_problem():
    text = "the log says Skipped - order not in allowed states"
    status = log_status_in(text)
    assert status.name == "skipped"
    assert status.response == "utter_log_status_skipped"
    assert status.article == "log-status-skipped-order-not-in-allowed-states"
    assert problem_for(text).category == "order_transfer"


@pytest.mark.parametrize("text", [
    "SKIPPED - ORDER NOT IN ALLOWED STATES on every woocommerce order",
    "iex skipped #3390",
    "the dashboard says not in the allowed order states",
])
def test_the_skipped_status_is_recognised_however_it_is_quoted(text):
    assert log_status_in(text).name == "skipped"


def test_a_totals_validation_error_decides_the_category_over_the_other_words():
    text = "getting Error in totals validation on order #20931 and order #20932"
    assert category_of(text) == "order_transfer"  # "order" twice outvotes "validation"
    assert log_status_in(text).name == "totals_validation"
    assert problem_for(text).category == "invoices"


def test_words_without_a_known_status_decide_alone():
    assert log_status_in("stock is not updated in Shopify") is None
    assert problem_for("stock is not updated in Shopify").category == "stock"
    assert problem_for("hello?") is GENERAL_PROBLEM


def test_an_unknown_or_missing_category_is_the_general_problem():
    assert problem("no_such_category") is GENERAL_PROBLEM
    assert problem(None) is GENERAL_PROBLEM
    assert problem("vat").label == "VAT does not match"


def test_every_category_is_listed_once_with_other_last():
    listed = categories()
    assert listed[-1] == OTHER
    assert len(listed) == len(set(listed)) == len(PROBLEMS) + 1


def test_order_problems_need_order_numbers_and_notifications_need_none():
    assert problem("order_transfer").example_kind == "orders"
    assert problem("order_transfer").examples_required
    assert problem("stock").example_kind == "products"
    assert not problem("error_notifications").examples_required
    assert not problem("error_notifications").log_explains


def test_every_category_and_log_status_has_its_response_in_the_domain():
    responses = domain()["responses"]
    for category in categories():
        assert problem(category).self_help_response in responses
    for status in LOG_STATUSES:
        assert status.response in responses


def test_every_log_status_points_to_a_published_article_of_its_category():
    for status in LOG_STATUSES:
        assert (PROJECT_ROOT / "data" / "articles" / f"{status.article}.md").is_file()
        assert status.category in categories()


def test_every_category_article_is_published():
    articles = [item.article for item in PROBLEMS if item.article]
    assert len(articles) >= 5
    for slug in articles:
        assert (PROJECT_ROOT / "data" / "articles" / f"{slug}.md").is_file()
