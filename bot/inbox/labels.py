"""What the support team reads instead of internal names: category labels and article titles.

Category labels come from the problem catalogue (support_core/problems.py), article titles from
the help articles (actions/articles.py), so a name changed there changes here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from actions.articles import KnowledgeBase, knowledge_base_for
from support_core.language import DEFAULT_LANGUAGE, LANGUAGES
from support_core.problems import categories, problem


def category_label(category: str | None) -> str:
    """A ticket category as the catalogue names it ("Order not transferred"); an unknown one as
    it is stored, so that nothing is hidden behind the general label."""
    if category in categories():
        return problem(category).label
    return category or problem(None).label


@dataclass(frozen=True)
class ArticleReference:
    """A help article as a ticket or conversation names it: its title where known, its link."""

    url: str
    #: None when no current article has this address (renamed or removed since).
    title: str | None


class ArticleTitles:
    """Looks up the title of a help article by the address the assistant showed the customer.

    The articles are read on the first look-up, not when the inbox starts.
    """

    def __init__(self, articles_dir: str | Path):
        self.articles_dir = Path(articles_dir)

    @property
    def _knowledge_base(self) -> KnowledgeBase:
        return knowledge_base_for(self.articles_dir)  # the one the help pages and feedback use

    def _titles(self) -> dict[str, str]:
        # Read each time: the knowledge base re-reads changed article files on its own. The
        # English title wins where a translation kept the English address (the team reads
        # English); a Danish address gets the Danish title.
        titles: dict[str, str] = {}
        for language in sorted(LANGUAGES, key=lambda code: code == DEFAULT_LANGUAGE):
            titles |= {
                article.url: article.title for article in self._knowledge_base.articles(language)
            }
        return titles

    def reference(self, url: str) -> ArticleReference:
        """The article shown at this address, with its title if it is a current article."""
        return ArticleReference(url, self._titles().get(url))

    def references(self, urls: list[str]) -> list[ArticleReference]:
        """The articles shown at these addresses, in the same order."""
        titles = self._titles()
        return [ArticleReference(url, titles.get(url)) for url in urls]
