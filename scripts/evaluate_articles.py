"""Measure how well the help-article search ranks the right article for real customer questions.

Usage: python scripts/evaluate_articles.py [queries.yml] [articles folder]

Prints top-1 and top-3 accuracy, how often an off-topic message got a suggestion, and the median
and 95th-percentile search time, for the ranking in use (TF-IDF) and beside it for BM25 on the
same words, so a change of ranker can be judged on numbers; writes the details to
reports/article_ranking.json.
"""

from __future__ import annotations

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
    def build(cls, articles_found: list[Article]) -> BM25Index:
        """Index the articles for BM25 beside the character n-grams and lexicon of the original."""
        base = articles._Index.build(articles_found)
        if not articles_found:
            return cls(articles=())
        bm25 = bm25s.BM25()
        documents = [articles._words(articles._document(article)) for article in articles_found]
        bm25.index(documents, show_progress=False)
        system_stems = {articles._stem(word) for word in articles.SYSTEM_WORDS}
        return cls(
            **{field.name: getattr(base, field.name) for field in fields(articles._Index)},
            bm25=bm25,
            system_terms=frozenset(term for term in bm25.vocab_dict if term in system_stems),
        )

    def scores(self, text: str) -> np.ndarray:
        """Relevance of every article to the text, between 0 and 1."""
        terms = [
            term for term in dict.fromkeys(articles._words(text)) if term in self.bm25.vocab_dict
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


def timed_search(knowledge_base: KnowledgeBase, text: str) -> tuple[list[str], float]:
    """The slugs found for a text and the time the search took in milliseconds."""
    started = time.perf_counter()
    hits = knowledge_base.search(text, limit=3)
    return [hit.slug for hit in hits], (time.perf_counter() - started) * 1000


def evaluate(knowledge_base: KnowledgeBase, test_set: dict) -> dict:
    """Rank every query of the test set and summarise how often the right article came first."""
    knowledge_base.search("warm up")
    results, timings = [], []
    for query in test_set["queries"]:
        found, milliseconds = timed_search(knowledge_base, query["text"])
        timings.append(milliseconds)
        expected = set(query["slugs"])
        rank = next((position for position, slug in enumerate(found, 1) if slug in expected), None)
        results.append(
            {"text": query["text"], "expected": sorted(expected), "found": found, "rank": rank}
        )
    off_topic = []
    for text in test_set.get("off_topic", []):
        found, milliseconds = timed_search(knowledge_base, text)
        timings.append(milliseconds)
        off_topic.append({"text": text, "found": found})
    count = len(results)
    return {
        "queries": count,
        "articles": len(knowledge_base.articles()),
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


def summary(name: str, report: dict) -> str:
    """One line of numbers for one ranker."""
    return (
        f"{name:>7}: top-1 {report['top1']:.1%}, top-3 {report['top3']:.1%}, "
        f"no suggestion {report['no_suggestion']:.1%}, "
        f"off-topic with a suggestion {report['off_topic_with_suggestion']}/{report['off_topic']}, "
        f"median {report['median_ms']:.2f} ms, p95 {report['p95_ms']:.2f} ms"
    )


def main(arguments: list[str]) -> int:
    """Evaluate every ranker, print the misses of the one in use and a summary of each."""
    queries_file = Path(arguments[0]) if arguments else DEFAULT_QUERIES
    folder = Path(arguments[1]) if len(arguments) > 1 else config.ARTICLES_DIR
    test_set = yaml.safe_load(queries_file.read_text(encoding="utf-8"))
    reports = {name: evaluate(ranker(folder), test_set) for name, ranker in RANKERS.items()}
    in_use = next(iter(reports))
    report = dict(reports[in_use], ranker=in_use)
    for miss in report["misses"]:
        print(f"rank {miss['rank'] or '-'}: {miss['text']!r}")
        print(f"    expected {miss['expected']}\n    found    {miss['found']}")
    print(f"{report['queries']} queries on {report['articles']} articles")
    for name, result in reports.items():
        print(summary(name, result) + ("  (in use)" if name == in_use else ""))
    report["compared"] = {
        name: {key: value for key, value in result.items() if not isinstance(value, list)}
        for name, result in reports.items()
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"report written to {REPORT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
