"""What customers tell the chat widget about its help: articles opened and whether they helped,
and a 1-5 rating (with an optional comment) when a conversation ends.

The widget posts to /widget/feedback under the signed conversation id the chat channel issued
(bot/conversation_ids.py); anything else is refused with 400. Each conversation holds at most one
row per help article and one rating (a later answer replaces the earlier one), so the store stays
bounded by the conversations the channel hands out, which the channel already rate-limits.
The inbox's analytics read the figures with ``feedback_figures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from actions.articles import KnowledgeBase, knowledge_base_for
from bot.config import Settings
from bot.conversation_ids import is_issued
from bot.help_pages import cross_origin_headers
from bot.request_values import is_storable_text
from storage.database import Database

#: Largest feedback body read, in bytes; a comment is short.
MAX_BODY_BYTES = 4096
#: Longest comment kept with a rating, in characters.
MAX_COMMENT_LENGTH = 1000
RATINGS = (1, 2, 3, 4, 5)
#: How a rated conversation ended.
OUTCOMES = ("solved", "ticket")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS article_feedback (
    conversation_id TEXT NOT NULL,
    slug            TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    helped          INTEGER,
    answered_at     TEXT,
    PRIMARY KEY (conversation_id, slug)
);
CREATE INDEX IF NOT EXISTS article_feedback_opened_at ON article_feedback (opened_at);
CREATE TABLE IF NOT EXISTS conversation_ratings (
    conversation_id TEXT PRIMARY KEY,
    rating          INTEGER NOT NULL,
    comment         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    rated_at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_ratings_rated_at ON conversation_ratings (rated_at);
"""


