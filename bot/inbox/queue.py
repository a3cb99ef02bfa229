"""The ticket queue as the support team works it: when each ticket is due, and what is late.

Cases are answered in the order received. A ticket is due on the day the customer was told when
it was handed off: the same business-day rule (actions/response_time.py) applied to the same day
(the hand-off's date in UTC, as actions/handoff.py reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone

from actions.response_time import answer_due
from bot.ticket_store import CLOSED, StoredTicket, likely_duplicate_of
from tickets import parse_timestamp

OVERDUE = "overdue"
DUE_TODAY = "due_today"
#: How each state of an open ticket reads; a ticket due later has no label.
DUE_LABELS = {OVERDUE: "Overdue", DUE_TODAY: "Due today"}


def due_date(ticket: dict) -> date:
    """The latest day the customer was told to expect an answer."""
    handed_off = parse_timestamp(ticket["created_at"]).astimezone(timezone.utc).date()
    return answer_due(handed_off)


def due_state(due: date, today: date, status: str) -> str | None:
    """OVERDUE or DUE_TODAY for an open ticket that is, else None (closed or due later)."""
    if status == CLOSED:
        return None
    if today > due:
        return OVERDUE
    return DUE_TODAY if today == due else None


@dataclass(frozen=True)
class QueueEntry:
    """A ticket as the list and the ticket page show it: with its due date and its customer."""

    stored: StoredTicket
    due: date
    #: OVERDUE, DUE_TODAY or None.
    due_state: str | None
    #: How many tickets the same address has sent in all, this one included.
    customer_tickets: int
    #: The earlier ticket this one most likely repeats (see ticket_store.likely_duplicate_of).
    likely_duplicate_of: str | None

    @property
    def ticket(self) -> dict:
        return self.stored.ticket

    @property
    def id(self) -> str:
        return self.stored.id

    @property
    def due_label(self) -> str:
        return DUE_LABELS.get(self.due_state or "", "")


def queue_entries(
    stored: list[StoredTicket],
    by_customer: dict[str, list[dict]],
    today: date,
    duplicate_window: timedelta,
) -> list[QueueEntry]:
    """The entries of these tickets; ``by_customer`` holds every ticket of their addresses
    (TicketStore.of_customers), ``today`` is the support team's day."""
    entries = []
    for item in stored:
        same_customer = by_customer.get(item.ticket["customer"]["email"].lower(), [])
        due = due_date(item.ticket)
        entries.append(
            QueueEntry(
                stored=item,
                due=due,
                due_state=due_state(due, today, item.ticket["status"]),
                customer_tickets=max(1, len(same_customer)),
                likely_duplicate_of=likely_duplicate_of(
                    item.ticket, same_customer, duplicate_window
                ),
            )
        )
    return entries
