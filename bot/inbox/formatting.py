"""How the inbox pages write times, rates, statuses, outcomes, categories and articles."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from actions.business_days import format_day
from bot.inbox.conversations import OUTCOMES
from bot.inbox.labels import ArticleReference, ArticleTitles, category_label
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

    def __init__(self, zone: ZoneInfo, article_titles: ArticleTitles):
        self.zone = zone
        self.article_titles = article_titles

    def articles(self, urls: list[str] | None) -> list[ArticleReference]:
        """The help articles at these addresses, with their titles (see ArticleTitles)."""
        return self.article_titles.references([str(url) for url in urls or []])

    @staticmethod
    def category(value: str | None) -> str:
        """A ticket category by its name in the problem catalogue."""
        return category_label(value)

    @staticmethod
    def due(day: date) -> str:
        """A due date as the customer read it in English: Friday 4 December 2026."""
        return format_day(day, "en")

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
