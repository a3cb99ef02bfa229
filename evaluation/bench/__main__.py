"""Run the benchmark: ``python -m evaluation.bench [--modes run,starter] [--quick]``.

Every mode's servers are started first (each on free ports with its own state), then each
measurement runs the modes one after the other, level by level, so they meet the same machine
in the same minutes: closed loop at each level, think time stepped up until p95 passes 300 ms,
and one long conversation alone. A benchmark, not a test: it prints PASS/FAIL for the issue's
done-when and always exits 0 once it has measured.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass

import rasa

from bot.config import PROJECT_ROOT
from bot.supervisor import stop_on_terminate
from evaluation.bench.conversations import (
    long_conversation,
    starter_conversation,
    support_conversation,
)
from evaluation.bench.load import THINK_SECONDS, run_customers, run_one_conversation
from evaluation.bench.modes import MODES, RunningMode, start_mode
from evaluation.bench.processes import UsageSampler
from evaluation.bench.report import print_tables, write_chart, write_json
from evaluation.bench.statistics import (
    CHECK_CUSTOMERS,
    THINK_TIME_P95_MS,
    LevelSummary,
    growth,
    ratios,
    summarise,
    verdicts,
)

STATE_ROOT = PROJECT_ROOT / "var" / "bench" / "state"
REPORTS = PROJECT_ROOT / "reports"
WARM_UP_SECONDS = 10


@dataclass(frozen=True)
class Plan:
    """What to measure and for how long."""

    modes: tuple[str, ...]
    levels: tuple[int, ...] = (1, 10, CHECK_CUSTOMERS, 50)
    seconds: float = 30.0
    think_steps: tuple[int, ...] = (2, 5, 10, 20, 30, 50, 75, 100, 150)
    think_seconds: tuple[float, float] = THINK_SECONDS
    think_step_seconds: float = 30.0
    growth_messages: int = 80
    seed: int = 11


QUICK = {"levels": (1, 10), "seconds": 8.0, "think_steps": (5, 10), "think_step_seconds": 8.0,
         "growth_messages": 20}


def conversation_of(mode: str):
    return starter_conversation if mode == "starter" else support_conversation


async def measure_level(mode: RunningMode, customers: int, seconds: float, seed: int,
                        think: tuple[float, float] | None = None) -> dict:
    """One mode at one level: its summary, failures and the usage of each of its processes."""
    sampler = UsageSampler(mode.leaders())
    sampler.start()
    measured = await run_customers(mode.channel, conversation_of(mode.name), customers, seconds,
                                   seed, think)
    usage = sampler.stop()
    summary = summarise(customers, measured.latencies_ms, measured.errors, measured.seconds)
    print(f"[bench] {mode.name:<8} {customers:>4} customers{' (think time)' if think else ''}: "
          f"{summary.messages_per_second:.1f} msg/s, p50 {summary.p50_ms:.0f} ms, "
          f"p95 {summary.p95_ms:.0f} ms, errors {summary.errors}", flush=True)
    return {**asdict(summary), "messages_per_second": summary.messages_per_second,
            "error_samples": measured.error_samples,
            "usage": {name: asdict(use) for name, use in usage.items()}}


async def measure(running: dict[str, RunningMode], plan: Plan) -> dict:
    """Every measurement of the plan, the modes taking turns at each level."""
    results = {name: {"closed_loop": [], "think_time": {"steps": [],
                                                        "most_customers_under_p95": 0}}
               for name in running}
    for mode in running.values():  # the first messages load what Rasa loads lazily
        await run_customers(mode.channel, conversation_of(mode.name), 2, WARM_UP_SECONDS, 0)
    for customers in plan.levels:
        for name, mode in running.items():
            results[name]["closed_loop"].append(
                await measure_level(mode, customers, plan.seconds, plan.seed))
    still_under = list(running)
    for customers in plan.think_steps:
        for name in list(still_under):
            step = await measure_level(running[name], customers, plan.think_step_seconds,
                                       plan.seed, think=plan.think_seconds)
            results[name]["think_time"]["steps"].append(step)
            if step["p95_ms"] <= THINK_TIME_P95_MS and not step["errors"]:
                results[name]["think_time"]["most_customers_under_p95"] = customers
            else:
                still_under.remove(name)
    for name, mode in running.items():
        messages = long_conversation(conversation_of(name), random.Random(plan.seed),
                                     plan.growth_messages)
        measured = await run_one_conversation(mode.channel, messages)
        results[name]["growth"] = {
            "messages": len(messages), "latencies_ms": measured.latencies_ms,
            "errors": measured.errors, "error_samples": measured.error_samples,
            **growth(measured.latencies_ms)}
        print(f"[bench] {name:<8} one conversation of {len(messages)} messages: "
              f"{results[name]['growth']['factor']:.2f}x", flush=True)
    return results


def start_all(modes: tuple[str, ...]) -> dict[str, RunningMode]:
    """Start every mode's servers in a fresh state folder; stop those started if one fails."""
    shutil.rmtree(STATE_ROOT, ignore_errors=True)
    running: dict[str, RunningMode] = {}
    try:
        for name in modes:
            print(f"[bench] starting {name} ...", flush=True)
            running[name] = start_mode(name, STATE_ROOT / name)
    except BaseException:
        for mode in running.values():
            mode.stop()
        raise
    return running


