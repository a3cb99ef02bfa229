"""Measure how well the help-article search ranks the right article for real customer questions.

Usage: python scripts/evaluate_articles.py [--language da] [queries.yml] [articles folder]

Prints top-1 and top-3 accuracy, how often an off-topic message got a suggestion, and the median
and 95th-percentile search time, for the ranking in use (TF-IDF) and beside it for BM25 on the
same words, so a change of ranker can be judged on numbers; writes the details to
reports/article_ranking.json. With --language da it searches the Danish articles for the Danish
questions of tests/data/article_queries_da.yml and writes reports/article_ranking_da.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

import bm25s
import numpy as np
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from actions import articles, config  # noqa: E402
from actions.articles import Article, KnowledgeBase  # noqa: E402
from support_core.language import DEFAULT_LANGUAGE, LANGUAGES  # noqa: E402


def _for_language(path: Path, language: str) -> Path:
    """The file of a language: the English one as named, another with _<code> before the suffix."""
    if language == DEFAULT_LANGUAGE:
        return path
    return path.with_name(f"{path.stem}_{language}{path.suffix}")


DEFAULT_QUERIES = PROJECT_ROOT / "tests" / "data" / "article_queries.yml"
REPORT = PROJECT_ROOT / "reports" / "article_ranking.json"


@dataclass(frozen=True)
class BM25Index(articles._Index):
    """The ranking in use with BM25 in place of the word TF-IDF cosine; the same words and weights.

    A question's BM25 score is divided by the sum of each word's best score over the articles,
    so it lies between 0 and 1 like the TF-IDF cosine and the same threshold applies.
    """

    bm25: bm25s.BM25 | None = None
    system_terms: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        articles_found: list[Article],
        language: str = DEFAULT_LANGUAGE,
        originals: dict[str, Article] | None = None,
    ) -> BM25Index:
        """Index the articles for BM25 beside the character n-grams and lexicon of the original."""
        base = articles._Index.build(articles_found, language, originals)
        if not articles_found:
            return cls(articles=(), language=language)
        originals = originals or {}
        bm25 = bm25s.BM25()
        documents = [
            base.terms(articles._document(article, originals.get(article.slug)))
            for article in articles_found
        ]
        bm25.index(documents, show_progress=False)
        system_stems = {
            articles._stem(articles.fold(word, language), language)
            for word in articles.SYSTEM_WORDS
        }
        return cls(
            **{field.name: getattr(base, field.name) for field in fields(articles._Index)},
            bm25=bm25,
            system_terms=frozenset(term for term in bm25.vocab_dict if term in system_stems),
        )

    def scores(self, text: str) -> np.ndarray:
        """Relevance of every article to the text, between 0 and 1."""
        terms = [
            term
            for term in dict.fromkeys(self.terms(text))
            if term in self.bm25.vocab_dict
        ]
        word_scores = np.zeros(len(self.articles))
        if terms:
            per_term = np.array([self.bm25.get_scores([term]) for term in terms])
            weights = np.array(
                [
                    articles.SYSTEM_WORD_WEIGHT if term in self.system_terms else 1.0
                    for term in terms
                ]
            )
            best = float(weights @ per_term.max(axis=1))
            if best:
                word_scores = weights @ per_term / best
        character_scores = (
            (self.character_matrix @ self.characters.transform([text]).T).toarray().ravel()
        )
        similarity = (
            articles.WORD_WEIGHT * word_scores + articles.CHARACTER_WEIGHT * character_scores
        )
        return similarity * self.known_share(text)


class BM25KnowledgeBase(KnowledgeBase):
    """The knowledge base ranked with BM25, for comparison only."""

    _index_type = BM25Index


#: The rankers compared, the one in use first.
RANKERS = {"tf-idf": KnowledgeBase, "bm25": BM25KnowledgeBase}


def percentile(values: list[float], fraction: float) -> float:
    """The value below which the given fraction of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def timed_search(
    knowledge_base: KnowledgeBase, text: str, language: str = DEFAULT_LANGUAGE
) -> tuple[list[str], float]:
    """The slugs found for a text and the time the search took in milliseconds."""
    started = time.perf_counter()
    hits = knowledge_base.search(text, limit=3, language=language)
    return [hit.slug for hit in hits], (time.perf_counter() - started) * 1000


