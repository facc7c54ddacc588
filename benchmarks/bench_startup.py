"""Start-up as a person sees it: spawn on a pseudo-terminal (120x40), time until the first
complete screen is on the terminal.

    python benchmarks/bench_startup.py [--runs 7] [--from-source]

Both programs start from bytecode, as installed ones do (see ``installed_env``);
``--from-source`` measures a checkout that is compiled at every start instead.

Targets (issue 7): empty history <= 1.3x a bare Textual app (Header, Static, Footer) started
the same way in the same run; 10,000 conversations / 200,000 messages <= 1.2x the empty start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _common
from history import big_history, empty_history
from ptyrun import time_to_text

HERE = Path(__file__).resolve().parent


def glm_argv(db: Path) -> list[str]:
    config = str(db.parent / "no-config.toml")
    return [sys.executable, "-m", "glm_tui", "--demo", "--db", str(db), "--config", config]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="start-up time")
    parser.add_argument("--runs", type=int, default=7)
    _common.add_from_source(parser)
    args = parser.parse_args(argv)
    big, _cid, newest_title = big_history()
    empty = empty_history()
    env = _common.run_env(args, {**_common.os_environ(), "GLM_TUI_DEMO_SPEED": "0"})
    # The first complete screen: the pane's welcome and the status line; with a history, also
    # the newest conversation's title in the sidebar.
    cases = {
        "bare": ([sys.executable, str(HERE / "bare_app.py")], ["BARE-APP-READY"]),
        "empty": (glm_argv(empty), ["New conversation", "thinking on"]),
        "10k": (glm_argv(big), ["New conversation", "thinking on", newest_title[:20]]),
    }
    for cmd, markers in cases.values():  # untimed: fills the bytecode cache
        time_to_text(cmd, markers, env=env)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):  # interleaved, so a busy moment hits every case alike
        for name, (cmd, markers) in cases.items():
            times[name].append(time_to_text(cmd, markers, env=env))
    med = {name: _common.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"     {name:<6} median {med[name]:.3f} s  runs {[round(v, 3) for v in values]}")
    ratio_empty = med["empty"] / med["bare"]
    ratio_big = med["10k"] / med["empty"]
    _common.at_most("start-up, empty history / bare app", ratio_empty, "x", 1.3)
    _common.at_most("start-up, 10k conversations / empty", ratio_big, "x", 1.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
