"""The hand-off to the support team: start the write-up, send the ticket, or drop it."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import config
from actions.case_fields import CASE_SLOTS, prefilled_case, urgency_requested
from actions.delivery import outbox
from actions.response_time import response_time_values
from actions.summary import summary_fields
from actions.ticket import Case, build_ticket
from mail.delivery import mail_outbox, mail_settings
from mail.messages import confirmation
from storage.database import DATABASE_ERRORS
from support_core.events import current_case, latest_problem_report
from support_core.language import conversation_language
from support_core.problems import OTHER, problem_for
from support_core.rate_limits import Decision, RateLimiter

logger = logging.getLogger(__name__)

def _slot_events(values: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


def cleared_case() -> list[EventType]:
    """Events that empty the form's slots, ready for another case."""
    return _slot_events(dict.fromkeys(CASE_SLOTS))


@lru_cache(maxsize=1)
def ticket_limiter() -> RateLimiter:
    """The rate limiter of this process, on the configured storage."""
    return RateLimiter(config.RATE_LIMIT_STORAGE)


def client_of(events: list[dict[str, Any]]) -> str | None:
    """The client key the chat channel put on the customer's latest message (None: none)."""
    for event in reversed(events):
        if event.get("event") == "user":
            return (event.get("metadata") or {}).get("client")
    return None


def count_ticket(conversation_id: str, client: str | None) -> Decision:
    """Count one more ticket for the conversation and its client; refused above either limit."""
    limits = {f"tickets:conversation:{conversation_id}": config.TICKET_RATE_PER_CONVERSATION}
    if client:
        limits[f"tickets:client:{client}"] = config.TICKET_RATE_PER_ADDRESS
    return ticket_limiter().hit_all(limits)


def send_confirmation(
    ticket: dict, response_time: dict[str, str], summary: list[dict[str, str]]
) -> None:
    """Queue the customer's confirmation e-mail (once per ticket, however often the action runs).

    The ticket is stored already: a mail outbox that cannot be written loses the e-mail, never
    the ticket, and the customer was told the reference in the chat.
    """
    try:
        mail_outbox().enqueue(
            confirmation(ticket, response_time, summary, mail_settings().mail_from)
        )
    except (*DATABASE_ERRORS, OSError):
        logger.exception("the confirmation of ticket %s could not be queued", ticket["id"])


def kept_for_later() -> list[EventType]:
    """Events that keep the case and wait, at the confirmation, for "Send it" once more."""
    return [SlotSet("confirmation", None), ActiveLoop("ticket_form"),
            SlotSet("requested_slot", "confirmation"), FollowupAction("action_listen")]


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
        if not count_ticket(tracker.sender_id, client_of(tracker.events)).allowed:
            dispatcher.utter_message(response="utter_ticket_rate_limited")
            return kept_for_later()
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
            language=conversation_language(slots),
        )
        now = datetime.now(timezone.utc)
        ticket = build_ticket(case, tracker.sender_id, tracker.events, now)
        reference = outbox().enqueue(ticket)
        window = response_time_values(now.date(), case.language)
        send_confirmation(
            {**ticket, "id": reference}, window,
            summary_fields(slots, tracker.events, case.language),
        )
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
