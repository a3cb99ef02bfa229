"""Days and date ranges as the support team means them: whole days in the inbox's time zone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.request_values import MalformedInput
from tickets import parse_timestamp

#: How many days the analytics page shows when no range is chosen.
DEFAULT_DAYS = 30
#: The longest range the analytics page charts, in days.
MAX_DAYS = 366
#: The days the inbox accepts: tracker times start in 1970, and the day after the last one still
#: fits Python's dates in every time zone.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9999, 12, 30)


@dataclass(frozen=True)
class Period:
    """The days from first to last, both included, in a time zone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first moment of the period."""
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def day_of(self, timestamp: float) -> date:
        """The local day of a Unix timestamp."""
        return datetime.fromtimestamp(timestamp, self.zone).date()


def parse_day(text: str | None, name: str = "day") -> date | None:
    """A day written YYYY-MM-DD (as date inputs send it), None when empty; MalformedInput else."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise MalformedInput(
            f"{name} must be a day written YYYY-MM-DD between {FIRST_DAY} and {LAST_DAY}"
        )
    return day


def day_start(day: date | None, zone: ZoneInfo) -> datetime | None:
    """The first moment of a local day."""
    return datetime.combine(day, time(), zone) if day else None


def day_after(day: date | None, zone: ZoneInfo) -> datetime | None:
    """The first moment after a local day."""
    return datetime.combine(day + timedelta(days=1), time(), zone) if day else None


def period_from(first: str | None, last: str | None, zone: ZoneInfo, today: date) -> Period:
    """The period the user asked for; the last DEFAULT_DAYS days when unset, at most MAX_DAYS."""
    last_day = parse_day(last, "to") or today
    first_day = parse_day(first, "from") or max(
        FIRST_DAY, last_day - timedelta(days=DEFAULT_DAYS - 1)
    )
    if first_day > last_day:
        first_day, last_day = last_day, first_day
    if (last_day - first_day).days >= MAX_DAYS:
        first_day = last_day - timedelta(days=MAX_DAYS - 1)
    return Period(first_day, last_day, zone)


def local_time(value: str | float | int | None, zone: ZoneInfo) -> datetime | None:
    """A ticket timestamp (ISO text) or tracker timestamp (Unix seconds) in the local zone."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).astimezone(zone)
    try:
        return parse_timestamp(value).astimezone(zone)
    except ValueError:
        return None
