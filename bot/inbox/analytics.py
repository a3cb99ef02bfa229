"""How much the assistant resolves on its own: plain numbers computed from conversations."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.config import Settings
from bot.inbox.conversations import (
    ABANDONED,
    ANSWERED,
    FALLBACK_INTENT,
    NOT_UNDERSTOOD,
    ONGOING,
    RESOLVED,
    TICKET,
    Conversation,
)
from bot.inbox.periods import Period

#: How many intents the "most frequent" list shows.
TOP_INTENTS = 10
#: How many help articles the articles list shows (the most shown ones).
TOP_ARTICLES = 10
#: How many messages not understood one page of the analytics shows.
NOT_UNDERSTOOD_PAGE_SIZE = 10
#: How many characters of a message not understood the list shows; the rest is in the conversation.
MESSAGE_PREVIEW_LENGTH = 160

GOOD = "good"
FAIR = "fair"
POOR = "poor"


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as "–", not as 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class ArticleUse:
    """How often a help article was shown, and how often self-help then solved the problem."""

    url: str
    shown: int
    helped: int

    @property
    def help_rate(self) -> float | None:
        return rate(self.helped, self.shown)


@dataclass(frozen=True)
class UnderstoodNot:
    """A customer message the assistant did not understand, with how often it was written."""

    text: str
    count: int
    #: The latest conversation in which it was written.
    conversation_id: int

    @property
    def preview(self) -> str:
        """The message cut to MESSAGE_PREVIEW_LENGTH characters (with "…" when cut)."""
        return shortened(self.text, MESSAGE_PREVIEW_LENGTH)


@dataclass(frozen=True)
class Day:
    """One day of the chart."""

    day: date
    conversations: int
    with_problem: int
    resolved: int

    @property
    def deflection_rate(self) -> float | None:
        return rate(self.resolved, self.with_problem)


@dataclass
class Report:
    """The analytics of one period."""

    period: Period
    conversations: int = 0
    outcomes: Counter = field(default_factory=Counter)
    with_problem: int = 0
    customer_messages: int = 0
    fallback_messages: int = 0
    articles: list[ArticleUse] = field(default_factory=list)
    intents: list[tuple[str, int]] = field(default_factory=list)
    not_understood: list[UnderstoodNot] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)

    @property
    def resolved(self) -> int:
        return self.outcomes[RESOLVED]

    @property
    def tickets(self) -> int:
        return self.outcomes[TICKET]

    @property
    def abandoned(self) -> int:
        return self.outcomes[ABANDONED]

    @property
    def not_understood_conversations(self) -> int:
        return self.outcomes[NOT_UNDERSTOOD]

    @property
    def answered(self) -> int:
        return self.outcomes[ANSWERED]

    @property
    def ongoing(self) -> int:
        return self.outcomes[ONGOING]

    @property
    def deflection_rate(self) -> float | None:
        """Share of conversations with a problem that self-help resolved."""
        return rate(self.resolved, self.with_problem)

    @property
    def fallback_rate(self) -> float | None:
        """Share of customer messages the assistant did not understand."""
        return rate(self.fallback_messages, self.customer_messages)


def article_uses(conversations: Iterable[Conversation]) -> list[ArticleUse]:
    """Every article shown, most shown first (then most helpful, then by URL)."""
    shown: Counter = Counter()
    helped: Counter = Counter()
    for conversation in conversations:
        shown.update(set(conversation.articles_shown))
        helped.update(set(conversation.articles_helped))
    uses = [ArticleUse(url, shown[url], helped[url]) for url in shown]
    return sorted(uses, key=lambda use: (-use.shown, -use.helped, use.url))


def intent_counts(conversations: Iterable[Conversation], top: int = TOP_INTENTS) -> list:
    """The most frequent intents of customer messages, as (intent, count), most frequent first."""
    counts = Counter(
        intent for conversation in conversations for intent in conversation.intents if intent
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def _normalized(text: str) -> str:
    return " ".join(text.split())


def not_understood_messages(conversations: Iterable[Conversation]) -> list[UnderstoodNot]:
    """The messages not understood, alike ones (case and spacing aside) together, most first."""
    counts: Counter = Counter()
    first_spelling: dict[str, str] = {}
    latest: dict[str, tuple[float, int]] = {}
    for conversation in conversations:
        for message in conversation.not_understood_messages:
            text = _normalized(message.text)
            if not text:
                continue
            key = text.casefold()
            counts[key] += 1
            first_spelling.setdefault(key, text)
            seen = (message.timestamp, conversation.id)
            latest[key] = max(latest.get(key, seen), seen)
    found = [UnderstoodNot(first_spelling[key], counts[key], latest[key][1]) for key in counts]
    return sorted(found, key=lambda item: (-item.count, item.text.casefold()))


def daily(conversations: Iterable[Conversation], period: Period) -> list[Day]:
    """Conversations, those with a problem and those resolved, for every day of the period."""
    totals = {day: Counter() for day in period.days()}
    for conversation in conversations:
        day = period.day_of(conversation.started_at)
        if day not in totals:
            continue
        totals[day]["conversations"] += 1
        totals[day]["with_problem"] += conversation.has_problem
        totals[day]["resolved"] += conversation.outcome == RESOLVED
    return [
        Day(day, counts["conversations"], counts["with_problem"], counts["resolved"])
        for day, counts in totals.items()
    ]


def analytics(conversations: list[Conversation], period: Period) -> Report:
    """The numbers of the analytics page for conversations that started in the period."""
    inside = [
        conversation for conversation in conversations
        if period.start.timestamp() <= conversation.started_at < period.end.timestamp()
    ]
    intents = [intent for conversation in inside for intent in conversation.intents]
    return Report(
        period=period,
        conversations=len(inside),
        outcomes=Counter(conversation.outcome for conversation in inside),
        with_problem=sum(conversation.has_problem for conversation in inside),
        customer_messages=len(intents),
        fallback_messages=intents.count(FALLBACK_INTENT),
        articles=article_uses(inside),
        intents=intent_counts(inside),
        not_understood=not_understood_messages(inside),
        days=daily(inside, period),
    )


def shortened(text: str, length: int) -> str:
    """The text cut to at most ``length`` characters, at a space where there is one near."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    space = cut.rfind(" ")
    if space >= length * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + "…"


@dataclass(frozen=True)
class ListPage:
    """One page of a longer list."""

    items: list
    number: int
    pages: int
    total: int


def not_understood_page(
    items: list[UnderstoodNot], number: int, size: int = NOT_UNDERSTOOD_PAGE_SIZE
) -> ListPage:
    """Page ``number`` (from 1; beyond the last: the last) of the messages not understood."""
    pages = max(1, -(-len(items) // size))
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return ListPage(items[start : start + size], number, pages, len(items))


def rating(value: float | None, thresholds: tuple[float, float], higher_is_better: bool) -> str:
    """GOOD, FAIR or POOR for a rate, by its two configured thresholds; "" with nothing counted.

    Higher is better: below the lower threshold is poor, from the upper one good. Lower is
    better: up to the lower threshold is good, above the upper one poor.
    """
    if value is None:
        return ""
    low, high = thresholds
    if higher_is_better:
        return GOOD if value >= high else POOR if value < low else FAIR
    return GOOD if value <= low else POOR if value > high else FAIR


def ratings(report: Report, settings: Settings) -> dict[str, str]:
    """How the analytics page colours the deflection and the fallback rate (bot/config.py)."""
    return {
        "deflection": rating(report.deflection_rate, settings.deflection_rate_thresholds, True),
        "fallback": rating(report.fallback_rate, settings.fallback_rate_thresholds, False),
    }
