"""The /help pages: article list, search, article page, 404, escaping, English and Danish."""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
from sanic import Sanic

from bot import help_pages
from bot.config import Settings
from support_core.language import preferred_language

_app_numbers = count(1)

ARTICLE = """---
slug: {slug}
title: {title}
url: https://support.iex.dk/en/articles/{number}-{slug}
systems: [{systems}]
tags: [{tags}]
---
{body}
"""


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    articles = [
        (
            "orders-skipped",
            "Orders skipped in the log",
            "Shopify",
            "skipped, allowed states",
            "An order is **skipped** when its state is not allowed.\n\n"
            "1. Open the log.\n2. Add the state.",
        ),
        (
            "vat-added-twice",
            "VAT added twice",
            "",
            "vat, moms",
            "VAT is added on top when prices include VAT but the shop applies none.",
        ),
        (
            "unsafe-html",
            "Article with HTML",
            "Dinero",
            "html",
            'Before <script>alert(1)</script> after.\n\n<div onclick="steal()">block</div>',
        ),
    ]
    for number, (slug, title, systems, tags, body) in enumerate(articles, 1):
        (tmp_path / f"{slug}.md").write_text(
            ARTICLE.format(
                slug=slug, title=title, number=number, systems=systems, tags=tags, body=body
            ),
            encoding="utf-8",
        )
    (tmp_path / "da").mkdir()
    write_danish(
        tmp_path,
        "orders-skipped",
        "Ordrer skippet i loggen",
        "En ordre bliver **skippet**, når dens status ikke er tilladt.\n\n"
        "1. Åbn loggen.\n2. Tilføj statussen.",
    )
    return tmp_path


DANISH_ARTICLE = """---
slug: {slug}
title: {title}
url: https://support.iex.dk/da/articles/1-{slug}
tags: [skippet, tilladte statusser]
---
{body}
"""


def write_danish(folder: Path, slug: str, title: str, body: str) -> None:
    (folder / "da" / f"{slug}.md").write_text(
        DANISH_ARTICLE.format(slug=slug, title=title, body=body), encoding="utf-8"
    )


@pytest.fixture
def app(articles_dir: Path) -> Sanic:
    app = Sanic(f"t_help_{next(_app_numbers)}")
    app.blueprint(help_pages.create_blueprint(Settings(articles_dir=articles_dir)))
    return app


def test_the_list_shows_every_article_with_a_search_box(app):
    _, response = app.test_client.get("/help")
    assert response.status == 200
    for slug, title in [
        ("orders-skipped", "Orders skipped in the log"),
        ("vat-added-twice", "VAT added twice"),
    ]:
        assert f'href="/help/{slug}"' in response.text
        assert title in response.text
    assert '<input type="search" name="q"' in response.text


def test_search_shows_the_matching_articles_first(app):
    _, response = app.test_client.get("/help", params={"q": "my order was skipped"})
    assert response.status == 200
    results = response.text.split('id="results"')[1].split("</ul>")[0]
    assert 'href="/help/orders-skipped"' in results
    assert "vat-added-twice" not in results
    assert 'value="my order was skipped"' in response.text


def test_search_without_a_match_says_so(app):
    _, response = app.test_client.get("/help", params={"q": "what is the weather in Paris"})
    assert response.status == 200
    assert 'id="no-results"' in response.text
    assert 'id="results"' not in response.text


def test_the_search_text_is_escaped(app):
    _, response = app.test_client.get("/help", params={"q": '"><script>alert(2)</script>'})
    assert "<script>alert(2)</script>" not in response.text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in response.text


def test_an_article_is_rendered_from_markdown_with_its_canonical_link(app):
    _, response = app.test_client.get("/help/orders-skipped")
    assert response.status == 200
    assert "<h1>Orders skipped in the log</h1>" in response.text
    assert "<strong>skipped</strong>" in response.text
    assert "<ol>" in response.text
    assert 'href="https://support.iex.dk/en/articles/1-orders-skipped"' in response.text
    assert "Shopify" in response.text


def test_html_in_an_article_is_shown_escaped_not_run(app):
    _, response = app.test_client.get("/help/unsafe-html")
    assert response.status == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<div onclick" not in response.text


def test_an_unknown_article_gives_a_404_page(app):
    _, response = app.test_client.get("/help/no-such-article")
    assert response.status == 404
    assert "Article not found" in response.text
    assert 'href="/help"' in response.text


def test_an_added_article_appears_without_a_restart(app, articles_dir):
    (articles_dir / "new-one.md").write_text(
        ARTICLE.format(
            slug="new-one", title="Brand new", number=9, systems="", tags="new", body="Fresh."
        ),
        encoding="utf-8",
    )
    _, response = app.test_client.get("/help/new-one")
    assert response.status == 200
    assert "Brand new" in response.text


# English and Danish

