"""Quality gates on the running assistant: the dialogue sets and the articles of the first reply,
each in English and in Danish.

They run the same evaluations as `make eval` against the real servers and fail when the measured
quality drops below evaluation/gates.py, listing what was missed.
"""
from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from evaluation import articles_in_chat, dialogue, gates
from evaluation.client import ChatClient

pytestmark = pytest.mark.e2e

SETS = PROJECT_ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def client(assistant) -> ChatClient:
    return assistant.chat


@pytest.fixture(scope="module", params=["dialogue_eval.yml", "dialogue_eval_da.yml"])
def dialogue_report(request, client) -> dict:
    report = dialogue.evaluate(client, SETS / request.param)
    dialogue.print_report(report)
    return report


def test_single_messages_get_the_expected_move(dialogue_report):
    summary = dialogue_report["summary"]
    assert summary["messages"] >= 150
    gate = gates.minimum("MIN_DIALOGUE_MESSAGES", summary["language"])
    assert summary["message_accuracy"] >= gate, [
        (miss["text"], miss["expected"], miss["moves"])
        for miss in dialogue_report["failed_messages"]
    ]


def test_policy_questions_get_the_right_policy(dialogue_report):
    summary = dialogue_report["summary"]
    assert summary["policy_accuracy"] >= gates.minimum("MIN_POLICY_ANSWERS", summary["language"])


def test_multi_turn_scripts_go_as_a_customer_expects(dialogue_report):
    summary = dialogue_report["summary"]
    assert summary["scripts"] >= 20
    assert summary["turn_accuracy"] >= gates.minimum("MIN_DIALOGUE_TURNS", summary["language"]), [
        (script["name"], script["ticket_problems"],
         [(turn["text"], turn["expected"], turn["moves"])
          for turn in script["turns"] if not turn["passed"]])
        for script in dialogue_report["failed_scripts"]
    ]


def test_replies_come_in_the_customers_language(dialogue_report):
    summary = dialogue_report["summary"]
    assert summary["replies_in_language"] >= gates.minimum("MIN_REPLIES_IN_LANGUAGE",
                                                           summary["language"])


@pytest.mark.parametrize("queries", ["article_queries.yml", "article_queries_da.yml"])
def test_the_first_reply_shows_the_right_article_first(client, queries):
    report = articles_in_chat.evaluate(client, SETS / queries)
    articles_in_chat.print_report(report)
    summary = report["summary"]
    misses = [(miss["text"], miss["expected"], miss["shown"]) for miss in report["missed"]]
    assert summary["shown"] >= gates.minimum("MIN_ARTICLE_SHOWN", summary["language"]), misses
    assert summary["first"] >= gates.minimum("MIN_ARTICLE_FIRST", summary["language"])
