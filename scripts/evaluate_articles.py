"""Measure how well the help-article search ranks the right article for real customer questions.

Usage: python scripts/evaluate_articles.py [queries.yml] [articles folder]

Prints top-1 and top-3 accuracy, how often an off-topic message got a suggestion, and the median
and 95th-percentile search time; writes the details to reports/article_ranking.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from actions import config  # noqa: E402
from actions.articles import KnowledgeBase  # noqa: E402

DEFAULT_QUERIES = PROJECT_ROOT / "tests" / "data" / "article_queries.yml"
REPORT = PROJECT_ROOT / "reports" / "article_ranking.json"


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


def main(arguments: list[str]) -> int:
    """Evaluate, print the summary and the misses, and write the JSON report."""
    queries_file = Path(arguments[0]) if arguments else DEFAULT_QUERIES
    folder = Path(arguments[1]) if len(arguments) > 1 else config.ARTICLES_DIR
    test_set = yaml.safe_load(queries_file.read_text(encoding="utf-8"))
    report = evaluate(KnowledgeBase(folder), test_set)
    for miss in report["misses"]:
        print(f"rank {miss['rank'] or '-'}: {miss['text']!r}")
        print(f"    expected {miss['expected']}\n    found    {miss['found']}")
    print(
        f"{report['queries']} queries on {report['articles']} articles: "
        f"top-1 {report['top1']:.1%}, top-3 {report['top3']:.1%}, "
        f"no suggestion {report['no_suggestion']:.1%}, "
        f"off-topic with a suggestion {report['off_topic_with_suggestion']}/{report['off_topic']}, "
        f"median {report['median_ms']:.2f} ms, p95 {report['p95_ms']:.2f} ms"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"report written to {REPORT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