DANISH_BROWSER = {"Accept-Language": "da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9,da;q=0.8"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7", "da"),
        ("da", "da"),
        ("de-DE,da;q=0.5", "da"),
        ("DA-dk", "da"),
        ("en-US,en;q=0.9,da;q=0.8", "en"),
        ("da;q=0.5,en;q=0.5", "en"),
        ("de-DE,de;q=0.9", "en"),
        ("da;q=0", "en"),
        ("da;q=abc,en;q=0.1", "en"),
        ("*", "en"),
        ("", "en"),
    ],
)
def test_the_browser_language_is_danish_only_when_preferred_to_english(header, language):
    assert preferred_language(header) == language


def test_lang_da_shows_the_list_in_danish_with_links_that_keep_it(app):
    _, response = app.test_client.get("/help", params={"lang": "da"}, headers=ENGLISH_BROWSER)
    assert response.status == 200
    assert '<html lang="da">' in response.text
    assert "<h1>Hjælpeartikler</h1>" in response.text
    assert ">Søg</button>" in response.text
    assert 'href="/help/orders-skipped?lang=da">Ordrer skippet i loggen</a>' in response.text
    # an article without a Danish version is listed in English, marked as such
    assert 'href="/help/vat-added-twice?lang=da" lang="en">VAT added twice</a>' in response.text
    assert '<input type="hidden" name="lang" value="da">' in response.text
    assert 'id="switch-en" href="/help?lang=en"' in response.text
    assert "Vary" not in response.headers


def test_a_danish_browser_gets_danish_pages_without_lang_in_the_links(app):
    _, response = app.test_client.get("/help", headers=DANISH_BROWSER)
    assert '<html lang="da">' in response.text
    assert 'href="/help/orders-skipped">Ordrer skippet i loggen</a>' in response.text
    assert 'name="lang"' not in response.text
    assert 'id="switch-en" href="/help?lang=en"' in response.text
    assert response.headers["Vary"] == "Accept-Language"


def test_english_is_the_default_and_lang_en_overrides_a_danish_browser(app):
    for params, headers in [({}, {}), ({}, ENGLISH_BROWSER), ({"lang": "en"}, DANISH_BROWSER)]:
        _, response = app.test_client.get("/help", params=params, headers=headers)
        assert '<html lang="en">' in response.text
        assert "<h1>Help articles</h1>" in response.text
        assert "Orders skipped in the log" in response.text
        assert 'id="switch-da" href="/help?lang=da"' in response.text


@pytest.mark.parametrize("asked", ["DA", "da-DK", " da "])
def test_lang_is_read_as_the_demo_page_reads_it(app, asked):
    _, response = app.test_client.get("/help", params={"lang": asked}, headers=ENGLISH_BROWSER)
    assert '<html lang="da">' in response.text
    assert 'href="/help/orders-skipped?lang=da">Ordrer skippet i loggen</a>' in response.text


def test_an_unknown_lang_is_ignored(app):
    _, response = app.test_client.get("/help", params={"lang": "de"}, headers=DANISH_BROWSER)
    assert response.status == 200
    assert '<html lang="da">' in response.text


def test_danish_search_finds_danish_articles_and_the_switch_keeps_the_search(app):
    _, response = app.test_client.get("/help", params={"lang": "da", "q": "ordren er skippet"})
    results = response.text.split('id="results"')[1].split("</ul>")[0]
    assert 'href="/help/orders-skipped?lang=da">Ordrer skippet i loggen</a>' in results
    assert "Resultater for “ordren er skippet”" in response.text
    assert 'href="/help?lang=en&amp;q=ordren+er+skippet"' in response.text


def test_danish_search_without_a_match_says_so_in_danish(app):
    _, response = app.test_client.get("/help", params={"lang": "da", "q": "hvad er vejret i dag"})
    assert 'id="no-results"' in response.text
    assert "Ingen artikel passer på det" in response.text


def test_a_danish_article_page_shows_the_danish_text_and_link(app):
    _, response = app.test_client.get("/help/orders-skipped", params={"lang": "da"})
    assert response.status == 200
    assert '<html lang="da">' in response.text
    assert "<h1>Ordrer skippet i loggen</h1>" in response.text
    assert "<strong>skippet</strong>" in response.text
    assert "Gælder:</span> Shopify" in response.text
    assert 'href="https://support.iex.dk/da/articles/1-orders-skipped"' in response.text
    assert 'href="/help?lang=da">← Alle hjælpeartikler</a>' in response.text
    assert 'id="switch-en" href="/help/orders-skipped?lang=en"' in response.text
    assert 'id="untranslated"' not in response.text


def test_an_untranslated_article_is_shown_in_english_on_a_danish_page(app):
    _, response = app.test_client.get("/help/vat-added-twice", headers=DANISH_BROWSER)
    assert response.status == 200
    assert '<html lang="da">' in response.text
    assert '<article lang="en">' in response.text
    assert "<h1>VAT added twice</h1>" in response.text
    assert "Artiklen findes endnu kun på engelsk." in response.text
    assert 'href="/help">← Alle hjælpeartikler</a>' in response.text


