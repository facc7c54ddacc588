"""The history of the benchmark runs, plotted in the terminal, so that a regression is seen.

    python benchmarks/report.py                  # every figure, one line each, last 40 runs
    python benchmarks/report.py --figure search_p50   # one figure, one bar per run

Each figure is drawn against its target as scaled in its run (see figures.py): the bars show
figure / target, a bar at half height is exactly on target, anything taller missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from figures import Figure

HERE = Path(__file__).resolve().parent
BLOCKS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    """One figure in one run."""

    run: int
    time: str
    commit: str
    figure: Figure
    bare: float | None
    slack: float

    @property
    def load(self) -> float:
        """How much of its target the figure uses: 1.0 on target, more is a miss."""
        target = self.figure.target(self.bare, self.slack)
        if self.figure.at_least:
            return target / self.figure.value if self.figure.value else float("inf")
        return self.figure.value / target if target else float("inf")


def load_runs(path: Path) -> tuple[list[dict[str, object]], int]:
    """The runs in a results file, and how many lines could not be read."""
    runs: list[dict[str, object]] = []
    bad = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            run = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(run, dict) and isinstance(run.get("figures"), list):
            runs.append(run)
        else:
            bad += 1
    return runs, bad


def points(runs: Sequence[dict[str, object]]) -> dict[str, list[Point]]:
    """Every figure's points, in the order figures first appear."""
    found: dict[str, list[Point]] = {}
    for index, run in enumerate(runs):
        bare = run.get("bare_s")
        slack = run.get("slack", 1.0)
        for item in run["figures"]:  # type: ignore[attr-defined]
            try:
                figure = Figure(**item)
            except TypeError:
                continue
            found.setdefault(figure.name, []).append(
                Point(
                    run=index,
                    time=str(run.get("time", "")),
                    commit=str(run.get("commit", "")),
                    figure=figure,
                    bare=float(bare) if isinstance(bare, (int, float)) else None,
                    slack=float(slack) if isinstance(slack, (int, float)) else 1.0,
                )
            )
    return found


def block(load: float) -> str:
    """A bar for ``load``: 0.5 (half height) is on target, full height twice the target."""
    level = round(min(max(load, 0.0), 1.0) * 4 * 2)
    return BLOCKS[level]


def sparkline(series: Sequence[Point]) -> str:
    return "".join(block(point.load / 2) for point in series)


def _value(figure: Figure) -> str:
    return f"{figure.value:,.2f}" if abs(figure.value) < 1000 else f"{figure.value:,.0f}"


def render(runs: Sequence[dict[str, object]], last: int = 40) -> str:
    """One line per figure: its bars over the last ``last`` runs, the newest value, misses."""
    lines = [
        f"{len(runs)} runs; bars: figure / target over the last {last} (half height = on "
        "target, taller = missed)"
    ]
    for series in points(runs[-last:]).values():
        newest = series[-1]
        missed = sum(point.load > 1.0 for point in series)
        ratio = newest.figure.ratio(newest.bare)
        ratio_text = f" ({ratio:.2f}x bare)" if ratio is not None else ""
        lines.append(
            f"{newest.figure.label[:44]:<44} {sparkline(series):<{last}} "
            f"{_value(newest.figure)} {newest.figure.unit}{ratio_text}"
            f"  missed {missed}/{len(series)}"
        )
    return "\n".join(lines)


def render_figure(runs: Sequence[dict[str, object]], name: str, width: int = 50) -> str:
    """One bar per run for one figure, with the target drawn as ``|``."""
    series = points(runs).get(name)
    if not series:
        return f"no figure named {name!r}"
    lines = [f"{series[0].figure.label} ({series[0].figure.unit}); '|' marks the target"]
    for point in series:
        filled = min(width * 2, round(point.load * width))
        bar = "█" * filled
        bar = bar.ljust(width * 2)
        bar = bar[:width] + ("|" if len(bar) > width else "") + bar[width:].rstrip()
        mark = "MISS" if point.load > 1.0 else "ok  "
        lines.append(
            f"{point.time[:16]:<16} {point.commit[:12]:<13} {mark} {_value(point.figure):>10} {bar}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plot the history of the benchmark runs")
    parser.add_argument("--results", type=Path, default=HERE / "results.jsonl")
    parser.add_argument("--figure", metavar="NAME", help="one figure, one bar per run")
    parser.add_argument("--last", type=int, default=40, help="runs shown (default: 40)")
    args = parser.parse_args(argv)
    if not args.results.exists():
        print(f"error: {args.results} does not exist (run benchmarks/run.py)", file=sys.stderr)
        return 1
    runs, bad = load_runs(args.results)
    if bad:
        print(f"({bad} unreadable lines in {args.results} skipped)")
    if args.figure:
        print(render_figure(runs[-args.last :], args.figure))
    else:
        print(render(runs, args.last))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
