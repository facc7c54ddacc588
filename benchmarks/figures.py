"""Figures the benchmarks measure, their targets, and what a run writes down.

A benchmark script hands each figure to ``record``: it is printed next to its target, and,
when ``run.py`` started the script, also appended to the file named by ``$GLM_TUI_BENCH_OUT``
so that ``run.py`` can judge the whole run and add it to ``results.jsonl``.

The targets were set on a machine where a bare Textual app starts in 0.19 s. A time-based
target is scaled by the bare start measured in the same run (``$GLM_TUI_BENCH_BARE``): a
machine twice as slow gets twice the time, and half the rate. A share of a core's time (the
CPU of a reply streamed at a fixed pace) is a time per second, and scales as a time does: the
same work takes twice the share on a machine twice as slow. Only ratios to the bare app and
memory are not scaled. ``$GLM_TUI_BENCH_SLACK`` (1.5
with ``run.py --burn``) loosens every target once more, for runs beside CPU-burning processes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REFERENCE_BARE_S = 0.19
"""A bare Textual app's start on the machine the targets were set on."""

TIME_UNITS = {"s": 1.0, "ms": 0.001}
RATE_UNITS = frozenset({"msg/s"})
CPU_UNITS = frozenset({"%"})  # CPU seconds per second of wall time
OUT_ENV = "GLM_TUI_BENCH_OUT"
BARE_ENV = "GLM_TUI_BENCH_BARE"
SLACK_ENV = "GLM_TUI_BENCH_SLACK"


@dataclass(frozen=True)
class Figure:
    """One measured figure and its target (``limit``, an upper bound unless ``at_least``)."""

    name: str
    label: str
    value: float
    unit: str
    limit: float
    at_least: bool = False

    @property
    def scales(self) -> bool:
        """A time, a rate or a share of the CPU: its target follows the machine's speed."""
        return self.unit in TIME_UNITS or self.unit in RATE_UNITS or self.unit in CPU_UNITS

    def target(self, bare: float | None, slack: float = 1.0) -> float:
        """The limit on this machine: scaled by ``bare / REFERENCE_BARE_S`` and ``slack``."""
        factor = slack
        if self.scales and bare:
            factor *= bare / REFERENCE_BARE_S
        if self.at_least:
            return self.limit / factor
        return self.limit * factor

    def ok(self, bare: float | None, slack: float = 1.0) -> bool:
        target = self.target(bare, slack)
        return self.value >= target if self.at_least else self.value <= target

    def ratio(self, bare: float | None) -> float | None:
        """The figure as a multiple of the bare start (times only)."""
        if self.unit not in TIME_UNITS or not bare:
            return None
        return self.value * TIME_UNITS[self.unit] / bare


def format_line(figure: Figure, bare: float | None, slack: float = 1.0) -> str:
    """``ok``/``MISS``, the figure, its ratio to the bare start and its (scaled) target."""
    mark = "ok  " if figure.ok(bare, slack) else "MISS"
    sign = ">=" if figure.at_least else "<="
    target = figure.target(bare, slack)
    value = f"{figure.value:,.2f}" if abs(figure.value) < 1000 else f"{figure.value:,.0f}"
    shown_target = f"{target:,.2f}" if abs(target) < 1000 else f"{target:,.0f}"
    ratio = figure.ratio(bare)
    ratio_text = f"{ratio:6.2f}x bare" if ratio is not None else " " * 11
    scaled = f" (set: {figure.limit:g})" if figure.scales and bare else ""
    return (
        f"{mark} {figure.label:<46} {value:>10} {figure.unit:<5} {ratio_text}"
        f"  target {sign} {shown_target} {figure.unit}{scaled}"
    )


def bare_from_env() -> float | None:
    text = os.environ.get(BARE_ENV)
    return float(text) if text else None


def slack_from_env() -> float:
    text = os.environ.get(SLACK_ENV)
    return float(text) if text else 1.0


def record(figure: Figure, *, bare: float | None = None) -> bool:
    """Print the figure's line; append it to ``$GLM_TUI_BENCH_OUT`` if set. True when met."""
    bare = bare if bare is not None else bare_from_env()
    slack = slack_from_env()
    print(format_line(figure, bare, slack), flush=True)
    out = os.environ.get(OUT_ENV)
    if out:
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(figure)) + "\n")
    return figure.ok(bare, slack)


def read_figures(path: Path) -> list[Figure]:
    """The figures a script appended to ``path`` (none if it wrote nothing)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Figure(**json.loads(line)) for line in lines if line.strip()]


def misses(figures: Iterable[Figure], bare: float | None, slack: float = 1.0) -> list[Figure]:
    return [figure for figure in figures if not figure.ok(bare, slack)]


def exit_code(
    figures: Sequence[Figure],
    bare: float | None,
    *,
    failed_scripts: int = 0,
    report_only: bool = False,
    slack: float = 1.0,
) -> int:
    """1 when a figure misses its target or a script failed, unless ``report_only``."""
    if report_only:
        return 0
    return 1 if failed_scripts or misses(figures, bare, slack) else 0