def evaluate(
    knowledge_base: KnowledgeBase, test_set: dict, language: str = DEFAULT_LANGUAGE
) -> dict:
    """Rank every query of the test set and summarise how often the right article came first."""
    knowledge_base.search("warm up", language=language)
    results, timings = [], []
    for query in test_set["queries"]:
        found, milliseconds = timed_search(knowledge_base, query["text"], language)
        timings.append(milliseconds)
        expected = set(query["slugs"])
        rank = next((position for position, slug in enumerate(found, 1) if slug in expected), None)
        results.append(
            {"text": query["text"], "expected": sorted(expected), "found": found, "rank": rank}
        )
    off_topic = []
    for text in test_set.get("off_topic", []):
        found, milliseconds = timed_search(knowledge_base, text, language)
        timings.append(milliseconds)
        off_topic.append({"text": text, "found": found})
    count = len(results)
    articles_searched = knowledge_base.articles(language)
    report = {
        "queries": count,
        "articles": len(articles_searched),
        "min_score": config.ARTICLE_MIN_SCORE,
        "top1": sum(result["rank"] == 1 for result in results) / count,
        "top3": sum(result["rank"] is not None for result in results) / count,
        "no_suggestion": sum(not result["found"] for result in results) / count,
        "off_topic_with_suggestion": sum(bool(item["found"]) for item in off_topic),
        "off_topic": len(off_topic),
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "misses": [result for result in results if result["rank"] != 1],
        "off_topic_results": off_topic,
    }
    if language != DEFAULT_LANGUAGE:
        report = {
            "language": language,
            "translated": sum(article.language == language for article in articles_searched),
            **report,
        }
    return report


def summary(name: str, report: dict) -> str:
    """One line of numbers for one ranker."""
    return (
        f"{name:>7}: top-1 {report['top1']:.1%}, top-3 {report['top3']:.1%}, "
        f"no suggestion {report['no_suggestion']:.1%}, "
        f"off-topic with a suggestion {report['off_topic_with_suggestion']}/{report['off_topic']}, "
        f"median {report['median_ms']:.2f} ms, p95 {report['p95_ms']:.2f} ms"
    )


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    """The language, the questions file and the articles folder, with their defaults."""
    parser = argparse.ArgumentParser(description="Measure how well the help articles are ranked.")
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    parser.add_argument("queries", nargs="?", type=Path, help="questions and their articles")
    parser.add_argument("folder", nargs="?", type=Path, default=config.ARTICLES_DIR)
    parsed = parser.parse_args(arguments)
    parsed.queries = parsed.queries or _for_language(DEFAULT_QUERIES, parsed.language)
    return parsed


def main(arguments: list[str]) -> int:
    """Evaluate every ranker, print the misses of the one in use and a summary of each."""
    options = parse_arguments(arguments)
    language = options.language
    if not options.queries.is_file():
        print(f"{options.queries}: no such file")
        return 1
    test_set = yaml.safe_load(options.queries.read_text(encoding="utf-8"))
    reports = {
        name: evaluate(ranker(options.folder), test_set, language)
        for name, ranker in RANKERS.items()
    }
    in_use = next(iter(reports))
    report = dict(reports[in_use], ranker=in_use)
    for miss in report["misses"]:
        print(f"rank {miss['rank'] or '-'}: {miss['text']!r}")
        print(f"    expected {miss['expected']}\n    found    {miss['found']}")
    searched = f"{report['articles']} articles"
    if language != DEFAULT_LANGUAGE:
        searched += f" ({report['translated']} translated into {language}, the rest in English)"
    print(f"{report['queries']} queries on {searched}")
    for name, result in reports.items():
        print(summary(name, result) + ("  (in use)" if name == in_use else ""))
    report["compared"] = {
        name: {key: value for key, value in result.items() if not isinstance(value, list)}
        for name, result in reports.items()
    }
    report_file = _for_language(REPORT, language)
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"report written to {_shown(report_file)}")
    return 0


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