class InvalidFeedback(ValueError):
    """A feedback body the store refuses; the message says why, for the 400 answer."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class FeedbackStore:
    """The feedback store: a SQLite file or a PostgreSQL database (one short connection per
    operation, like the other stores)."""

    def __init__(self, location: str | Path):
        self.database = Database(location, "feedback")
        self.database.create(_SCHEMA)

    def article_opened(self, conversation_id: str, slug: str) -> None:
        """The customer opened an article in the widget (counted once per conversation)."""
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO article_feedback (conversation_id, slug, opened_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (conversation_id, slug, _now()),
            )

    def article_helped(self, conversation_id: str, slug: str, helped: bool) -> None:
        """The customer's answer to "Did this help?"; a later answer replaces an earlier one."""
        now = _now()
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO article_feedback (conversation_id, slug, opened_at, helped,"
                " answered_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id, slug)"
                " DO UPDATE SET helped = excluded.helped, answered_at = excluded.answered_at",
                (conversation_id, slug, now, int(helped), now),
            )

    def rate(self, conversation_id: str, rating: int, comment: str, outcome: str) -> None:
        """The customer's rating of a finished conversation; a later one replaces it."""
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO conversation_ratings (conversation_id, rating, comment, outcome,"
                " rated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET"
                " rating = excluded.rating, comment = excluded.comment,"
                " outcome = excluded.outcome, rated_at = excluded.rated_at",
                (conversation_id, rating, comment, outcome, _now()),
            )

    def ratings(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The ratings given in [start, end)."""
        with self.database.connect() as db:
            rows = db.execute(
                "SELECT rating, comment, outcome, rated_at FROM conversation_ratings"
                " WHERE rated_at >= ? AND rated_at < ? ORDER BY rated_at",
                (_utc(start), _utc(end)),
            ).fetchall()
        return [dict(row) for row in rows]

    def articles(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per article opened in [start, end): how often opened, and helped yes / no."""
        with self.database.connect() as db:
            rows = db.execute(
                "SELECT slug, COUNT(*) AS opened,"
                " COALESCE(SUM(CASE WHEN helped = 1 THEN 1 ELSE 0 END), 0) AS helped,"
                " COALESCE(SUM(CASE WHEN helped = 0 THEN 1 ELSE 0 END), 0) AS not_helped"
                " FROM article_feedback"
                " WHERE opened_at >= ? AND opened_at < ? GROUP BY slug"
                " ORDER BY opened DESC, slug",
                (_utc(start), _utc(end)),
            ).fetchall()
        return [dict(row) for row in rows]


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


# ---- The figures for the inbox's analytics page -------------------------------------------------


@dataclass(frozen=True)
class ArticleFeedback:
    """How one help article fared in the widget."""

    slug: str
    title: str
    opened: int
    helped: int
    not_helped: int


@dataclass(frozen=True)
class FeedbackFigures:
    """Ratings and article feedback of one period, as the analytics partial shows them."""

    ratings: int
    #: Ratings given per value, 1 to 5, in that order.
    distribution: tuple[tuple[int, int], ...]
    average: float | None
    comments: tuple[str, ...]
    articles: tuple[ArticleFeedback, ...]

    @property
    def most_given(self) -> int:
        """The count of the most given rating (the bars' full width)."""
        return max((count for _, count in self.distribution), default=0)


#: Latest comments shown with the ratings.
SHOWN_COMMENTS = 5


@lru_cache(maxsize=4)
def feedback_store_for(location: str | Path) -> FeedbackStore:
    """The feedback store of a file or database, its schema run once per process (endpoint and
    analytics)."""
    return FeedbackStore(location)


def feedback_figures(settings: Settings, start: datetime, end: datetime) -> FeedbackFigures:
    """The ratings distribution and average, and per article (by title) opened / helped / not."""
    store = feedback_store_for(settings.feedback_location)
    ratings = store.ratings(start, end)
    values = [row["rating"] for row in ratings]
    knowledge_base = knowledge_base_for(settings.articles_dir)
    articles = []
    for row in store.articles(start, end):
        article = knowledge_base.get(row["slug"])
        articles.append(
            ArticleFeedback(
                slug=row["slug"],
                title=article.title if article else row["slug"],
                opened=row["opened"],
                helped=row["helped"],
                not_helped=row["not_helped"],
            )
        )
    return FeedbackFigures(
        ratings=len(values),
        distribution=tuple((value, values.count(value)) for value in RATINGS),
        average=sum(values) / len(values) if values else None,
        comments=tuple(row["comment"] for row in reversed(ratings) if row["comment"])[
            :SHOWN_COMMENTS
        ],
        articles=tuple(articles),
    )


# ---- The endpoint the widget posts to -----------------------------------------------------------


def _article_slug(body: dict[str, Any], knowledge_base: KnowledgeBase) -> str:
    slug = body.get("slug")
    if not isinstance(slug, str) or knowledge_base.get(slug) is None:
        raise InvalidFeedback("slug must name a help article.")
    return slug


def record(store: FeedbackStore, knowledge_base: KnowledgeBase, body: Any, secret: str) -> None:
    """Check one feedback body from the widget and store it; InvalidFeedback says what is wrong."""
    if not isinstance(body, dict):
        raise InvalidFeedback("The body must be a JSON object.")
    if not is_storable_text(body):
        raise InvalidFeedback("The body's text must be valid Unicode without NUL characters.")
    conversation_id = body.get("conversation_id")
    if not is_issued(conversation_id, secret):
        raise InvalidFeedback("conversation_id must be the id the chat issued.")
    kind = body.get("kind")
    if kind == "article_opened":
        store.article_opened(conversation_id, _article_slug(body, knowledge_base))
    elif kind == "article_helped":
        helped = body.get("helped")
        if not isinstance(helped, bool):
            raise InvalidFeedback("helped must be true or false.")
        store.article_helped(conversation_id, _article_slug(body, knowledge_base), helped)
    elif kind == "rating":
        rating, comment, outcome = body.get("rating"), body.get("comment", ""), body.get("outcome")
        if type(rating) is not int or rating not in RATINGS:  # not True, not 5.0
            raise InvalidFeedback("rating must be a whole number from 1 to 5.")
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH:
            raise InvalidFeedback(
                f"comment must be text of at most {MAX_COMMENT_LENGTH} characters."
            )
        if outcome not in OUTCOMES:
            raise InvalidFeedback("outcome must be one of: " + ", ".join(OUTCOMES) + ".")
        store.rate(conversation_id, rating, comment.strip(), outcome)
    else:
        raise InvalidFeedback("kind must be article_opened, article_helped or rating.")


def create_blueprint(settings: Settings) -> Blueprint:
    """POST /widget/feedback: the widget's article feedback and conversation ratings."""
    blueprint = Blueprint("feedback")
    store = feedback_store_for(settings.feedback_location)
    knowledge_base = knowledge_base_for(settings.articles_dir)

    @blueprint.route("/widget/feedback", methods=["OPTIONS"])
    async def preflight(request: Request) -> HTTPResponse:
        headers = cross_origin_headers(request, settings)
        if "Access-Control-Allow-Origin" in headers:
            headers.update(
                {
                    "Access-Control-Allow-Methods": "POST",
                    "Access-Control-Allow-Headers": "Content-Type",
                    "Access-Control-Max-Age": "600",
                }
            )
        return response.empty(headers=headers)

    @blueprint.post("/widget/feedback")
    async def receive(request: Request) -> HTTPResponse:
        headers = cross_origin_headers(request, settings)
        if len(request.body) > MAX_BODY_BYTES:
            return response.json(
                {
                    "error": "too_large",
                    "message": f"The body is larger than the {MAX_BODY_BYTES} bytes accepted.",
                },
                status=413,
                headers=headers,
            )
        try:
            body = request.json
        except Exception:  # Sanic raises its own error types for unreadable JSON
            body = None
        try:
            record(store, knowledge_base, body, settings.conversation_secret)
        except InvalidFeedback as refusal:
            return response.json(
                {"error": "invalid_feedback", "message": str(refusal)}, status=400, headers=headers
            )
        return response.json({"status": "recorded"}, status=201, headers=headers)

    return blueprint
