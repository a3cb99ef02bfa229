"""What the inbox's list pages are narrowed to, read from the query string's values.

A value the inbox cannot read (an unknown status, a day that is no day, a page that is no number)
raises MalformedInput, which the inbox answers with a 400 page that says what it expects.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.inbox.conversations import OUTCOMES
from bot.inbox.periods import day_after, day_start, parse_day
from bot.request_values import MalformedInput, whole_number
from bot.ticket_store import NEWEST, OPEN, ORDERS, RECEIVED, STATUSES, TicketFilter
from support_core.language import LANGUAGES

#: Rows a list page shows.
PAGE_SIZE = 25
#: Longest search text taken from the query string.
MAX_SEARCH_LENGTH = 200
#: Page numbers beyond this are cut to it (and then to the last page).
MAX_PAGE = 10**6
TICKET_FIELDS = (
    "q", "status", "assignee", "category", "system", "language", "customer", "from", "to", "order",
)
#: The assignee filter's choices besides "anyone" (empty).
ASSIGNED_TO_ME = "me"
UNASSIGNED = "unassigned"
ASSIGNEE_CHOICES = {"": "Anyone", ASSIGNED_TO_ME: "Me", UNASSIGNED: "Unassigned"}
#: How the list can be ordered, as the form offers it.
ORDER_CHOICES = {RECEIVED: "Order received", NEWEST: "Newest first"}
#: The queue, shown when the list is opened without any filter: every open ticket as received.
QUEUE = {"status": OPEN, "order": RECEIVED}
CONVERSATION_FIELDS = ("outcome", "from", "to")


def _clean(values: Mapping[str, str | None], names: tuple[str, ...]) -> dict[str, str]:
    return {name: (values.get(name) or "").strip()[:MAX_SEARCH_LENGTH] for name in names}


def _choice(form: dict[str, str], name: str, choices: Collection[str]) -> None:
    if form[name] and form[name] not in choices:
        raise MalformedInput(f"{name} must be one of {', '.join(choices)}")


def _days(form: dict[str, str]) -> None:
    for name in ("from", "to"):
        parse_day(form[name], name)


def ticket_form(values: Mapping[str, str | None], queue_when_empty: bool = True) -> dict[str, str]:
    """The ticket filter form's fields as the user filled them in; MalformedInput if unreadable.

    Without any field (the list opened from the menu) it is the queue, open tickets as received,
    unless ``queue_when_empty`` is False (an export of everything).
    """
    if queue_when_empty and not any(name in values for name in TICKET_FIELDS):
        values = QUEUE
    form = _clean(values, TICKET_FIELDS)
    _choice(form, "status", (OPEN, *STATUSES))
    _choice(form, "assignee", ASSIGNEE_CHOICES)
    _choice(form, "order", ORDERS)
    _choice(form, "language", LANGUAGES)
    _days(form)
    return form


def ticket_filter(form: Mapping[str, str], zone: ZoneInfo, username: str = "") -> TicketFilter:
    """The store's filter for the form: the dates are whole local days, both included; "me" is
    the staff user ``username``."""
    assignee = form.get("assignee")
    return TicketFilter(
        status=form.get("status") or None,
        assignee=username if assignee == ASSIGNED_TO_ME else None,
        unassigned=assignee == UNASSIGNED,
        email=form.get("customer") or None,
        category=form.get("category") or None,
        system=form.get("system") or None,
        language=form.get("language") or None,
        created_from=day_start(parse_day(form.get("from"), "from"), zone),
        created_before=day_after(parse_day(form.get("to"), "to"), zone),
        text=form.get("q") or None,
    )


def conversation_form(values: Mapping[str, str | None]) -> dict[str, str]:
    """The conversation filter form's fields; MalformedInput if unreadable."""
    form = _clean(values, CONVERSATION_FIELDS)
    _choice(form, "outcome", OUTCOMES)
    _days(form)
    return form


def page_number(value: str | None) -> int:
    """The page asked for: a whole number from 1 (page 1 when unset)."""
    return whole_number((value or "").strip(), "page", 1, 1, MAX_PAGE)


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // page_size))


def query_string(form: Mapping[str, str], **changes: object) -> str:
    """The query string of the form's non-empty fields, with changes (for page links).

    A ticket form that chose "any status" keeps an empty status, or its links would open the queue.
    """
    values = {**form, **{name: str(value) for name, value in changes.items()}}
    kept = {name: value for name, value in values.items() if value}
    if "status" in values and not values["status"] and set(kept) <= {"page"}:
        kept = {"status": "", **kept}
    return urlencode(kept)
