"""The analytics chart: conversations and deflection rate per day, drawn as SVG on the server."""
from __future__ import annotations

import io
import threading

from bot.inbox.analytics import Day

MUTED = "#5b6475"
BARS = "#b9cdf7"
LINE = "#0b7a4b"
#: Text stays text (small, searchable); fixed ids and no date: the same numbers give the same SVG.
STYLE = {
    "svg.fonttype": "none", "svg.hashsalt": "iex-inbox", "font.size": 9,
    "font.family": "DejaVu Sans",
}
# matplotlib's settings are global: one chart at a time, even when requests come together.
_drawing = threading.Lock()


def daily_chart_svg(days: list[Day]) -> str:
    """Bars of conversations per day and a line of the day's deflection rate (0-100 %)."""
    # matplotlib is imported here, so that a web app that nobody asks for a chart starts fast.
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    with _drawing, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(12, 3.4), dpi=100)
        axes = figure.add_subplot()
        positions = list(range(len(days)))
        axes.bar(positions, [day.conversations for day in days], color=BARS, width=0.7,
                 label="Conversations")
        axes.set_ylabel("Conversations", color=MUTED)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0, top=max([day.conversations for day in days] + [1]) * 1.15)
        rates = axes.twinx()
        rates.plot(
            positions,
            [float("nan") if day.deflection_rate is None else day.deflection_rate * 100
             for day in days],
            color=LINE, marker="o", markersize=3, linewidth=1.8, label="Deflection rate",
        )
        rates.set_ylim(0, 105)
        rates.yaxis.set_major_formatter(PercentFormatter())
        rates.set_ylabel("Deflection rate", color=MUTED)
        step = max(1, len(days) // 12)
        axes.set_xticks(positions[::step])
        axes.set_xticklabels([day.day.strftime("%d %b") for day in days][::step])
        axes.set_xlim(-0.6, len(days) - 0.4)
        axes.spines["top"].set_visible(False)
        rates.spines["top"].set_visible(False)
        for element in (axes, rates):
            element.tick_params(colors=MUTED)
        handles = axes.get_legend_handles_labels()[0] + rates.get_legend_handles_labels()[0]
        axes.legend(handles, ["Conversations", "Deflection rate"], loc="lower left",
                    bbox_to_anchor=(0, 1.0), frameon=False, ncol=2)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
