"""Percentiles, the summary of one measured level, the ratios to the starter bot, the verdicts."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

#: The issue's done-when, all measured at this many concurrent customers (closed loop).
CHECK_CUSTOMERS = 20
#: `make run-scaled` must carry this many times the starter's messages per second ...
SCALED_THROUGHPUT_FACTOR = 2.0
#: ... at no more than this share of the starter's p95.
SCALED_P95_SHARE = 0.4
#: Message 76-80 of one conversation may take at most this many times as long as message 1-5.
GROWTH_LIMIT = 1.3
#: The think-time measurement looks for the most customers whose p95 stays under this.
THINK_TIME_P95_MS = 300.0


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0-1) percentile, interpolated between closest ranks; NaN if empty."""
    return float(np.percentile(values, share * 100)) if values else math.nan


@dataclass
class LevelSummary:
    """What one mode did at one load level: latencies in ms, throughput and failures."""

    customers: int
    messages: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def summarise(customers: int, latencies_ms: list[float], errors: int,
              seconds: float) -> LevelSummary:
    """The summary of one level from its answered messages' latencies."""
    return LevelSummary(
        customers=customers, messages=len(latencies_ms), errors=errors, seconds=seconds,
        p50_ms=percentile(latencies_ms, 0.50), p95_ms=percentile(latencies_ms, 0.95),
        p99_ms=percentile(latencies_ms, 0.99),
    )


def growth(latencies_ms: list[float], window: int = 5) -> dict[str, float]:
    """Median latency of a conversation's first and last ``window`` messages, and last/first."""
    first = statistics.median(latencies_ms[:window])
    last = statistics.median(latencies_ms[-window:])
    return {"first_ms": first, "last_ms": last, "factor": last / first if first else math.inf}


def ratios(mode: LevelSummary, starter: LevelSummary) -> dict[str, float]:
    """A mode against the starter bot at the same level: >1 throughput is better, <1 p95 is."""
    def share(ours: float, theirs: float) -> float:
        return ours / theirs if theirs else math.nan

    return {
        "messages_per_second": share(mode.messages_per_second, starter.messages_per_second),
        "p50": share(mode.p50_ms, starter.p50_ms),
        "p95": share(mode.p95_ms, starter.p95_ms),
        "p99": share(mode.p99_ms, starter.p99_ms),
    }


@dataclass
class Verdict:
    """One done-when check: what it demands, PASS/FAIL, or None when it could not be measured."""

    check: str
    passed: bool | None
    detail: str


def verdicts(at_check_level: dict[str, LevelSummary], errors: dict[str, int],
             growth: dict[str, float]) -> list[Verdict]:
    """The issue's done-when checks from the measured modes (``run``, ``scaled``, ``starter``)."""
    starter = at_check_level.get("starter")
    results = []
    for mode, factor, share in (("run", 1.0, 1.0),
                                ("scaled", SCALED_THROUGHPUT_FACTOR, SCALED_P95_SHARE)):
        check = (f"make {mode.replace('scaled', 'run-scaled')}: msg/s >= {factor:g}x starter and "
                 f"p95 <= {share:g}x starter at {CHECK_CUSTOMERS} customers")
        ours = at_check_level.get(mode)
        if ours is None or starter is None:
            results.append(Verdict(check, None, f"{mode} or starter not measured"))
            continue
        compared = ratios(ours, starter)
        passed = compared["messages_per_second"] >= factor and compared["p95"] <= share
        results.append(Verdict(check, passed, (
            f"{ours.messages_per_second:.1f} vs {starter.messages_per_second:.1f} msg/s "
            f"({compared['messages_per_second']:.2f}x), p95 {ours.p95_ms:.0f} vs "
            f"{starter.p95_ms:.0f} ms ({compared['p95']:.2f}x)")))
    ours_errors = {mode: count for mode, count in errors.items() if mode != "starter"}
    results.append(Verdict("zero errors", not any(ours_errors.values()) if ours_errors else None,
                           ", ".join(f"{mode}: {count}" for mode, count in errors.items())))
    for mode, factor in growth.items():
        if mode != "starter":
            results.append(Verdict(
                f"{mode}: last 5 messages of a long conversation within {GROWTH_LIMIT}x first 5",
                factor <= GROWTH_LIMIT, f"{factor:.2f}x"))
    return results
