"""The summary of a case that the customer confirms before it goes to the support team."""
from __future__ import annotations

from typing import Any

from actions.case_fields import urgency_requested

NOT_GIVEN = "not given"


def _listing(values: Any) -> str:
    return ", ".join(values) if values else NOT_GIVEN


def _examples(slots: dict[str, Any]) -> str:
    parts = []
    if slots.get("order_ids"):
        parts.append("orders " + ", ".join(slots["order_ids"]))
    if slots.get("product_ids"):
        parts.append("products " + ", ".join(slots["product_ids"]))
    if slots.get("other_references"):
        parts.append("other: " + "; ".join(slots["other_references"]))
    if parts:
        return "; ".join(parts)
    return "none available" if slots.get("examples") == "none" else NOT_GIVEN


def _log(slots: dict[str, Any]) -> str:
    if slots.get("log_checked") is False:
        return "not checked"
    if slots.get("log_status"):
        return f"checked, status: {slots['log_status']}"
    return "checked" if slots.get("log_checked") else NOT_GIVEN


def summary_fields(slots: dict[str, Any], events: list[dict]) -> list[dict[str, str]]:
    """Every field of the case as label and value, in the order the support team reads them."""
    fields = [
        {"label": "E-mail", "value": slots.get("contact_email") or NOT_GIVEN},
        {"label": "Systems", "value": _listing(slots.get("ticket_systems"))},
        {"label": "Description", "value": slots.get("description") or NOT_GIVEN},
        {"label": "Examples", "value": _examples(slots)},
        {"label": "Dashboard log", "value": _log(slots)},
    ]
    if urgency_requested(events):
        fields.append({
            "label": "Urgent",
            "value": "noted, but cases are answered in the order they arrive",
        })
    return fields


def summary_lines(fields: list[dict[str, str]]) -> str:
    """The fields as plain text, one a line, for the summary response (utter_case_summary)."""
    return "\n".join(f"{item['label']}: {item['value']}" for item in fields)
