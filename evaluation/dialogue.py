"""Run the dialogue evaluation set (single messages and multi-turn scripts) against the assistant.

Usage: python -m evaluation.dialogue [--set tests/data/dialogue_eval.yml] [--out reports/...]
Starts a private copy of the assistant unless --rasa-url is given. A set names its language
(``language: da``): its conversations start from a page in that language, and the report says
how many replies came in it.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT
from evaluation.client import ChatClient, each_conversation, run_from_command_line
from evaluation.moves import (
    bot_texts,
    last_turn,
    moves_of_turn,
    requested_slot_after,
    shown_article_urls,
)
from evaluation.moves import ticket_fields as case_at_ticket
from support_core.language import DEFAULT_LANGUAGE, detect

DEFAULT_SET = PROJECT_ROOT / "tests" / "data" / "dialogue_eval.yml"
DEFAULT_REPORT = PROJECT_ROOT / "reports" / "dialogue_eval.json"


@dataclass
class TurnResult:
    """One customer message, the move expected and the moves the assistant made."""

    text: str
    expected: str
    moves: list[str]
    passed: bool
    article: str | None = None
    articles_shown: list[str] = field(default_factory=list)
    #: The languages the reply's texts were clearly written in (short texts tell none).
    reply_languages: list[str] = field(default_factory=list)


def article_slugs(urls: list[str]) -> list[str]:
    """The slugs of the help articles behind the links shown, in either language."""
    from actions.articles import knowledge_base

    by_url = knowledge_base().slugs_by_url()
    return [by_url.get(url, url) for url in urls]


def check_turn(turn_events: list[dict], asked_before: str | None, expected: str,
               text: str, article: str | None) -> TurnResult:
    moves = moves_of_turn(turn_events, asked_before)
    shown = article_slugs(shown_article_urls(turn_events))
    passed = expected in moves and (article is None or article in shown)
    if expected != "not_understood" and "not_understood" in moves:
        passed = False
    languages = [found for found in map(detect, bot_texts(turn_events)) if found]
    return TurnResult(text, expected, moves, passed, article, shown, languages)


def run_messages(client: ChatClient, messages: list[dict]) -> list[TurnResult]:
    """Send each message as the first message of a new conversation."""
    def converse(item: dict) -> TurnResult:
        sender = client.new_sender()
        client.say(sender, item["text"])
        turn = last_turn(client.events(sender))
        return check_turn(turn, None, item["expect"], item["text"], item.get("article"))

    return each_conversation(converse, messages)


def replies_in(language: str, results: list[TurnResult]) -> float:
    """The share of the replies' texts (those long enough to tell) written in ``language``."""
    found = [reply for result in results for reply in result.reply_languages]
    return share(sum(reply == language for reply in found), len(found))


def _ticket_problems(expected: dict[str, Any], actual: dict[str, Any] | None) -> list[str]:
    if actual is None:
        return ["no ticket was created"]
    problems = []
    for key, wanted in expected.items():
        have = actual.get(key)
        if isinstance(wanted, list):
            missing = [item for item in wanted if item not in (have or [])]
            if missing or (key == "systems" and set(have or []) - set(wanted)):
                problems.append(f"{key}: expected {wanted}, ticket has {have}")
        elif have != wanted:
            problems.append(f"{key}: expected {wanted!r}, ticket has {have!r}")
    return problems


def run_scripts(client: ChatClient, scripts: list[dict]) -> list[dict]:
    """Play each script in its own conversation; it passes when every turn and the ticket do."""
    def play(script: dict) -> dict:
        sender = client.new_sender()
        turns, asked = [], None
        events: list[dict] = []
        for step in script["turns"]:
            client.say(sender, step["user"])
            events = client.events(sender)
            turns.append(check_turn(last_turn(events), asked, step["expect"], step["user"],
                                    step.get("article")))
            asked = requested_slot_after(events)
        ticket_problems = (
            _ticket_problems(script["ticket"], case_at_ticket(events)) if script.get("ticket")
            else []
        )
        return {
            "name": script["name"],
            "passed": all(turn.passed for turn in turns) and not ticket_problems,
            "ticket_problems": ticket_problems,
            "turns": [asdict(turn) for turn in turns],
        }

    return each_conversation(play, scripts)


def share(passed: int, total: int) -> float:
    """The share passed, to four places; 0 of nothing is 0."""
    return round(passed / total, 4) if total else 0.0


def summarise(
    messages: list[TurnResult], scripts: list[dict], language: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """Accuracy over single messages, per expected move, policy answers and script turns, and
    how many replies came in the set's language."""
    by_move: dict[str, list[bool]] = defaultdict(list)
    for result in messages:
        by_move[result.expected.split(":")[0]].append(result.passed)
    turns = [turn for script in scripts for turn in script["turns"]]
    policy = [result for result in messages if result.expected.startswith("policy:")]
    policy += [TurnResult(**turn) for turn in turns if turn["expected"].startswith("policy:")]
    return {
        "messages": len(messages),
        "message_accuracy": share(sum(r.passed for r in messages), len(messages)),
        "policy_accuracy": share(sum(r.passed for r in policy), len(policy)),
        "by_move": {
            move: share(sum(flags), len(flags)) for move, flags in sorted(by_move.items())
        },
        "scripts": len(scripts),
        "scripts_passed": share(sum(s["passed"] for s in scripts), len(scripts)),
        "turns": len(turns),
        "turn_accuracy": share(sum(turn["passed"] for turn in turns), len(turns)),
        "language": language,
        "replies_in_language": replies_in(
            language, messages + [TurnResult(**turn) for turn in turns]),
    }


def evaluate(client: ChatClient, path: Path = DEFAULT_SET) -> dict[str, Any]:
    """Run the whole set and return the summary with every failure."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    language = data.get("language", DEFAULT_LANGUAGE)
    client = client.in_language(language)
    messages = run_messages(client, data["messages"])
    scripts = run_scripts(client, data["scripts"])
    return {
        "summary": summarise(messages, scripts, language),
        "failed_messages": [asdict(result) for result in messages if not result.passed],
        "failed_scripts": [script for script in scripts if not script["passed"]],
    }


def print_report(report: dict[str, Any]) -> None:
    summary = report["summary"]
    print(f"[{summary['language']}] single messages: {summary['message_accuracy']:.1%} of "
          f"{summary['messages']}; policy answers {summary['policy_accuracy']:.1%}; replies in "
          f"{summary['language']} {summary['replies_in_language']:.1%}")
    print(f"scripts: {summary['scripts_passed']:.1%} of {summary['scripts']} passed whole; "
          f"turns {summary['turn_accuracy']:.1%} of {summary['turns']}")
    print("by move: " + ", ".join(f"{k} {v:.0%}" for k, v in summary["by_move"].items()))
    for result in report["failed_messages"]:
        print(f"  MISS {result['expected']:<28} got {','.join(result['moves']) or '-':<40} "
              f"{result['text'][:70]!r}")
    for script in report["failed_scripts"]:
        print(f"  SCRIPT {script['name']}: {'; '.join(script['ticket_problems'])}")
        for turn in script["turns"]:
            if not turn["passed"]:
                print(f"    turn {turn['text'][:50]!r}: expected {turn['expected']}, "
                      f"got {','.join(turn['moves']) or '-'}")


def main() -> int:
    return run_from_command_line(
        __doc__.splitlines()[0], evaluate, print_report, DEFAULT_SET, DEFAULT_REPORT
    )


if __name__ == "__main__":
    sys.exit(main())
