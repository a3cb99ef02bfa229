"""The help-article knowledge base: checking article files, ranking, reloading."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml

from actions import articles, config
from actions.articles import (
    ArticleError,
    KnowledgeBase,
    check_article,
    check_articles,
    knowledge_base,
    load_article,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTICLES_DIR = PROJECT_ROOT / "data" / "articles"
QUERIES = PROJECT_ROOT / "tests" / "data" / "article_queries.yml"

VALID_ARTICLE = """---
slug: {slug}
title: {title}
url: https://support.iex.dk/en/articles/1-{slug}
systems: [Shopify]
tags: [labels, printing]
---
{body}
"""


def write_article(folder: Path, slug: str, title: str = "Printing labels", body: str = "") -> Path:
    """Write a valid article file and return its path."""
    path = folder / f"{slug}.md"
    text = VALID_ARTICLE.format(
        slug=slug, title=title, body=body or "How zebra label printers get the shipping labels."
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def published() -> KnowledgeBase:
    return KnowledgeBase(ARTICLES_DIR)


@pytest.fixture
def article_copies(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, folder)
    return folder


# Ranking


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        (
            "order 10023 is skipped in the log, says not in allowed states??",
            "log-status-skipped-order-not-in-allowed-states",
        ),
        (
            "why is the invoice only a draft? error in totals validation",
            "what-does-error-in-totals-validation-mean",
        ),
        ("vat is added twice on our invoices", "how-is-vat-handled"),
        ("how do i cancel my iex subscription", "how-do-i-cancel-my-subscription"),
        ("we just started the trial, how does it work", "how-does-the-integration-work"),
        (
            "credit note missing after a refund in shopify",
            "how-are-credit-notes-and-refunds-handled",
        ),
        ("ordr not transfered to e-conmic", "when-is-the-webshop-order-transferred"),
    ],
)
def test_search_finds_the_article_that_answers_the_question(published, question, slug):
    assert slug in [hit.slug for hit in published.search(question)]


@pytest.mark.parametrize(
    "question", ["what is the weather in Paris", "tell me a joke", "asdf qwerty", "hi", ""]
)
def test_search_suggests_nothing_for_questions_no_article_answers(published, question):
    assert published.search(question) == []


def test_search_suggests_nothing_below_the_configured_threshold(published, monkeypatch):
    monkeypatch.setattr(config, "ARTICLE_MIN_SCORE", 0.99)
    assert published.search("order skipped not in allowed states") == []


def test_search_returns_at_most_limit_hits_best_first(published):
    hits = published.search("invoice vat payment order", limit=2)
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score
    assert published.search("invoice vat payment order", limit=0) == []


def test_excluded_articles_are_never_suggested_again(published):
    question = "the invoice is not marked as paid"
    shown: list[str] = []
    for _ in range(4):
        hits = published.search(question, exclude=shown)
        assert not set(shown) & {hit.slug for hit in hits}
        if not hits:
            break
        shown += [hit.slug for hit in hits]
    assert len(shown) == len(set(shown)) > 3


def test_exclude_accepts_urls_as_well_as_slugs(published):
    first = published.search("rounding differences in dinero")[0]
    after_url = published.search("rounding differences in dinero", exclude=[first.url])
    after_slug = published.search("rounding differences in dinero", exclude=first.slug)
    assert first.slug not in [hit.slug for hit in after_url + after_slug]


@pytest.mark.parametrize(
    ("systems", "first"),
    [
        (["Dinero"], "payment-setup-guide-for-dinero"),
        (["Shopify", "e-conomic"], "guide-to-payment-setup-for-e-conomic"),
        (["Visma e-conomic"], "guide-to-payment-setup-for-e-conomic"),
        ("economic", "guide-to-payment-setup-for-e-conomic"),
    ],
)
def test_articles_about_the_customers_systems_rank_first(published, systems, first):
    hits = published.search(
        "payment setup: card payments should be registered as paid", systems=systems
    )
    assert hits[0].slug == first


def test_system_boost_never_lifts_an_irrelevant_article(published):
    assert published.search("what is the weather in Paris", systems=["Dinero"]) == []


def test_top3_accuracy_on_the_customer_questions_stays_above_90_percent(published):
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    found = [
        bool({hit.slug for hit in published.search(query["text"])} & set(query["slugs"]))
        for query in queries
    ]
    assert len(queries) >= 130
    assert sum(found) / len(found) >= 0.90


def test_every_slug_in_the_customer_questions_exists():
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    slugs = {path.stem for path in ARTICLES_DIR.glob("*.md")}
    assert {slug for query in queries for slug in query["slugs"]} <= slugs


# Reloading


def test_an_added_article_is_found_without_a_restart(article_copies):
    knowledge = KnowledgeBase(article_copies)
    assert knowledge.search("zebra label printer") == []
    write_article(article_copies, "printing-labels")
    assert knowledge.search("zebra label printer")[0].slug == "printing-labels"


def test_a_changed_article_is_reindexed(article_copies):
    path = write_article(article_copies, "printing-labels")
    knowledge = KnowledgeBase(article_copies)
    assert knowledge.search("zebra printers")[0].slug == "printing-labels"
    write_article(
        article_copies,
        "printing-labels",
        title="Gift wrapping",
        body="Wrapping paper for gifts at checkout.",
    )
    assert knowledge.get("printing-labels").title == "Gift wrapping"
    assert "printing-labels" not in [hit.slug for hit in knowledge.search("zebra printers")]
    assert knowledge.search("gift wrapping paper")[0].slug == "printing-labels"
    assert path.exists()


def test_a_removed_article_is_no_longer_suggested(article_copies):
    path = write_article(article_copies, "printing-labels")
    knowledge = KnowledgeBase(article_copies)
    assert knowledge.get("printing-labels") is not None
    path.unlink()
    assert knowledge.get("printing-labels") is None
    assert "printing-labels" not in [hit.slug for hit in knowledge.search("zebra label printer")]


def test_a_broken_article_is_skipped_with_a_warning(article_copies, caplog):
    knowledge = KnowledgeBase(article_copies)
    count = len(knowledge.articles())
    (article_copies / "broken.md").write_text(
        "---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING, logger="actions.articles"):
        hits = knowledge.search("vat is added twice")
    assert hits and len(knowledge.articles()) == count
    assert "broken.md" in caplog.text


def test_a_missing_folder_gives_an_empty_knowledge_base(tmp_path):
    knowledge = KnowledgeBase(tmp_path / "nowhere")
    assert knowledge.articles() == []
    assert knowledge.search("order skipped") == []


def test_the_shared_knowledge_base_reads_the_configured_folder(article_copies, monkeypatch):
    monkeypatch.setattr(config, "ARTICLES_DIR", article_copies)
    shared = knowledge_base()
    assert shared is knowledge_base()
    assert shared.folder == article_copies


# Checking article files


def test_published_articles_have_no_problems():
    results = check_articles(ARTICLES_DIR)
    assert len(results) >= 32
    assert {path.name: problems for path, problems in results.items() if problems} == {}


def test_a_valid_article_loads_with_all_fields(tmp_path):
    article = load_article(write_article(tmp_path, "printing-labels"))
    assert article.slug == "printing-labels"
    assert article.url == "https://support.iex.dk/en/articles/1-printing-labels"
    assert article.systems == ("Shopify",)
    assert article.tags == ("labels", "printing")
    assert article.body.startswith("How zebra")
    assert check_article(article.path) == []


GOOD_FRONT_MATTER = {
    "slug": "slug: broken",
    "title": "title: Broken",
    "url": "url: https://support.iex.dk/en/articles/2-broken",
    "systems": "systems: []",
    "tags": "tags: [vat]",
}


@pytest.mark.parametrize(
    ("field", "line", "problem"),
    [
        ("slug", None, "missing field 'slug'"),
        ("title", None, "missing field 'title'"),
        ("url", None, "missing field 'url'"),
        ("systems", None, "missing field 'systems'"),
        ("tags", None, "missing field 'tags'"),
        ("title", "title: ''", "field 'title' is empty"),
        ("tags", "tags: []", "field 'tags' is empty"),
        ("tags", "tags: vat", "field 'tags' must be a list"),
        ("slug", "slug: other-name", "slug 'other-name' differs from the file name 'broken'"),
        ("url", "url: http://support.iex.dk/en/articles/2", "is not a well-formed https URL"),
        ("url", "url: https://", "is not a well-formed https URL"),
        ("url", "url: support.iex.dk/en", "is not a well-formed https URL"),
        ("title", "titel: Broken", "unknown field 'titel'"),
    ],
)
def test_each_front_matter_problem_is_reported(tmp_path, field, line, problem):
    lines = dict(GOOD_FRONT_MATTER)
    if line is None:
        del lines[field]
    else:
        lines[field] = line
    path = tmp_path / "broken.md"
    path.write_text("---\n" + "\n".join(lines.values()) + "\n---\nSome text.\n", encoding="utf-8")
    assert any(problem in found for found in check_article(path)), check_article(path)
    with pytest.raises(ArticleError):
        load_article(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Just text, no front matter.\n", "no front matter"),
        ("---\ntitle: [unclosed\n---\nBody\n", "not valid YAML"),
        ("---\n- a list\n---\nBody\n", "'key: value' lines"),
        ("---\n" + "\n".join(GOOD_FRONT_MATTER.values()) + "\n---\n\n   \n", "body is empty"),
    ],
)
def test_unreadable_files_are_reported(tmp_path, text, problem):
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    assert any(problem in found for found in check_article(path))


def test_duplicate_slugs_are_reported_with_both_files(tmp_path):
    write_article(tmp_path, "printing-labels")
    copy = tmp_path / "second-copy.md"
    copy.write_text((tmp_path / "printing-labels.md").read_text(encoding="utf-8"), encoding="utf-8")
    results = check_articles(tmp_path)
    assert results[tmp_path / "printing-labels.md"] == []
    assert any(
        "duplicate slug 'printing-labels', also used by printing-labels.md" in problem
        for problem in results[copy]
    )


def test_normalised_system_names_match_their_aliases():
    assert articles.system_key("Visma e-conomic") == articles.system_key("e-conomic")
    assert articles.system_key("MobilePay") == articles.system_key("Vipps MobilePay")


def test_system_names_come_from_the_nlu_synonyms():
    assert articles.system_key("woo") == articles.system_key("WooCommerce")
    assert articles.system_key("Shopify-POS") == articles.system_key("Shopify POS")
    assert {"economic", "dinero", "woocommerce", "vipps", "visma"} <= articles.SYSTEM_WORDS
    assert "pos" not in articles.SYSTEM_WORDS


def test_word_forms_and_spellings_meet_in_one_stem():
    stems = {articles._stem(word) for word in ("transferred", "transfers", "transfer")}
    assert len(stems) == 1
    assert articles._stem("synchronised") == articles._stem("synchronized")


def test_english_and_danish_filler_words_are_ignored():
    assert articles._words("hej, jeg har et problem med min ordre, thanks") == ["order"]


def test_the_glossary_file_is_a_plain_mapping_rasa_does_not_train_on():
    mapping = yaml.safe_load(articles.GLOSSARY_FILE.read_text(encoding="utf-8"))
    assert isinstance(mapping, dict) and mapping
    assert all(isinstance(meaning, str) and meaning for meaning in mapping.values())
    # Rasa reads any YAML under data/ with one of these keys as training data.
    assert not {"nlu", "responses", "stories", "rules", "version"} & set(mapping)
    assert articles.translate("Fakturaen mangler moms") == "invoice missing vat"
