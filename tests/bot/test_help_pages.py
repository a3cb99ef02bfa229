"""The /help pages: article list, search, article page, 404 and escaping of article HTML."""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
from sanic import Sanic

from bot import help_pages
from bot.config import Settings

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
    return tmp_path


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
