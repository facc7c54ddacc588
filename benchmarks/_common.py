"""Helpers shared by the benchmark scripts (not a test suite: they print figures and targets)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# Run from a checkout without installing: make `import glm_tui` find the sibling package.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def report(label: str, value: float, unit: str, target: str, ok: bool) -> None:
    """One line: the figure, the target, and whether it is met."""
    mark = "ok  " if ok else "MISS"
    print(f"{mark} {label:<38} {value:>12,.1f} {unit:<10} target {target}")


def os_environ() -> dict[str, str]:
    """The environment for a benchmarked program: this one, with the checkout importable."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def scratch_dir(name: str) -> Path:
    """A fresh folder for one benchmark's temporary files."""
    import shutil
    import tempfile

    path = Path(tempfile.gettempdir()) / "glm-tui-bench" / f"scratch-{name}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def at_most(label: str, value: float, unit: str, limit: float) -> bool:
    """Report a figure whose target is an upper bound; True when it is met."""
    report(label, value, unit, f"<= {limit:g} {unit}", value <= limit)
    return value <= limit


def installed_env(env: dict[str, str]) -> dict[str, str]:
    """Run as installed programs run: from bytecode (pip byte-compiles a package when it
    installs it, as Textual's is here). With PYTHONDONTWRITEBYTECODE set, as it may be in a
    development shell, every run of the checkout compiled glm_tui from source, some 40 ms that
    no installed copy pays. The cache is a private folder, filled by the first (untimed) run."""
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "glm-tui-bench" / "pycache")
    return env


def add_from_source(parser: argparse.ArgumentParser) -> None:
    """``--from-source``: keep this shell's PYTHONDONTWRITEBYTECODE (see ``installed_env``)."""
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="keep this shell's PYTHONDONTWRITEBYTECODE: glm_tui is compiled at every run",
    )


def run_env(args: argparse.Namespace, env: dict[str, str]) -> dict[str, str]:
    """``env`` as installed programs run, unless ``--from-source``."""
    return env if args.from_source else installed_env(env)


BARE_MARK = "BARE-APP-READY"


def bare_start(runs: int = 5) -> float:
    """Median seconds a bare Textual app (bare_app.py) takes to settle on a pseudo-terminal."""
    return median(bare_starts(runs))


def bare_starts(runs: int, *, warm: bool = True) -> list[float]:
    """Seconds each of ``runs`` starts of a bare Textual app takes to settle on a
    pseudo-terminal (``warm``: after an untimed one that fills the bytecode cache)."""
    from ptyrun import time_to_settled

    env = installed_env(os_environ())
    argv = [sys.executable, str(ROOT / "benchmarks" / "bare_app.py")]
    if warm:
        time_to_settled(argv, [BARE_MARK], env=env, quiet=SETTLE_QUIET)
    return [time_to_settled(argv, [BARE_MARK], env=env, quiet=SETTLE_QUIET) for _ in range(runs)]


SETTLE_QUIET = 0.6
"""Seconds without a change after which a screen counts as settled."""


def ensure_bare(runs: int = 3) -> float:
    """The bare start of this run: given by run.py, or measured now (and passed on to the
    programs this one starts)."""
    import os

    from figures import BARE_ENV

    if not os.environ.get(BARE_ENV):
        os.environ[BARE_ENV] = f"{bare_start(runs):.4f}"
        print(f"     bare Textual app start (settled): {float(os.environ[BARE_ENV]):.3f} s")
    return float(os.environ[BARE_ENV])
