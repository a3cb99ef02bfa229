"""scripts/evaluate_articles.py: the ranking figures per language, each in its own report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scripts import evaluate_articles

ENGLISH = """---
slug: {slug}
title: {title}
url: https://support.iex.dk/en/articles/1-{slug}
systems: [Shopify]
tags: [{tags}]
---
{body}
"""
DANISH = """---
slug: {slug}
title: {title}
url: https://support.iex.dk/da/articles/1-{slug}
tags: [{tags}]
---
{body}
"""


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    (folder / "da").mkdir(parents=True)
    english = {
        "orders-skipped": (
            "Orders skipped in the log",
            "skipped, allowed states",
            "An order is skipped when its state is not one of the allowed states.",
        ),
        "vat-added-twice": (
            "VAT added twice",
            "vat, double vat",
            "VAT is added on top when prices include VAT but the shop applies none.",
        ),
        "cancel-subscription": (
            "Cancel your subscription",
            "cancel, subscription",
            "Cancel in the dashboard under Subscription.",
        ),
    }
    danish = {
        "orders-skipped": (
            "Ordrer skippet i loggen",
            "skippet, tilladte statusser",
            "En ordre bliver skippet, når dens status ikke er en af de tilladte.",
        ),
        "vat-added-twice": (
            "Moms lagt på to gange",
            "moms, dobbelt moms",
            "Momsen lægges oveni, når priserne er inklusive moms, men shoppen ikke lægger moms på.",
        ),
    }
    for slug, (title, tags, body) in english.items():
        text = ENGLISH.format(slug=slug, title=title, tags=tags, body=body)
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    for slug, (title, tags, body) in danish.items():
        text = DANISH.format(slug=slug, title=title, tags=tags, body=body)
        (folder / "da" / f"{slug}.md").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def reports(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(evaluate_articles, "REPORT", tmp_path / "reports" / "article_ranking.json")
    return tmp_path / "reports"


def write_queries(path: Path, queries: list[tuple[str, str]], off_topic: list[str]) -> Path:
    test_set = {
        "queries": [{"text": text, "slugs": [slug]} for text, slug in queries],
        "off_topic": off_topic,
    }
    path.write_text(yaml.safe_dump(test_set, allow_unicode=True), encoding="utf-8")
    return path


def test_each_language_reads_its_own_questions_by_default():
    english = evaluate_articles.parse_arguments([])
    danish = evaluate_articles.parse_arguments(["--language", "da"])
    assert english.language == "en"
    assert english.queries.name == "article_queries.yml"
    assert danish.queries.name == "article_queries_da.yml"
    assert danish.queries.parent == english.queries.parent


def test_the_danish_evaluation_searches_in_danish_and_writes_its_own_report(
    tmp_path, articles_dir, reports, capsys
):
    queries = write_queries(
        tmp_path / "queries_da.yml",
        [
            ("ordren er skippet i loggen", "orders-skipped"),
            ("momsen bliver lagt på to gange", "vat-added-twice"),
            ("hvordan opsiger jeg mit subscription", "cancel-subscription"),
        ],
        ["hvad bliver vejret i morgen"],
    )
    status = evaluate_articles.main(["--language", "da", str(queries), str(articles_dir)])
    assert status == 0
    assert not (reports / "article_ranking.json").exists()
    report = json.loads((reports / "article_ranking_da.json").read_text(encoding="utf-8"))
    assert report["language"] == "da"
    assert (report["articles"], report["translated"], report["queries"]) == (3, 2, 3)
    assert report["top3"] == 1.0
    assert report["off_topic_with_suggestion"] == 0
    assert "2 translated into da" in capsys.readouterr().out


def test_the_english_evaluation_keeps_its_report(tmp_path, articles_dir, reports):
    queries = write_queries(
        tmp_path / "queries.yml", [("my order was skipped", "orders-skipped")], ["tell me a joke"]
    )
    assert evaluate_articles.main([str(queries), str(articles_dir)]) == 0
    report = json.loads((reports / "article_ranking.json").read_text(encoding="utf-8"))
    assert "language" not in report
    assert report["top1"] == 1.0
    assert not (reports / "article_ranking_da.json").exists()


def test_a_missing_questions_file_fails(tmp_path, reports, capsys):
    assert evaluate_articles.main(["--language", "da", str(tmp_path / "none.yml")]) == 1
    assert "no such file" in capsys.readouterr().out
