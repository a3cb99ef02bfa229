"""Each help article on the analytics page in one row: how often the chat showed it, how often
self-help then solved the problem, how often customers opened it in the widget and what they
answered to "Did this help?" under it.

The chat's figures (bot/inbox/analytics.py) know an article by the address shown, the widget's
(bot/feedback.py) by its slug; the knowledge base joins the two, in either language.
"""

from __future__ import annotations

from dataclasses import dataclass

from actions.articles import KnowledgeBase
from bot.feedback import ArticleFeedback
from bot.inbox.analytics import TOP_ARTICLES, ArticleUse, rate
from bot.inbox.formatting import web_link


@dataclass
class ArticleRow:
    """One article's figures for the period."""

    #: The article's title (English); None for an address no current article has, the slug
    #: for an article opened in the widget and removed since.
    title: str | None
    #: Its help-center page (None if the address is no web link).
    link: str | None
    shown: int = 0
    #: Conversations self-help solved after the article was shown.
    solved: int = 0
    #: Conversations that opened it in the widget.
    opened: int = 0
    helped: int = 0
    not_helped: int = 0

    @property
    def solved_rate(self) -> float | None:
        return rate(self.solved, self.shown)


def article_rows(
    uses: list[ArticleUse],
    feedback: tuple[ArticleFeedback, ...],
    knowledge_base: KnowledgeBase,
    limit: int = TOP_ARTICLES,
) -> tuple[list[ArticleRow], int]:
    """The ``limit`` articles shown or opened most, most shown first, and how many there were."""
    slug_of = knowledge_base.slugs_by_url()
    rows: dict[str, ArticleRow] = {}

    def row_of(slug: str | None, url: str | None, title: str | None = None) -> ArticleRow:
        key = slug or url or ""
        if key not in rows:
            article = knowledge_base.get(slug) if slug else None
            rows[key] = (
                ArticleRow(article.title, web_link(article.url)) if article
                else ArticleRow(title, web_link(url))
            )
        return rows[key]

    for use in uses:
        row = row_of(slug_of.get(use.url), use.url)
        row.shown += use.shown
        row.solved += use.helped
    for item in feedback:
        row = row_of(item.slug, None, item.title)  # the slug itself, if removed since
        row.opened += item.opened
        row.helped += item.helped
        row.not_helped += item.not_helped
    ranked = sorted(
        rows.values(), key=lambda row: (-row.shown, -row.opened, row.title or row.link or "")
    )
    return ranked[:limit], len(ranked)
