"""The response-time answer, with the latest date an answer is due."""
from __future__ import annotations

from datetime import date

from actions import config
from actions.business_days import answer_window, format_day
from support_core.language import DEFAULT_LANGUAGE


def answer_due(today: date) -> date:
    """The latest day a case written today is answered (business days, holidays skipped)."""
    _earliest, latest = answer_window(today, config.RESPONSE_BUSINESS_DAYS, config.HOLIDAY_COUNTRY)
    return latest


def response_time_values(
    today: date | None = None, language: str = DEFAULT_LANGUAGE
) -> dict[str, str]:
    """The values the response-time wording names: the window and the day an answer is due,
    written in the conversation's language."""
    first, last = config.RESPONSE_BUSINESS_DAYS
    due = answer_due(today or date.today())
    return {"first_day": str(first), "last_day": str(last), "due": format_day(due, language)}
