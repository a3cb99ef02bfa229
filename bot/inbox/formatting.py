"""How the inbox pages write times, rates, statuses and outcomes (passed to the templates)."""
from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.inbox.conversations import OUTCOMES
from bot.inbox.periods import local_time
from support_core.language import LANGUAGE_NAMES, language_of

STATUS_LABELS = {"new": "New", "in_progress": "In progress", "closed": "Closed"}


def web_link(url: object) -> str | None:
    """The URL if it is an http(s) address to link to; None for javascript:, data: and the like."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def percent(value: float | None) -> str:
    """A share as a whole percentage; "–" when there was nothing to count."""
    return "–" if value is None else f"{round(value * 100)} %"


class Formatting:
    """Formatting helpers in the inbox's time zone, handed to every inbox template as ``show``."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone

    def time(self, value: str | float | None) -> str:
        """Date and time to the minute, e.g. 27 Nov 2026 11:01."""
        moment = local_time(value, self.zone)
        return moment.strftime("%d %b %Y %H:%M") if moment else "–"

    def clock(self, value: str | float | None) -> str:
        """Time of day to the second, for transcript lines."""
        moment = local_time(value, self.zone)
        return moment.strftime("%H:%M:%S") if moment else ""

    def iso(self, value: str | float | None) -> str:
        """Machine-readable local time for <time datetime=...>."""
        moment = local_time(value, self.zone)
        return moment.isoformat(timespec="seconds") if moment else ""

    def day(self, value: str | float | None) -> str:
        moment = local_time(value, self.zone)
        return moment.strftime("%d %b %Y") if moment else "–"

    @property
    def zone_name(self) -> str:
        return self.zone.key

    @staticmethod
    def percent(value: float | None) -> str:
        return percent(value)

    @staticmethod
    def status(value: str) -> str:
        return STATUS_LABELS.get(value, value)

    @staticmethod
    def outcome(value: str) -> str:
        return OUTCOMES.get(value, value)

    @staticmethod
    def language(value: object) -> str:
        """A ticket's language by name; tickets from before languages were English."""
        return LANGUAGE_NAMES[language_of(value)]

    @staticmethod
    def link(url: object) -> str | None:
        return web_link(url)

    @staticmethod
    def yes_no(value: bool | None, unknown: str = "not asked") -> str:
        return {True: "Yes", False: "No"}.get(value, unknown)
