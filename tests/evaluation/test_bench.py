"""The benchmark's pure parts: percentiles, growth, ratios, verdicts, the conversation scripts."""
import math
import random

from evaluation.bench.conversations import (
    long_conversation,
    starter_conversation,
    support_conversation,
)
from evaluation.bench.statistics import LevelSummary, growth, percentile, ratios, verdicts


def _level(messages_per_second: float, p95_ms: float) -> LevelSummary:
    return LevelSummary(customers=20, messages=int(messages_per_second * 10), errors=0,
                        seconds=10.0, p50_ms=p95_ms / 2, p95_ms=p95_ms, p99_ms=p95_ms * 1.2)


def test_percentiles_interpolate_between_ranks_and_are_nan_without_values():
    values = [float(number) for number in range(1, 101)]
    assert percentile(values, 0.5) == 50.5
    assert percentile(values, 0.95) == 95.05
    assert percentile([7.0], 0.99) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_growth_compares_the_medians_of_the_first_and_last_five_messages():
    latencies = [100.0, 90, 110, 100, 100] + [500.0] * 70 + [120.0, 130, 125, 200, 110]
    assert growth(latencies) == {"first_ms": 100.0, "last_ms": 125.0, "factor": 1.25}


def test_ratios_are_ours_over_the_starters():
    compared = ratios(_level(30, 120), _level(15, 300))
    assert compared["messages_per_second"] == 2.0
    assert compared["p95"] == 0.4


def test_verdicts_pass_and_fail_on_the_done_when_and_say_what_was_not_measured():
    starter = _level(30, 1200)
    results = verdicts({"run": _level(12, 2700), "starter": starter},
                       {"run": 0, "starter": 3}, {"run": 1.2, "starter": 2.0})
    by_check = {verdict.check.split(":")[0]: verdict.passed for verdict in results}
    assert by_check["make run"] is False
    assert by_check["make run-scaled"] is None
    assert by_check["zero errors"] is True  # the starter's errors are not ours
    assert by_check["run"] is True
    assert "starter" not in by_check
    passing = verdicts({"run": _level(30, 1200), "scaled": _level(60, 480), "starter": starter},
                       {"run": 0, "scaled": 1}, {"scaled": 1.31})
    by_check = {verdict.check.split(":")[0]: verdict.passed for verdict in passing}
    assert by_check == {"make run": True, "make run-scaled": True, "zero errors": False,
                        "scaled": False}


def test_a_support_conversation_is_the_issues_whole_conversation_with_quick_replies():
    conversation = support_conversation(random.Random(1))
    assert len(conversation) == 9
    assert conversation[1] == conversation[5] == "/deny" and conversation[6] == "/affirm"
    assert "@" in conversation[2] and conversation[4].startswith("orders ")
    assert conversation[7] != conversation[8]
    assert support_conversation(random.Random(1)) == conversation


def test_the_starters_conversation_is_as_long_and_a_long_one_has_the_asked_length():
    rng = random.Random(2)
    assert len(starter_conversation(rng)) == len(support_conversation(rng))
    long = long_conversation(support_conversation, random.Random(3), 80)
    assert len(long) == 80
    assert long[:9] == support_conversation(random.Random(3))  # whole conversations in a row
