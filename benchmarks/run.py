"""Every benchmark, one after the other; exits 1 when any figure misses its target.

    python benchmarks/run.py                 # all of them
    python benchmarks/run.py --only search   # one (repeat --only for more)
    python benchmarks/run.py --report-only   # print and record, but exit 0 on a miss
    python benchmarks/run.py --burn 2        # beside two CPU-burning processes (targets x1.5)

The run times a bare Textual app (Header, Static, Footer) until its screen settles, five times
at its start and twice after each benchmark: every time is also given as a ratio to the median
of those starts, and the targets, set where it takes 0.19 s, are scaled to it (see figures.py).
A virtual machine with neighbours changes speed within a run (a bare start of 0.40 s at the
start of one, 0.46 s in its own start-up benchmark minutes later): one measure at the start
scaled every target by its own noise. The figures of the run are appended to
benchmarks/results.jsonl with the commit and the machine; ``python benchmarks/report.py`` plots
their history.

The first run seeds a 1,000,000-message history (several minutes), cached in
$GLM_TUI_BENCH_CACHE (default: <tmp>/glm-tui-bench) and rebuilt when incomplete.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import _common
import figures
from figures import Figure

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.jsonl"
BURN_SLACK = 1.5
BARE_FIRST, BARE_BETWEEN = 5, 2
"""Bare starts timed at the start of a run, and after each benchmark."""

# name: (script, needs the big history, what it measures)
BENCHMARKS: dict[str, tuple[str, bool, str]] = {
    "imports": ("bench_imports.py", False, "import time of the scripting commands"),
    "startup": ("bench_startup.py", True, "first screen settled: empty, 1M history, bare app"),
    "seed": ("seed.py", False, "the store's write rate, seeding 100,000 messages"),
    "search": ("bench_search.py", True, "full-text search and the sidebar's queries, 1M"),
    "open": ("bench_open.py", True, "opening conversations cold and warm, Ctrl+B, memory"),
    "stream": ("bench_tui.py", False, "streamed replies: 20,000 / 40,000 tokens, 1 MB, code"),
    "live": ("bench_live.py", False, "CPU and keystrokes while a reply streams (real pty)"),
    "completion": ("bench_completion.py", False, "@ path completion on 20,000 files"),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    listing = "\n".join(f"  {name:<11} {item[2]}" for name, item in BENCHMARKS.items())
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Run the benchmarks; exit 1 when a figure misses its target.",
        epilog=f"benchmarks:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(BENCHMARKS),
        metavar="NAME",
        help="run only this benchmark (may be repeated); names below",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="exit 0 even when a figure misses its target"
    )
    parser.add_argument(
        "--burn",
        type=int,
        default=0,
        metavar="N",
        help=f"run beside N CPU-burning processes; targets are loosened {BURN_SLACK}x",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="JSON Lines file the run's figures are appended to (default: %(default)s)",
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not append this run to the results file"
    )
    return parser.parse_args(argv)


def machine() -> dict[str, object]:
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load": round(os.getloadavg()[0], 2),
    }


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def run_line(
    *,
    names: list[str],
    bare: float,
    slack: float,
    found: list[Figure],
    failed: list[str],
    when: datetime,
    starts: list[float] | None = None,
) -> dict[str, object]:
    """What one run appends to the results file (``starts``: each bare start timed)."""
    return {
        "time": when.isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "bare_s": round(bare, 4),
        "bare_starts": [round(start, 4) for start in starts or [bare]],
        "slack": slack,
        "benchmarks": names,
        "figures": [asdict(figure) for figure in found],
        "misses": [figure.name for figure in figures.misses(found, bare, slack)],
        "failed": failed,
    }


def yardstick(starts: list[float]) -> float:
    """The bare start the run's targets are scaled to: the median of every one timed so far."""
    return round(_common.median(starts), 4)


def run_script(name: str, db: Path | None, env: dict[str, str]) -> tuple[list[Figure], bool]:
    """Run one benchmark; (its figures, whether it ended without its own error)."""
    script = BENCHMARKS[name][0]
    extra: list[str] = []
    if name == "search" and db is not None:
        extra = ["--db", str(db)]
    elif name == "seed":
        scratch = _common.scratch_dir("seed") / "seed.db"
        extra = ["--db", str(scratch), "--conversations", "5000", "--force"]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        out_path = Path(out.name)
    try:
        result = subprocess.run(
            [sys.executable, str(HERE / script), *extra],
            env={**env, figures.OUT_ENV: str(out_path)},
        )
        found = figures.read_figures(out_path)
    finally:
        out_path.unlink(missing_ok=True)
    # A script exits 1 on a miss of its own; without a miss, a failure is a crash.
    crashed = result.returncode != 0 and not figures.misses(
        found, float(env[figures.BARE_ENV]), float(env.get(figures.SLACK_ENV, "1"))
    )
    return found, not crashed and bool(found)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.only or list(BENCHMARKS)
    names = [name for name in BENCHMARKS if name in names]  # in the usual order
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burn)
    ]
    slack = BURN_SLACK if args.burn else 1.0
    when = datetime.now(UTC)
    started = time.perf_counter()
    try:
        starts = _common.bare_starts(BARE_FIRST)
        bare = yardstick(starts)
        print(f"== bare Textual app, settled on a pty: {bare:.3f} s "
              f"(targets were set where it took {figures.REFERENCE_BARE_S} s: "
              f"times x{bare / figures.REFERENCE_BARE_S:.2f}; timed again between the "
              "benchmarks)", flush=True)  # fmt: skip
        env = {**_common.os_environ(), figures.SLACK_ENV: str(slack)}
        db = None
        if any(BENCHMARKS[name][1] for name in names):
            from history import big_history

            db, _cid, _title = big_history()
        found: list[Figure] = []
        failed: list[str] = []
        for name in names:
            print(f"== {name}: {BENCHMARKS[name][2]}", flush=True)
            env[figures.BARE_ENV] = f"{bare:.4f}"  # its own lines: the starts so far
            script_figures, ok = run_script(name, db, env)
            found += script_figures
            if not ok:
                failed.append(name)
                print(f"FAIL {name}: the benchmark did not finish", flush=True)
            starts += _common.bare_starts(BARE_BETWEEN, warm=False)
            bare = yardstick(starts)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    beside = f", beside {args.burn} burners, targets x{slack:.1f}" if args.burn else ""
    spread = f"{min(starts):.3f}-{max(starts):.3f} s"
    print(f"== summary ({time.perf_counter() - started:.0f} s; bare {bare:.3f} s, the median of "
          f"{len(starts)} starts over the run, {spread}{beside})")  # fmt: skip
    for figure in found:
        print(figures.format_line(figure, bare, slack))
    missed = figures.misses(found, bare, slack)
    print(f"{len(found)} figures, {len(missed)} missed, {len(failed)} benchmarks failed")
    if not args.no_record:
        line = run_line(
            names=names, bare=bare, slack=slack, found=found, failed=failed, when=when,
            starts=starts,
        )  # fmt: skip
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
        print(f"recorded in {args.results} (history: python benchmarks/report.py)")
    return figures.exit_code(
        found, bare, failed_scripts=len(failed), report_only=args.report_only, slack=slack
    )


if __name__ == "__main__":
    raise SystemExit(main())
