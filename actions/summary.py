"""The summary of a case that the customer confirms before it goes to the support team."""
from __future__ import annotations

from typing import Any

from actions.case_fields import urgency_requested
from actions.wording import words
from support_core.language import DEFAULT_LANGUAGE

#: The response whose custom words label the summary.
SUMMARY_WORDS = "utter_case_summary_words"


def _listing(values: Any, said: dict[str, str]) -> str:
    return ", ".join(values) if values else said["not_given"]


def _examples(slots: dict[str, Any], said: dict[str, str]) -> str:
    parts = []
    if slots.get("order_ids"):
        parts.append(f"{said['orders']} " + ", ".join(slots["order_ids"]))
    if slots.get("product_ids"):
        parts.append(f"{said['products']} " + ", ".join(slots["product_ids"]))
    if slots.get("other_references"):
        parts.append(f"{said['other']}: " + "; ".join(slots["other_references"]))
    if parts:
        return "; ".join(parts)
    return said["none_available"] if slots.get("examples") == "none" else said["not_given"]


def _log(slots: dict[str, Any], said: dict[str, str]) -> str:
    if slots.get("log_checked") is False:
        return said["log_not_checked"]
    if slots.get("log_status"):
        return f"{said['log_status']} {slots['log_status']}"
    return said["log_checked"] if slots.get("log_checked") else said["not_given"]


def summary_fields(
    slots: dict[str, Any], events: list[dict], language: str = DEFAULT_LANGUAGE
) -> list[dict[str, str]]:
    """Every field of the case as label and value, in the order the support team reads them,
    worded in the conversation's language."""
    said = words(SUMMARY_WORDS, language)
    fields = [
        {"label": said["email"], "value": slots.get("contact_email") or said["not_given"]},
        {"label": said["systems"], "value": _listing(slots.get("ticket_systems"), said)},
        {"label": said["description"], "value": slots.get("description") or said["not_given"]},
        {"label": said["examples"], "value": _examples(slots, said)},
        {"label": said["log"], "value": _log(slots, said)},
    ]
    if urgency_requested(events):
        fields.append({"label": said["urgent"], "value": said["urgent_noted"]})
    return fields


def summary_lines(fields: list[dict[str, str]]) -> str:
    """The fields as plain text, one a line, for the summary response (utter_case_summary)."""
    return "\n".join(f"{item['label']}: {item['value']}" for item in fields)
