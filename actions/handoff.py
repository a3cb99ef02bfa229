"""The hand-off to the support team: start the write-up, send the ticket, or drop it."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import config
from actions.business_days import format_day
from actions.case_fields import CASE_SLOTS, prefilled_case, urgency_requested
from actions.conversation import latest_problem
from actions.delivery import outbox
from actions.response_time import answer_due
from actions.ticket import Case, build_ticket


def _slot_events(values: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


def cleared_case() -> list[EventType]:
    """Events that empty the form's slots, ready for another case."""
    return _slot_events(dict.fromkeys(CASE_SLOTS))


def handoff_confirmation(reference: str, due: date, urgent: bool) -> str:
    """What the customer is told once the case is handed over."""
    first, last = config.RESPONSE_BUSINESS_DAYS
    lines = [
        f"Your case is with the support team. Your reference is {reference}.",
        f"They answer by e-mail in the order cases arrive, within {first}-{last} business days, "
        f"so by {format_day(due)} at the latest.",
    ]
    if urgent:
        lines.append("I've noted that it's urgent for you; that doesn't move it up the queue, "
                     "but the team sees it.")
    lines.append("If the case needs our 2nd-line team it will take longer, and it stays in "
                 "writing. Phone support is only for acute matters and is billable.")
    return "\n".join(lines)


class ActionStartHandoff(Action):
    """Explain the write-up and fill in what the conversation already told us."""

    def name(self) -> str:
        return "action_start_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_intro")
        category, problem_text = latest_problem(tracker.events)
        values = prefilled_case(tracker.events, problem_text)
        values["problem_category"] = category
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
        due = answer_due(now.date())
        dispatcher.utter_message(
            text=handoff_confirmation(reference, due, urgent),
            json_message={"type": "ticket_reference", "reference": reference,
                          "due": format_day(due)},
        )
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
