"""Plain readers of a conversation's tracker events (lists of dicts), free of Rasa objects."""
from __future__ import annotations

from collections.abc import Iterable

FALLBACK_INTENT = "nlu_fallback"

#: Problem intents and the category a ticket and the inbox file them under.
PROBLEM_CATEGORIES = {
    "report_order_not_transferred": "order_transfer",
    "report_product_not_created": "products",
    "report_customer_not_created": "customers",
    "report_stock_not_updated": "stock",
    "report_vat_mismatch": "vat",
    "report_payment_problem": "payments",
    "report_invoice_problem": "invoices",
    "report_integration_inactive": "integration_inactive",
    "report_error_email": "error_notifications",
}

#: Categories whose problem is a transfer that failed, where the dashboard log says why.
TRANSFER_CATEGORIES = frozenset(PROBLEM_CATEGORIES.values()) - {"error_notifications"}


def user_events(events: Iterable[dict]) -> list[dict]:
    return [event for event in events if event.get("event") == "user"]


def intent_of(event: dict) -> str | None:
    return (event.get("parse_data") or {}).get("intent", {}).get("name")


def systems_mentioned(events: Iterable[dict]) -> list[str]:
    """Every system the customer named so far, in order of first mention, without repeats."""
    systems: list[str] = []
    for event in user_events(events):
        for entity in (event.get("parse_data") or {}).get("entities", []):
            value = entity.get("value")
            if entity.get("entity") == "system" and value and value not in systems:
                systems.append(value)
    return systems


def misunderstandings_in_a_row(events: Iterable[dict]) -> int:
    """How many of the latest customer messages in a row were not understood."""
    count = 0
    for event in reversed(user_events(events)):
        if intent_of(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


def latest_problem_report(events: Iterable[dict]) -> dict | None:
    """The customer's most recent message that reported a problem (a report_* intent)."""
    for event in reversed(user_events(events)):
        if intent_of(event) in PROBLEM_CATEGORIES:
            return event
    return None


def latest_problem(events: Iterable[dict]) -> tuple[str | None, str]:
    """The category and the customer's words of the most recent problem report."""
    report = latest_problem_report(events)
    if report is None:
        return None, ""
    return PROBLEM_CATEGORIES[intent_of(report)], report.get("text") or ""
