"""What the inbox's list pages are narrowed to, read from the query string's values."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.inbox.conversations import OUTCOMES
from bot.inbox.periods import day_after, day_start, parse_day
from bot.ticket_store import STATUSES, TicketFilter

#: Rows a list page shows.
PAGE_SIZE = 25
#: Longest search text taken from the query string.
MAX_SEARCH_LENGTH = 200
TICKET_FIELDS = ("q", "status", "category", "system", "from", "to")
CONVERSATION_FIELDS = ("outcome", "from", "to")


def _clean(values: Mapping[str, str | None], names: tuple[str, ...]) -> dict[str, str]:
    return {name: (values.get(name) or "").strip()[:MAX_SEARCH_LENGTH] for name in names}


def ticket_form(values: Mapping[str, str | None]) -> dict[str, str]:
    """The ticket filter form's fields as the user filled them in (unknown values emptied)."""
    form = _clean(values, TICKET_FIELDS)
    if form["status"] not in STATUSES:
        form["status"] = ""
    for name in ("from", "to"):
        if parse_day(form[name]) is None:
            form[name] = ""
    return form


def ticket_filter(form: Mapping[str, str], zone: ZoneInfo) -> TicketFilter:
    """The store's filter for the form: the dates are whole local days, both included."""
    return TicketFilter(
        status=form.get("status") or None,
        category=form.get("category") or None,
        system=form.get("system") or None,
        created_from=day_start(parse_day(form.get("from")), zone),
        created_before=day_after(parse_day(form.get("to")), zone),
        text=form.get("q") or None,
    )


def conversation_form(values: Mapping[str, str | None]) -> dict[str, str]:
    """The conversation filter form's fields (unknown outcomes and dates emptied)."""
    form = _clean(values, CONVERSATION_FIELDS)
    if form["outcome"] not in OUTCOMES:
        form["outcome"] = ""
    for name in ("from", "to"):
        if parse_day(form[name]) is None:
            form[name] = ""
    return form


def page_number(value: str | None) -> int:
    """The page asked for: a whole number from 1, anything else is page 1."""
    text = (value or "").strip()
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // page_size))


def query_string(form: Mapping[str, str], **changes: object) -> str:
    """The query string of the form's non-empty fields, with changes (for page links)."""
    values = {**form, **{name: str(value) for name, value in changes.items()}}
    return urlencode({name: value for name, value in values.items() if value})
