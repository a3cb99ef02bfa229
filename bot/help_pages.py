"""The help pages: every help article as a web page under /help, with the chat's search.

Each page is in English or Danish: `?lang=da` or `?lang=en` chooses, otherwise the browser's
Accept-Language (Danish when it prefers Danish to English), otherwise English. Links and the
search form keep a language that was chosen in the address.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from markdown_it import MarkdownIt
from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from actions.articles import Article, knowledge_base_for
from bot.config import Settings
from bot.templating import render
from support_core.language import LANGUAGES, language_code, preferred_language

#: Longest search text taken from the query string; longer text is cut.
MAX_QUERY_LENGTH = 500
#: Most search results shown on the list page.
SEARCH_LIMIT = 10

# Raw HTML in an article is shown as text, never run: trainers write Markdown only.
markdown = MarkdownIt("commonmark", {"html": False})

#: The pages' own wording in each language; {slug} is filled in (and escaped) by the template.
TEXTS = {
    "en": {
        "language_name": "English",
        "site": "IEX Support · Help articles",
        "help_articles": "Help articles",
        "search": "Search",
        "search_label": "Search the help articles",
        "search_placeholder": "Describe your problem, e.g. order skipped in the log",
        "results_for": "Results for",
        "no_results_before": "No article matches that. Try other words, or write to",
        "no_results_after": "with an example order number.",
        "all_articles": "All articles",
        "concerns": "Concerns:",
        "source": "Full article in the IEX help center:",
        "not_found": "Article not found",
        "not_found_text": "There is no help article called “{slug}”. "
        "It may have been renamed or removed.",
        "back": "← All help articles",
        "switch_label": "This page in English",
        "untranslated": "",
    },
    "da": {
        "language_name": "Dansk",
        "site": "IEX Support · Hjælpeartikler",
        "help_articles": "Hjælpeartikler",
        "search": "Søg",
        "search_label": "Søg i hjælpeartiklerne",
        "search_placeholder": "Beskriv dit problem, fx ordre skippet i loggen",
        "results_for": "Resultater for",
        "no_results_before": "Ingen artikel passer på det. Prøv med andre ord, eller skriv til",
        "no_results_after": "med et eksempel på et ordrenummer.",
        "all_articles": "Alle artikler",
        "concerns": "Gælder:",
        "source": "Hele artiklen i IEX' hjælpecenter:",
        "not_found": "Artiklen findes ikke",
        "not_found_text": "Der er ingen hjælpeartikel, der hedder “{slug}”. "
        "Den kan være omdøbt eller fjernet.",
        "back": "← Alle hjælpeartikler",
        "switch_label": "Denne side på dansk",
        "untranslated": "Artiklen findes endnu kun på engelsk.",
    },
}


def page_language(request: Request) -> tuple[str, bool]:
    """The language of a page and whether the address chose it (?lang=), not the browser."""
    asked = language_code(request.args.get("lang"))  # "da", "DA", "da-DK" as the demo reads it
    if asked:
        return asked, True
    return preferred_language(request.headers.get("accept-language", "")), False


def _address(path: str, **parameters: str) -> str:
    """A path with its query string, leaving out empty parameters."""
    query = urlencode({name: value for name, value in parameters.items() if value})
    return f"{path}?{query}" if query else path


def _page_context(request: Request, path: str, **kept: str) -> dict:
    """What every help page needs: its language, wording and the links that keep or switch it.

    kept are the page's own parameters (the search text) that the language switch keeps too.
    """
    language, chosen = page_language(request)
    kept_language = language if chosen else ""
    switches = [
        {
            "language": other,
            "label": TEXTS[other]["switch_label"],
            "href": _address(path, lang=other, **kept),
        }
        for other in LANGUAGES
        if other != language
    ]
    return {
        "language": language,
        "text": TEXTS[language],
        "chosen_language": kept_language,
        "home": _address("/help", lang=kept_language),
        "link_suffix": _address("", lang=kept_language),
        "switches": switches,
        "vary": not chosen,
    }


def _respond(template: str, context: dict, status: int = 200, **values) -> HTTPResponse:
    """Render a help page; one chosen by the browser's language varies with that header."""
    response = render(template, status=status, **context, **values)
    if context["vary"]:
        response.headers["Vary"] = "Accept-Language"
    return response


def cross_origin_headers(request: Request, settings: Settings) -> dict[str, str]:
    """CORS headers that let the widget on an allowed site's page read the answer.

    The one origin check of the widget's endpoints (the articles and /widget/feedback); it asks
    Settings.allows_origin, as Rasa's CORS does. Every answer varies with the Origin header.
    """
    origin = request.headers.get("origin", "")
    if not origin or not settings.allows_origin(origin):
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def article_content(article: Article, language: str) -> dict[str, str]:
    """An article as the chat widget's article panel shows it: title, body as HTML, links."""
    return {
        "slug": article.slug,
        "title": article.title,
        "language": article.language,
        "untranslated": TEXTS[language]["untranslated"] if article.language != language else "",
        "body_html": markdown.render(article.body),
        "source_label": TEXTS[language]["source"],
        "source_url": article.url,
    }


def create_blueprint(settings: Settings) -> Blueprint:
    """Build the /help pages for the articles in settings.articles_dir."""
    blueprint = Blueprint("help_pages")
    knowledge_base = knowledge_base_for(settings.articles_dir)

    @blueprint.get("/help")
    async def article_list(request: Request) -> HTTPResponse:
        query = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        context = _page_context(request, "/help", q=query)
        language = context["language"]
        hits = knowledge_base.search(query, limit=SEARCH_LIMIT, language=language) if query else []
        return _respond(
            "help_list.html",
            context,
            query=query,
            hits=hits,
            articles=knowledge_base.articles(language=language),
        )

    @blueprint.get("/help/<slug:str>")
    async def article_page(request: Request, slug: str) -> HTTPResponse:
        # The slug comes from the path still percent-encoded; quoting keeps it so.
        context = _page_context(request, f"/help/{quote(slug, safe='%')}")
        article = knowledge_base.get(slug, language=context["language"])
        if article is None:
            return _respond("help_article.html", context, status=404, article=None, slug=slug)
        body = Markup(markdown.render(article.body))
        return _respond("help_article.html", context, article=article, body=body)

    @blueprint.get("/help/<slug:str>/content")
    async def article_content_for_widget(request: Request, slug: str) -> HTTPResponse:
        """The article as JSON for the chat widget's article panel, in the page's language."""
        language, chosen = page_language(request)
        article = knowledge_base.get(slug, language=language)
        headers = cross_origin_headers(request, settings)
        if not chosen:
            headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Language"]))
        if article is None:
            return json(
                {"error": "not_found", "message": f"No help article called {slug!r}."},
                status=404,
                headers=headers,
            )
        return json(article_content(article, language), headers=headers)

    return blueprint