def test_the_english_article_page_links_to_the_danish_one(app):
    _, response = app.test_client.get("/help/orders-skipped")
    assert "<h1>Orders skipped in the log</h1>" in response.text
    assert 'id="switch-da" href="/help/orders-skipped?lang=da"' in response.text
    assert "Denne side på dansk" in response.text


def test_an_unknown_article_gives_a_danish_404_page(app):
    _, response = app.test_client.get("/help/no-such-article", params={"lang": "da"})
    assert response.status == 404
    assert '<html lang="da">' in response.text
    assert "<h1>Artiklen findes ikke</h1>" in response.text
    assert "“no-such-article”" in response.text
    assert 'href="/help?lang=da"' in response.text
    assert 'id="switch-en" href="/help/no-such-article?lang=en"' in response.text


def test_an_added_danish_article_appears_without_a_restart(app, articles_dir):
    write_danish(articles_dir, "vat-added-twice", "Moms lagt på to gange", "Momsen lægges oveni.")
    _, response = app.test_client.get("/help/vat-added-twice", params={"lang": "da"})
    assert "<h1>Moms lagt på to gange</h1>" in response.text
    assert 'id="untranslated"' not in response.text


def test_the_widget_gets_an_article_as_json_in_the_language_asked(app):
    _, english = app.test_client.get("/help/orders-skipped/content?lang=en")
    assert english.status == 200
    assert english.json["title"] == "Orders skipped in the log"
    assert "<strong>skipped</strong>" in english.json["body_html"]
    assert english.json["source_url"] == "https://support.iex.dk/en/articles/1-orders-skipped"
    assert english.json["untranslated"] == ""
    _, danish = app.test_client.get("/help/orders-skipped/content?lang=da")
    assert danish.json["title"] == "Ordrer skippet i loggen"
    assert danish.json["source_label"] == "Hele artiklen i IEX' hjælpecenter:"


def test_the_widget_is_told_when_an_article_is_only_in_english(app):
    _, response = app.test_client.get("/help/vat-added-twice/content?lang=da")
    assert response.json["language"] == "en"
    assert response.json["untranslated"] == "Artiklen findes endnu kun på engelsk."


def test_article_json_keeps_html_in_the_article_escaped(app):
    _, response = app.test_client.get("/help/unsafe-html/content")
    assert "<script>" not in response.json["body_html"]
    assert "&lt;script&gt;" in response.json["body_html"]


def test_an_unknown_article_as_json_is_a_404_with_a_message(app):
    _, response = app.test_client.get("/help/nope/content")
    assert response.status == 404
    assert response.json["error"] == "not_found"


def test_article_json_may_be_read_by_the_widget_on_an_allowed_site_only(app):
    allowed = {"Origin": "http://localhost:8080"}
    _, response = app.test_client.get("/help/orders-skipped/content", headers=allowed)
    assert response.headers["access-control-allow-origin"] == "http://localhost:8080"
    _, response = app.test_client.get(
        "/help/orders-skipped/content", headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


#: The origins private_settings() (bot/supervisor.py) allows: test pages on other free ports.
LOCAL_PORTS = (r"http://(localhost|127\.0\.0\.1):\d+\Z",)


def test_article_json_reads_allowed_origins_as_rasas_cors_does(articles_dir):
    app = Sanic(f"t_help_{next(_app_numbers)}")
    settings = Settings(articles_dir=articles_dir, allowed_origins=LOCAL_PORTS)
    app.blueprint(help_pages.create_blueprint(settings))

    _, allowed = app.test_client.get(
        "/help/orders-skipped/content", headers={"Origin": "http://127.0.0.1:41234"}
    )
    _, refused = app.test_client.get(
        "/help/orders-skipped/content", headers={"Origin": "http://localhost:8080.evil.example"}
    )

    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:41234"
    assert "access-control-allow-origin" not in refused.headers
    assert "Origin" in refused.headers["vary"]


@pytest.mark.parametrize(
    ("allowed", "origin", "allows"),
    [
        (("https://shop.example",), "https://SHOP.example", True),  # as Sanic-CORS: any case
        (("https://shop.example",), "https://shopXexample", False),  # no regex character: literal
        ((r"https://\w+\.shop\.example",), "https://eu.shop.example", True),
        ((r"https://\w+\.shop\.example",), "https://eu.shop.example.evil.example", False),
        (("*",), "https://anyone.example", True),
        ((), "http://localhost:8080", True),  # the web app's own by default
        ((), "http://localhost:9999", False),
    ],
)
def test_an_origin_is_allowed_as_rasas_cors_reads_the_allowed_origins(allowed, origin, allows):
    assert Settings(allowed_origins=allowed).allows_origin(origin) is allows
