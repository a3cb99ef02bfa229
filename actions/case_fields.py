"""Read the fields of a support case from what the customer typed, and say what is wrong if not.

Plain functions used by the ticket form (actions/forms.py); no Rasa objects needed to test them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from actions.extraction import (
    clean_description,
    extract_emails,
    extract_order_ids,
    extract_product_ids,
    mentions_urgency,
    says_no_example,
)
from support_core.events import (
    current_case,
    intent_of,
    since_last_closed_case,
    systems_mentioned,
    user_events,
)
from support_core.problems import problem
from support_core.systems import systems_in

#: Intents that are a question or a request in the middle of the form, not an answer to it:
#: the form lets the rules answer them and then asks its question again.
INTERRUPTING_INTENTS = frozenset({
    "ask_contact_support", "ask_response_time", "flag_urgent", "ask_phone_support", "faq",
    "bot_challenge", "request_human", "cancel", "switch_language",
})

#: Intents that are a bare yes or no: never a system, a description or an example.
YES_NO_INTENTS = frozenset({"affirm", "deny"})
#: The same as words, for an answer the NLU gave another intent.
YES_OR_NO_WORDS = frozenset({
    "yes", "yeah", "yep", "ok", "okay", "sure", "no", "nope", "nah", "ja", "nej", "correct",
})

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


_NEGATION = re.compile(
    r"\b(?:not|no|isn'?t|aren'?t|wasn'?t|don'?t|doesn'?t|no longer|never|except|without"
    r"|instead of|ikke)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"[,;.]|\b(?:but|and|it'?s|its|we use|only|men|og|det er|vi bruger|kun)\b", re.IGNORECASE
)
#: "e-conomic is wrong": the systems just before it are ruled out.
_WRONG = re.compile(r"([^,;.]*?)\b(?:is|are|was|were)\s+(?:wrong|incorrect|not right)\b",
                    re.IGNORECASE)


def named_systems(text: str, system_entities: list[str]) -> list[str]:
    """The known systems a message means, without those it says are wrong.

    "only Shopify and Dinero, not e-conomic" means Shopify and Dinero and rules out e-conomic.
    """
    ruled_out: list[str] = []
    for negation in _NEGATION.finditer(text):
        rest = text[negation.end():]
        end = _CLAUSE_END.search(rest)
        ruled_out += [name for name in systems_in(rest[: end.start() if end else None])
                      if name not in ruled_out]
    for wrong in _WRONG.finditer(text):
        ruled_out += [name for name in systems_in(wrong.group(1)) if name not in ruled_out]
    meant = [name for name in system_entities + systems_in(text) if name not in ruled_out]
    return list(dict.fromkeys(meant))


def read_systems(
    text: str, system_entities: list[str], intent: str | None = None, attempts: int = 0
) -> Answer:
    """The known systems named (a yes or no is not an answer); unknown names are asked again,
    then kept as the customer wrote them."""
    meant = named_systems(text, system_entities)
    if meant:
        return Answer({"ticket_systems": meant})
    words = clean_description(text, 200)
    has_numbers = bool(extract_order_ids(text) or extract_product_ids(text))
    is_yes_or_no = intent in YES_NO_INTENTS or words.lower().strip(" .!") in YES_OR_NO_WORDS
    if (not is_yes_or_no and not has_numbers
            and any(len(word) >= 3 for word in words.split())
            and attempts + 1 >= MAX_ATTEMPTS - 1):
        return Answer({"ticket_systems": [f"other: {words}"]})
    return Answer(problem="utter_systems_needed")


def read_description(text: str) -> Answer:
    """The problem in the customer's words, as plain text without markup."""
    description = clean_description(text)
    if len(description) < _MIN_DESCRIPTION_CHARACTERS:
        return Answer(problem="utter_description_too_short")
    return Answer({"description": description})


def read_examples(text: str, intent: str | None, category: str | None, attempts: int) -> Answer:
    """Order numbers, product numbers or other references; "none" is allowed explicitly.

    A bare yes is no example: the customer is asked for the numbers themselves.
    """
    order_ids = extract_order_ids(text)
    product_ids = extract_product_ids(text)
    if order_ids or product_ids:
        return Answer({"examples": "given", "order_ids": order_ids, "product_ids": product_ids})
    if intent in ("no_example", "deny") or says_no_example(text):
        return Answer({"examples": "none"})
    if intent == "affirm":
        return Answer(problem="utter_invalid_example")
    reference = clean_description(text, 200)
    needs_numbers = problem(category).examples_required
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


def read_confirmation(
    intent: str | None, field_name: str | None, text: str = "", system_entities: list[str] = ()
) -> Answer:
    """Send it, or which field to change (its slots are emptied so the form asks again).

    A correction of the systems that names them ("only Shopify and Dinero, not e-conomic") is
    applied at once, so what the customer says is wrong is gone without another question.
    """
    if intent == "affirm":
        return Answer({"confirmation": "confirmed"})
    # The NLU may not be sure it is a correction, but a named field says what to change.
    if field_name in CORRECTABLE_FIELDS and intent not in YES_NO_INTENTS:
        if field_name == "systems":
            meant = named_systems(text, list(system_entities))
            if meant:
                return Answer({"ticket_systems": meant, "confirmation": None})
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
    """Whether the customer asked for urgent handling in the case under way."""
    return any(
        intent_of(event) == "flag_urgent" or mentions_urgency(event.get("text") or "")
        for event in user_events(since_last_closed_case(list(events)))
    )


def prefilled_case(events: list[dict], problem_text: str) -> dict:
    """Slot values the current case already answers when the hand-off starts.

    Only the case under way counts (see support_core.events.current_case): numbers and systems of
    an earlier problem in the same conversation are not carried over.
    """
    case_events = current_case(events)
    order_ids, product_ids = examples_in_conversation(case_events)
    # The report's own words count in full: "never reached e-conomic" names e-conomic.
    systems = systems_mentioned(case_events)
    for event in user_events(case_events):
        systems += [name for name in systems_in(event.get("text") or "") if name not in systems]
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
