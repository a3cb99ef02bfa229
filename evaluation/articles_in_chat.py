"""The article evaluation through the conversation: does the assistant's first reply show the
right help article, and show it first?

Usage: python -m evaluation.articles_in_chat [--set tests/data/article_queries.yml]
Each question is the first message of a new conversation with the running assistant (a private
copy unless --rasa-url is given); the articles its reply shows as cards are compared with the
slugs the question expects. Writes reports/article_chat.json.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT
from evaluation.client import ChatClient, each_conversation, run_from_command_line
from evaluation.dialogue import article_slugs, share
from evaluation.moves import last_turn, moves_of_turn, shown_article_urls
from support_core.language import DEFAULT_LANGUAGE

DEFAULT_QUERIES = PROJECT_ROOT / "tests" / "data" / "article_queries.yml"
DEFAULT_REPORT = PROJECT_ROOT / "reports" / "article_chat.json"


def evaluate(client: ChatClient, path: Path = DEFAULT_QUERIES) -> dict[str, Any]:
    """Shown (the right article anywhere in the first reply) and first, over every question."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries, language = data["queries"], data.get("language", DEFAULT_LANGUAGE)
    client = client.in_language(language)

    def ask(query: dict) -> dict:
        sender = client.new_sender()
        client.say(sender, query["text"])
        turn = last_turn(client.events(sender))
        shown = article_slugs(shown_article_urls(turn))
        return {
            "text": query["text"],
            "expected": query["slugs"],
            "shown": shown,
            "moves": moves_of_turn(turn),
            "right_shown": any(slug in query["slugs"] for slug in shown),
            "right_first": bool(shown) and shown[0] in query["slugs"],
        }

    results = each_conversation(ask, queries)
    total = len(results)
    return {
        "summary": {
            "language": language,
            "questions": total,
            "shown": share(sum(r["right_shown"] for r in results), total),
            "first": share(sum(r["right_first"] for r in results), total),
            "no_article": share(sum(not r["shown"] for r in results), total),
        },
        "missed": [r for r in results if not r["right_shown"]],
        "not_first": [r for r in results if r["right_shown"] and not r["right_first"]],
    }


def print_report(report: dict[str, Any]) -> None:
    summary = report["summary"]
    print(f"[{summary['language']}] articles in the first reply, {summary['questions']} "
          f"questions: right one shown "
          f"{summary['shown']:.1%}, shown first {summary['first']:.1%}, "
          f"no article {summary['no_article']:.1%}")
    for result in report["missed"]:
        print(f"  MISS {result['text'][:70]!r}: expected {result['expected'][0]}, shown "
              f"{result['shown'] or '-'} ({','.join(result['moves'])})")


def main() -> int:
    return run_from_command_line(
        __doc__.splitlines()[0], evaluate, print_report, DEFAULT_QUERIES, DEFAULT_REPORT
    )


if __name__ == "__main__":
    sys.exit(main())
