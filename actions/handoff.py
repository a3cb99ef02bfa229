"""The hand-off to the support team: start the write-up, send the ticket, or drop it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case_fields import CASE_SLOTS, prefilled_case, urgency_requested
from actions.delivery import outbox
from actions.response_time import response_time_values
from actions.ticket import Case, build_ticket
from support_core.events import current_case, latest_problem_report
from support_core.problems import OTHER, problem_for


def _slot_events(values: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


def cleared_case() -> list[EventType]:
    """Events that empty the form's slots, ready for another case."""
    return _slot_events(dict.fromkeys(CASE_SLOTS))


class ActionStartHandoff(Action):
    """Explain the write-up and fill in what the conversation already told us."""

    def name(self) -> str:
        return "action_start_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_intro")
        report = latest_problem_report(current_case(tracker.events))
        problem_text = (report or {}).get("text") or ""
        values = prefilled_case(tracker.events, problem_text)
        values["problem_category"] = problem_for(problem_text).category if report else OTHER
        if tracker.get_slot("self_help_outcome") != "resolved":
            values["self_help_outcome"] = "unresolved"
        return _slot_events(values)


class ActionCreateTicket(Action):
    """Store the confirmed case as a ticket for delivery and tell the customer its reference."""

    def name(self) -> str:
        return "action_create_ticket"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slots = tracker.current_slot_values()
        if slots.get("handoff_gave_up") or slots.get("confirmation") != "confirmed":
            dispatcher.utter_message(response="utter_handoff_gave_up")
            return cleared_case()
        urgent = urgency_requested(tracker.events)
        case = Case(
            email=slots["contact_email"],
            category=slots.get("problem_category"),
            description=slots.get("description") or "",
            systems=slots.get("ticket_systems") or [],
            order_ids=slots.get("order_ids") or [],
            product_ids=slots.get("product_ids") or [],
            other_examples=slots.get("other_references") or [],
            articles_shown=slots.get("articles_shown") or [],
            log_checked=slots.get("log_checked"),
            log_status=slots.get("log_status"),
            urgent_requested=urgent,
        )
        now = datetime.now(timezone.utc)
        ticket = build_ticket(case, tracker.sender_id, tracker.events, now)
        reference = outbox().enqueue(ticket)
        window = response_time_values(now.date())
        dispatcher.utter_message(
            response="utter_ticket_created", reference=reference, **window,
            json_message={"type": "ticket_reference", "reference": reference,
                          "due": window["due"]},
        )
        if urgent:
            dispatcher.utter_message(response="utter_ticket_urgent_noted")
        dispatcher.utter_message(response="utter_ticket_next_steps")
        return cleared_case() + [SlotSet("ticket_reference", reference)]


class ActionCancelTicket(Action):
    """Drop the case the customer no longer wants to send."""

    def name(self) -> str:
        return "action_cancel_ticket"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ticket_cancelled")
        return cleared_case()
