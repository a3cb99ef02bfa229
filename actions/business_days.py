"""Business-day arithmetic for the promised response time (weekends and public holidays skipped)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from babel.dates import format_date

from support_core.language import DEFAULT_LANGUAGE

#: How a day is written in each language (Unicode date patterns, as babel reads them).
DATE_FORMATS = {"en": "EEEE d MMMM y", "da": "EEEE 'den' d. MMMM y"}


@lru_cache(maxsize=8)
def _public_holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def is_business_day(day: date, country: str) -> bool:
    """True on a weekday that is not a public holiday in ``country``."""
    return day.weekday() < 5 and day not in _public_holidays(country)


def add_business_days(start: date, days: int, country: str) -> date:
    """The date ``days`` business days after ``start`` (a weekend start counts from Monday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, country):
            remaining -= 1
    return current


def answer_window(
    received: date, business_days: tuple[int, int], country: str
) -> tuple[date, date]:
    """Earliest and latest date an answer is due for a message received on ``received``."""
    earliest_days, latest_days = business_days
    return (
        add_business_days(received, earliest_days, country),
        add_business_days(received, latest_days, country),
    )


def format_day(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """A date as customers read it: 'Wednesday 2 December 2026', 'onsdag den 2. december 2026'."""
    return format_date(day, DATE_FORMATS[language], locale=language)
