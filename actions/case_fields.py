"""Read the fields of a support case from what the customer typed, and say what is wrong if not.

Plain functions used by the ticket form (actions/forms.py); no Rasa objects needed to test them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from actions.conversation import intent_of, systems_mentioned, user_events
from actions.extraction import (
    clean_description,
    extract_emails,
    extract_order_ids,
    extract_product_ids,
    mentions_urgency,
    says_no_example,
)

#: Intents that are a question or a request in the middle of the form, not an answer to it:
#: the form lets the rules answer them and then asks its question again.
INTERRUPTING_INTENTS = frozenset({
    "ask_contact_support", "ask_response_time", "report_urgent", "ask_phone_support",
    "ask_second_line", "ask_system_setup", "ask_plugin_support", "ask_customer_responsibility",
    "ask_how_integration_works", "bot_challenge", "request_human", "cancel",
})

#: Categories where support needs at least one order or product example.
CATEGORIES_NEEDING_EXAMPLES = frozenset({"order_transfer", "products", "invoices", "vat"})

#: After this many unusable answers to one question, the form stops insisting.
MAX_ATTEMPTS = 3

#: Fields the customer can change from the summary, and the slots each one resets.
CORRECTABLE_FIELDS = {
    "email": ("contact_email",),
    "systems": ("ticket_systems",),
    "description": ("description",),
    "examples": ("examples", "order_ids", "product_ids", "other_references"),
    "log": ("log_checked", "log_status"),
}

#: Slots the ticket form fills for one case; emptied when a case is sent or dropped.
CASE_SLOTS = (
    "contact_email", "ticket_systems", "description", "examples", "order_ids", "product_ids",
    "other_references", "log_checked", "log_status", "confirmation", "form_attempts",
    "handoff_gave_up",
)

#: Answers that mean "I have not looked at the log".
_NOT_CHECKED_INTENTS = frozenset({"deny", "no_example"})
_MIN_DESCRIPTION_CHARACTERS = 10


@dataclass
class Answer:
    """What one customer message gave for a field: slot values, or a problem to tell them."""

    values: dict = field(default_factory=dict)
    problem: str | None = None


def read_email(text: str, intent: str | None, offered_email: str | None) -> Answer:
    """An e-mail address typed, or the one offered back and accepted with yes."""
    emails = extract_emails(text)
    if emails:
        return Answer({"contact_email": emails[0]})
    if intent == "affirm" and offered_email:
        return Answer({"contact_email": offered_email})
    if "@" in text:
        return Answer(problem="utter_invalid_email")
    return Answer(problem="utter_email_needed")


def read_systems(text: str, system_entities: list[str]) -> Answer:
    """The systems named (canonical names from the NLU), or the customer's own words."""
    if system_entities:
        return Answer({"ticket_systems": system_entities})
    words = clean_description(text, 200)
    if len(words) >= 2:
        return Answer({"ticket_systems": [words]})
    return Answer(problem="utter_systems_needed")


def read_description(text: str) -> Answer:
    """The problem in the customer's words, as plain text without markup."""
    description = clean_description(text)
    if len(description) < _MIN_DESCRIPTION_CHARACTERS:
        return Answer(problem="utter_description_too_short")
    return Answer({"description": description})


def read_examples(text: str, intent: str | None, category: str | None, attempts: int) -> Answer:
    """Order numbers, product numbers or other references; "none" is allowed explicitly."""
    order_ids = extract_order_ids(text)
    product_ids = extract_product_ids(text)
    if order_ids or product_ids:
        return Answer({"examples": "given", "order_ids": order_ids, "product_ids": product_ids})
    if intent == "no_example" or says_no_example(text):
        return Answer({"examples": "none"})
    reference = clean_description(text, 200)
    needs_numbers = category in CATEGORIES_NEEDING_EXAMPLES
    if reference and (not needs_numbers or attempts + 1 >= MAX_ATTEMPTS):
        return Answer({"examples": "given", "other_references": [reference]})
    return Answer(problem="utter_invalid_example")


def read_log_status(text: str, intent: str | None) -> Answer:
    """Whether the customer looked at the dashboard log, and what its status said."""
    if intent in _NOT_CHECKED_INTENTS:
        return Answer({"log_checked": False, "log_status": None})
    status = clean_description(text, 1000)
    if intent == "affirm" or not status:
        return Answer({"log_checked": True, "log_status": None})
    return Answer({"log_checked": True, "log_status": status})


def read_confirmation(intent: str | None, field_name: str | None) -> Answer:
    """Send it, or which field to change (its slots are emptied so the form asks again)."""
    if intent == "affirm":
        return Answer({"confirmation": "confirmed"})
    if intent == "correct_field" and field_name in CORRECTABLE_FIELDS:
        slots = dict.fromkeys(CORRECTABLE_FIELDS[field_name])
        return Answer({**slots, "confirmation": None})
    return Answer(problem="utter_confirm_or_change")


def examples_in_conversation(events: Iterable[dict]) -> tuple[list[str], list[str]]:
    """Order and product numbers the customer already gave anywhere in the conversation."""
    order_ids: list[str] = []
    product_ids: list[str] = []
    for event in user_events(events):
        text = event.get("text") or ""
        if text.startswith("/"):
            continue
        order_ids += [item for item in extract_order_ids(text) if item not in order_ids]
        product_ids += [item for item in extract_product_ids(text) if item not in product_ids]
    return order_ids, product_ids


def urgency_requested(events: Iterable[dict]) -> bool:
    """Whether the customer asked for urgent handling anywhere in the conversation."""
    return any(
        intent_of(event) == "report_urgent" or mentions_urgency(event.get("text") or "")
        for event in user_events(events)
    )


def prefilled_case(events: list[dict], problem_text: str) -> dict:
    """Slot values the conversation already answers when the hand-off starts."""
    order_ids, product_ids = examples_in_conversation(events)
    systems = systems_mentioned(events)
    description = clean_description(problem_text) if problem_text else ""
    return {
        **dict.fromkeys(CASE_SLOTS),
        "ticket_systems": systems or None,
        "description": description or None,
        "order_ids": order_ids,
        "product_ids": product_ids,
        "other_references": [],
        "examples": "given" if order_ids or product_ids else None,
        "form_attempts": 0.0,
        "handoff_gave_up": False,
    }
