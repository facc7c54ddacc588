"""The usage screen's pictures as text: a bar chart of the days, bars beside the models and the
conversations, the tokens split. Nothing here imports Textual (testable, cheap).

The figure drawn is the US$ the provider reported when the range has any (the AI/ML API), else
the tokens (Z.ai and others report no cost: an unknown cost is never drawn as zero).
"""

from __future__ import annotations

from collections.abc import Sequence

from glm_tui.budget import money
from glm_tui.records import record
from glm_tui.store.spending import UsageTotals
from glm_tui.usage_report import UsageReport

EIGHTHS = " ▁▂▃▄▅▆▇█"
"""A bar's top, in eighths of a row."""
CHART_ROWS = 8
COLUMN_WIDTH = 2
"""Cells a day's column takes (30 days: 89 cells with the gaps)."""
BAR_WIDTH = 24
"""The widest bar beside a model or a conversation."""


@record(slots=False)
class Measure:
    """What the bars measure: US$ when the range has a cost, else tokens."""

    usd: bool

    def value(self, row: UsageTotals) -> float:
        return (row.usd or 0.0) if self.usd else float(row.total_tokens)

    def text(self, value: float) -> str:
        return money(value) if self.usd else tokens(value)

    @property
    def name(self) -> str:
        return "US$" if self.usd else "tokens"


def measure_for(report: UsageReport) -> Measure:
    return Measure(usd=report.total.usd is not None)


def tokens(value: float) -> str:
    """12345 -> '12.3k', 2_500_000 -> '2.5M'."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def column_chart(values: Sequence[float], rows: int = CHART_ROWS) -> list[str]:
    """A column ``COLUMN_WIDTH`` cells wide per value (a space between two), ``rows`` lines
    high, the highest value filling them all; the lines from top to bottom. A value above zero
    shows at least ▁."""
    top = max(values, default=0.0)
    eighths = [
        (max(1, round(value / top * rows * 8)) if value > 0 and top > 0 else 0) for value in values
    ]
    lines = []
    for row in range(rows - 1, -1, -1):
        cells = []
        for height in eighths:
            filled = height - row * 8
            cells.append(EIGHTHS[max(0, min(8, filled))] * COLUMN_WIDTH)
        lines.append(" ".join(cells).rstrip())
    return lines


def day_axis(days: Sequence[UsageTotals]) -> str:
    """Under the chart: the first day, the middle one and the last (``03-01``), each under its
    column."""
    step = COLUMN_WIDTH + 1
    width = max(0, step * len(days) - 1)
    axis = [" "] * (width + 5)
    for index in sorted({0, len(days) // 2, len(days) - 1}):
        if 0 <= index < len(days):
            label = days[index].key[5:]
            start = min(step * index, len(axis) - len(label))
            axis[start : start + len(label)] = label
    return "".join(axis).rstrip()


def bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value`` against ``top``, in eighths of a cell."""
    if value <= 0 or top <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def bar_rows(
    rows: Sequence[UsageTotals], measure: Measure, label_width: int, limit: int
) -> list[tuple[str, str, str]]:
    """(label, bar, figure) for the first ``limit`` rows (the dearest first)."""
    shown = list(rows)[:limit]
    top = max((measure.value(row) for row in shown), default=0.0)
    result = []
    for row in shown:
        label = row.label if len(row.label) <= label_width else row.label[: label_width - 1] + "…"
        value = measure.value(row)
        figure = "-" if measure.usd and row.usd is None else measure.text(value)
        replies = f"{row.replies} repl{'y' if row.replies == 1 else 'ies'}"
        drawn = f"{bar(value, top):<{BAR_WIDTH}}"
        result.append((f"{label:<{label_width}}", drawn, f"{figure:>10}  {replies}"))
    return result


def token_split(total: UsageTotals) -> list[tuple[str, int]]:
    """The tokens by kind: the prompt's (not cached, cached), the completion's (the answer,
    the reasoning)."""
    return [
        ("prompt, not cached", total.uncached_prompt_tokens),
        ("prompt, cached", total.cached_tokens),
        ("completion, answer", total.answer_tokens),
        ("completion, reasoning", total.reasoning_tokens),
    ]