def build_report(plan: Plan, results: dict) -> tuple[dict, list]:
    """The JSON report with the ratios to the starter, and the done-when verdicts."""
    compared = {}
    if "starter" in results:
        starter_levels = results["starter"]["closed_loop"]
        for name, mode_results in results.items():
            if name != "starter":
                pairs = zip(mode_results["closed_loop"], starter_levels, strict=True)
                compared[name] = {
                    str(level["customers"]): ratios(summarise_back(level), summarise_back(theirs))
                    for level, theirs in pairs}
    at_check = {name: summarise_back(level) for name, mode_results in results.items()
                for level in mode_results["closed_loop"] if level["customers"] == CHECK_CUSTOMERS}
    errors = {name: sum(level["errors"] for level in mode_results["closed_loop"])
              + sum(step["errors"] for step in mode_results["think_time"]["steps"])
              + mode_results["growth"]["errors"]
              for name, mode_results in results.items()}
    growth = {name: mode_results["growth"]["factor"] for name, mode_results in results.items()}
    checks = verdicts(at_check, errors, growth)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "rasa": rasa.__version__,
                    "note": "the load client runs on the same machine as the servers"},
        "plan": asdict(plan),
        "modes": results,
        "ratios": compared,
        "verdicts": [asdict(verdict) for verdict in checks],
    }
    return report, checks


def summarise_back(level: dict):
    """The summary of a level as the JSON report holds it."""
    return LevelSummary(**{key: level[key] for key in LevelSummary.__dataclass_fields__})


def parse_plan(arguments: list[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="run,starter",
                        help=f"comma-separated, of {', '.join(MODES)} (default: run,starter)")
    parser.add_argument("--quick", action="store_true",
                        help="two levels of seconds each: a smoke run")
    parser.add_argument("--seconds", type=float, help="seconds per closed-loop level")
    given = parser.parse_args(arguments)
    modes = tuple(mode.strip() for mode in given.modes.split(",") if mode.strip())
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown mode {', '.join(unknown)}; choose from {', '.join(MODES)}")
    chosen = {**(QUICK if given.quick else {}),
              **({"seconds": given.seconds, "think_step_seconds": given.seconds}
                 if given.seconds else {})}
    return Plan(modes=modes, **chosen)


def main() -> int:
    plan = parse_plan()
    stop_on_terminate()
    running = start_all(plan.modes)
    try:
        results = asyncio.run(measure(running, plan))
    finally:
        for mode in running.values():
            mode.stop()
    report, checks = build_report(plan, results)
    write_json(report, REPORTS / "bench.json")
    write_chart(report, REPORTS / "bench.png")
    print_tables(report, checks)
    print(f"\nreport: {REPORTS / 'bench.json'}, chart: {REPORTS / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
