"""Each help article in one row of the analytics: shown in the chat, solved after, opened in the
widget and "Did this help?", joined by the knowledge base in either language."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from actions.articles import knowledge_base_for
from bot.config import PROJECT_ROOT
from bot.conversation_ids import new_conversation_id
from bot.feedback import ArticleFeedback, FeedbackStore
from bot.inbox.analytics import ArticleUse
from bot.inbox.article_figures import article_rows
from tests.bot.inbox_support import (
    Conversation,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    save_conversations,
)

KNOWLEDGE_BASE = knowledge_base_for(PROJECT_ROOT / "data" / "articles")
SLUG = "guide-to-setting-up-acquirer-integration"
ENGLISH = KNOWLEDGE_BASE.get(SLUG)
DANISH = KNOWLEDGE_BASE.get(SLUG, "da")


def opened(slug: str, times: int, helped: int = 0, not_helped: int = 0) -> ArticleFeedback:
    return ArticleFeedback(slug, "", times, helped, not_helped)


def test_an_article_shown_in_either_language_and_opened_in_the_widget_is_one_row():
    assert ENGLISH.url != DANISH.url  # the Danish version has a page of its own
    uses = [ArticleUse(ENGLISH.url, shown=5, helped=2), ArticleUse(DANISH.url, shown=3, helped=1)]

    [row], count = article_rows(uses, (opened(SLUG, 4, helped=3, not_helped=1),), KNOWLEDGE_BASE)

    assert count == 1
    assert (row.title, row.link) == (ENGLISH.title, ENGLISH.url)
    assert (row.shown, row.solved, row.opened, row.helped, row.not_helped) == (8, 3, 4, 3, 1)
    assert row.solved_rate == 3 / 8


def test_most_shown_first_then_most_opened_and_unknown_addresses_kept_as_links():
    other = KNOWLEDGE_BASE.articles()[0]
    unknown = "https://support.iex.dk/en/articles/1-removed"
    uses = [ArticleUse(unknown, shown=1, helped=0), ArticleUse(other.url, shown=6, helped=0)]

    rows, count = article_rows(uses, (opened(SLUG, 2),), KNOWLEDGE_BASE, limit=2)

    assert count == 3
    assert [(row.title, row.shown, row.opened) for row in rows] == [
        (other.title, 6, 0), (None, 1, 0)
    ]
    assert rows[1].link == unknown


def test_the_analytics_page_shows_shown_opened_and_helped_in_one_table(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    now = datetime.now(timezone.utc)
    conversation = Conversation((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    save_conversations(settings.tracker_db, {
        "web-shown": conversation.customer("acquirer setup", "report_problem").articles(ENGLISH.url)
    })
    feedback = FeedbackStore(settings.feedback_db)
    reader = new_conversation_id(settings.conversation_secret)
    feedback.article_opened(reader, SLUG)
    feedback.article_helped(reader, SLUG, True)
    today = date.today()

    page = logged_in(inbox_app(settings)).get(
        f"/inbox/analytics?from={today - timedelta(days=1)}&to={today}"
    ).text

    table = page[page.index('id="articles"') : page.index("</table>", page.index('id="articles"'))]
    [row] = table.split("<tr>")[2:]  # after the head's row
    assert f'href="{ENGLISH.url}"' in row and f">{ENGLISH.title}</a>" in row
    numbers = [cell.split("<")[0] for cell in row.split('class="number">')[1:]]
    assert numbers == ["1", "0", "0 %", "1", "1", "0"]  # shown, solved, rate, opened, yes, no
    assert "Articles read in the chat" not in page  # no second table of the same articles
