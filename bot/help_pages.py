"""The help pages: every help article as a web page under /help, with the chat's search."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from actions.articles import KnowledgeBase
from bot.config import Settings
from bot.templating import render

#: Longest search text taken from the query string; longer text is cut.
MAX_QUERY_LENGTH = 500
#: Most search results shown on the list page.
SEARCH_LIMIT = 10

# Raw HTML in an article is shown as text, never run: trainers write Markdown only.
markdown = MarkdownIt("commonmark", {"html": False})


def create_blueprint(settings: Settings) -> Blueprint:
    """Build the /help pages for the articles in settings.articles_dir."""
    blueprint = Blueprint("help_pages")
    knowledge_base = KnowledgeBase(settings.articles_dir)

    @blueprint.get("/help")
    async def article_list(request: Request) -> HTTPResponse:
        query = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        hits = knowledge_base.search(query, limit=SEARCH_LIMIT) if query else []
        return render(
            "help_list.html",
            query=query,
            hits=hits,
            articles=knowledge_base.articles(),
        )

    @blueprint.get("/help/<slug:str>")
    async def article_page(request: Request, slug: str) -> HTTPResponse:
        article = knowledge_base.get(slug)
        if article is None:
            return render("help_article.html", status=404, article=None, slug=slug)
        body = Markup(markdown.render(article.body))
        return render("help_article.html", article=article, body=body)

    return blueprint
