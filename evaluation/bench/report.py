"""The benchmark's results: reports/bench.json, the chart reports/bench.png, the printed table."""
from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

from evaluation.bench.statistics import THINK_TIME_P95_MS, Verdict  # noqa: E402


def write_json(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # NaN (a level without answered messages) is not JSON: null.
    path.write_text(json.dumps(report, indent=2, default=str).replace("NaN", "null"))


def write_chart(report: dict, path: Path) -> None:
    """Throughput, p95 (closed loop), p95 with think time, and latency along one conversation."""
    figure, ((throughput, latency), (thinking, growth)) = plt.subplots(2, 2, figsize=(12, 8))
    for mode, results in report["modes"].items():
        levels = results["closed_loop"]
        customers = [level["customers"] for level in levels]
        throughput.plot(customers, [level["messages_per_second"] for level in levels], "o-",
                        label=mode)
        line, = latency.plot(customers, [level["p95_ms"] for level in levels], "o-",
                             label=f"{mode} p95")
        latency.plot(customers, [level["p50_ms"] for level in levels], "--",
                     color=line.get_color(), label=f"{mode} p50")
        steps = results["think_time"]["steps"]
        thinking.plot([step["customers"] for step in steps], [step["p95_ms"] for step in steps],
                      "o-", label=mode)
        growth.plot(range(1, len(results["growth"]["latencies_ms"]) + 1),
                    results["growth"]["latencies_ms"], label=mode)
    thinking.axhline(THINK_TIME_P95_MS, color="grey", linestyle=":", label="300 ms")
    for axes, title, ylabel in (
        (throughput, "Closed loop: messages per second", "msg/s"),
        (latency, "Closed loop: latency", "ms"),
        (thinking, "With think time: p95", "ms"),
        (growth, "One long conversation: latency per message", "ms"),
    ):
        axes.set_title(title)
        axes.set_ylabel(ylabel)
        axes.set_xlabel("message" if axes is growth else "concurrent customers")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _number(value: float, digits: int = 0) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.{digits}f}"


def print_tables(report: dict, verdicts: list[Verdict]) -> None:
    """The closed-loop table with the ratios to the starter, memory, think time, growth, checks."""
    print("\nClosed loop (whole conversations back to back)")
    print(f"{'customers':>9} {'mode':<8} {'msg/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'errors':>6}  {'msg/s vs starter':>16} {'p95 vs starter':>14}")
    for index, customers in enumerate(report["plan"]["levels"]):
        for mode, results in report["modes"].items():
            level = results["closed_loop"][index]
            compared = report["ratios"].get(mode, {}).get(str(customers))
            against = (f"{_number(compared['messages_per_second'], 2):>15}x "
                       f"{_number(compared['p95'], 2):>13}x") if compared else ""
            print(f"{customers:>9} {mode:<8} {_number(level['messages_per_second'], 1):>7} "
                  f"{_number(level['p50_ms']):>7} {_number(level['p95_ms']):>7} "
                  f"{_number(level['p99_ms']):>7} {level['errors']:>6}  {against}")
    print("\nProcesses at the most customers (CPU seconds in the level, peak resident memory)")
    for mode, results in report["modes"].items():
        usage = results["closed_loop"][-1]["usage"]
        parts = [f"{name} {use['cpu_seconds']:.0f} s {use['peak_rss_mb']:.0f} MB"
                 for name, use in usage.items()]
        print(f"  {mode:<8} " + ", ".join(parts))
    print(f"\nWith think time {report['plan']['think_seconds']} s: most customers under "
          f"p95 {THINK_TIME_P95_MS:.0f} ms")
    for mode, results in report["modes"].items():
        steps = ", ".join(f"{step['customers']}: {_number(step['p95_ms'])} ms"
                          for step in results["think_time"]["steps"])
        print(f"  {mode:<8} {results['think_time']['most_customers_under_p95']}  ({steps})")
    print("\nOne conversation alone: median of the first and the last five messages")
    for mode, results in report["modes"].items():
        growth = results["growth"]
        print(f"  {mode:<8} {growth['messages']} messages: {growth['first_ms']:.0f} ms -> "
              f"{growth['last_ms']:.0f} ms ({growth['factor']:.2f}x)")
    print("\nDone when")
    for verdict in verdicts:
        state = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[verdict.passed]
        print(f"  {state:<12} {verdict.check}: {verdict.detail}")
