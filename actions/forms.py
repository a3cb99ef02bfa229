"""The ticket form: asks for each field of a case, checks the answers, shows the summary."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.case_fields import (
    INTERRUPTING_INTENTS,
    MAX_ATTEMPTS,
    Answer,
    read_confirmation,
    read_description,
    read_email,
    read_examples,
    read_log_status,
    read_systems,
)
from actions.extraction import extract_emails, extract_order_ids, extract_product_ids
from actions.summary import summary_fields, summary_lines
from support_core.language import conversation_language
from support_core.problems import problem


def _latest(tracker: Tracker) -> tuple[str, str | None, list[dict]]:
    message = tracker.latest_message or {}
    return message.get("text") or "", (message.get("intent") or {}).get("name"), (
        message.get("entities") or []
    )


def _entity_values(entities: list[dict], name: str) -> list[str]:
    values: list[str] = []
    for entity in entities:
        if entity.get("entity") == name and entity.get("value") not in values:
            values.append(entity["value"])
    return values


#: Words that name a summary field when the NLU found no ticket_field entity.
_FIELD_WORDS = {
    "email": re.compile(r"\b(?:e-?)?mail|\baddress\b|\badresse", re.IGNORECASE),
    "systems": re.compile(r"\bsystems?\b|\bshop\b|\baccounting\b|\bsystem(?:et|er|erne)\b"
                          r"|\bwebshop\w*|\bregnskab\w*|\bbogføring\w*", re.IGNORECASE),
    "examples": re.compile(r"\b(example|order|number|sku|product|eksempl|ordre|nummer|numre"
                           r"|vare|produkt)", re.IGNORECASE),
    "log": re.compile(r"\blog\b|\bstatus\b|\blogg(?:en)?\b", re.IGNORECASE),
    "description": re.compile(r"\bdescription|\bwhat happened|\bproblem\b|\bbeskrivelse"
                              r"|\bproblemet\b|\bhvad der (?:skete|sker)", re.IGNORECASE),
}


def field_to_change(text: str, entities: list[dict]) -> str | None:
    """The summary field a correction names, or the one its values belong to.

    "not e-conomic, dinero" names no field but carries systems; a new address means the e-mail.
    """
    named = _entity_values(entities, "ticket_field")
    if named:
        return named[0]
    if _entity_values(entities, "system"):
        return "systems"
    if extract_emails(text):
        return "email"
    if extract_order_ids(text) or extract_product_ids(text):
        return "examples"
    for field, pattern in _FIELD_WORDS.items():
        if pattern.search(text):
            return field
    return None


class ValidateTicketForm(FormValidationAction):
    """Fill the requested field from the latest message, or explain what is missing."""

    def name(self) -> str:
        return "validate_ticket_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Every check happens while extracting (extract_<slot> below), and an answer can set
        # slots outside the form (order_ids, email, ...): return all of them, which the SDK's
        # separate validation step would drop.
        events = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        # Giving up empties the list, which ends the form; action_create_ticket then explains.
        return [] if tracker.get_slot("handoff_gave_up") else domain_slots

    def _answer(
        self, slot: str, answer: Answer, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if answer.problem is None:
            return {**answer.values, "form_attempts": 0.0}
        attempts = int(tracker.get_slot("form_attempts") or 0) + 1
        if slot == "contact_email" and attempts >= MAX_ATTEMPTS:
            return {slot: None, "form_attempts": 0.0, "handoff_gave_up": True}
        dispatcher.utter_message(response=answer.problem)
        return {slot: None, "form_attempts": float(attempts)}

    def _is_requested(self, tracker: Tracker, slot: str) -> bool:
        _text, intent, _entities = _latest(tracker)
        return tracker.get_slot("requested_slot") == slot and intent not in INTERRUPTING_INTENTS

    def extract_contact_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text, intent, _entities = _latest(tracker)
        emails = extract_emails(text)
        if emails and tracker.get_slot("requested_slot") not in (None, "contact_email"):
            # A corrected address in the middle of the form replaces the earlier one.
            return {"contact_email": emails[0], "email": emails[0]}
        if not (emails or self._is_requested(tracker, "contact_email")):
            return {}
        answer = read_email(text, intent, tracker.get_slot("email"))
        values = self._answer("contact_email", answer, dispatcher, tracker)
        if values.get("contact_email"):
            values["email"] = values["contact_email"]
        return values

    def extract_ticket_systems(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not self._is_requested(tracker, "ticket_systems"):
            return {}
        text, intent, entities = _latest(tracker)
        attempts = int(tracker.get_slot("form_attempts") or 0)
        answer = read_systems(text, _entity_values(entities, "system"), intent, attempts)
        return self._answer("ticket_systems", answer, dispatcher, tracker)

    def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not self._is_requested(tracker, "description"):
            return {}
        text, _intent, _entities = _latest(tracker)
        return self._answer("description", read_description(text), dispatcher, tracker)

    def extract_examples(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not self._is_requested(tracker, "examples"):
            return {}
        text, intent, _entities = _latest(tracker)
        attempts = int(tracker.get_slot("form_attempts") or 0)
        answer = read_examples(text, intent, tracker.get_slot("problem_category"), attempts)
        return self._answer("examples", answer, dispatcher, tracker)

    def extract_log_checked(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not self._is_requested(tracker, "log_checked"):
            return {}
        text, intent, _entities = _latest(tracker)
        return self._answer("log_checked", read_log_status(text, intent), dispatcher, tracker)

    def extract_confirmation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not self._is_requested(tracker, "confirmation"):
            return {}
        text, intent, entities = _latest(tracker)
        systems = _entity_values(entities, "system")
        answer = read_confirmation(intent, field_to_change(text, entities), text, systems)
        if answer.problem is not None:
            dispatcher.utter_message(response=answer.problem)
            return {"confirmation": None}
        return answer.values


class ActionAskContactEmail(Action):
    """Ask for the e-mail address, offering back one the customer already gave."""

    def name(self) -> str:
        return "action_ask_contact_email"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        known = tracker.get_slot("email")
        if known:
            dispatcher.utter_message(
                response="utter_offer_known_email", known_email=known)
        else:
            dispatcher.utter_message(response="utter_ask_contact_email")
        return []


class ActionAskExamples(Action):
    """Ask for examples, naming the kind that fits the problem (orders, products or other)."""

    def name(self) -> str:
        return "action_ask_examples"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kind = problem(tracker.get_slot("problem_category")).example_kind
        dispatcher.utter_message(response=f"utter_ask_examples_{kind}")
        return []


class ActionAskConfirmation(Action):
    """Show every field of the case, with send / change / cancel."""

    def name(self) -> str:
        return "action_ask_confirmation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        fields = summary_fields(tracker.current_slot_values(), tracker.events,
                                conversation_language(tracker.slots))
        dispatcher.utter_message(
            response="utter_case_summary",
            case_fields=summary_lines(fields),
            json_message={"type": "ticket_summary", "fields": fields},
        )
        return []
