"""Start-up as a person sees it: spawn on a pseudo-terminal (120x40), time until the screen
stops changing (every region drawn, the sidebar filled; a blinking cursor is no change).

    python benchmarks/bench_startup.py [--runs 7] [--from-source]

Both programs start from bytecode, as installed ones do (see ``installed_env``);
``--from-source`` measures a checkout that is compiled at every start instead. The three
cases are interleaved, so that a busy moment hits each alike.

Targets (issue 19): empty history <= 1.2x a bare Textual app (Header, Static, Footer) started
the same way in the same run; 50,000 conversations / 1,000,000 messages <= 1.2x the empty
start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _common
from figures import REFERENCE_BARE_S, Figure, record
from history import big_history, empty_history
from ptyrun import time_to_settled

HERE = Path(__file__).resolve().parent


def glm_argv(db: Path) -> list[str]:
    """``glm-tui`` as a person starts it: the installed command (its script imports
    ``glm_tui.launch``; ``python -m glm_tui`` imports runpy too), or ``-m`` without one."""
    config = str(db.parent / "no-config.toml")
    script = Path(sys.executable).with_name("glm-tui")
    program = [str(script)] if script.is_file() else ["-m", "glm_tui"]
    return [sys.executable, *program, "--demo", "--db", str(db), "--config", config]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="start-up time, until the screen settles")
    parser.add_argument("--runs", type=int, default=7)
    _common.add_from_source(parser)
    args = parser.parse_args(argv)
    big, _cid, newest_title = big_history()
    empty = empty_history()
    env = _common.run_env(args, {**_common.os_environ(), "GLM_TUI_DEMO_SPEED": "0"})
    # Settled only once these are on the screen: the pane's welcome and the status line; with
    # a history, also the newest conversation's title in the sidebar.
    cases = {
        "bare": ([sys.executable, str(HERE / "bare_app.py")], [_common.BARE_MARK]),
        "empty": (glm_argv(empty), ["New conversation", "thinking on"]),
        "1M": (glm_argv(big), ["New conversation", "thinking on", newest_title[:20]]),
    }
    quiet = _common.SETTLE_QUIET
    for cmd, markers in cases.values():  # untimed: fills the bytecode cache
        time_to_settled(cmd, markers, env=env, quiet=quiet)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (cmd, markers) in cases.items():
            times[name].append(time_to_settled(cmd, markers, env=env, quiet=quiet))
    med = {name: _common.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"     {name:<6} median {med[name]:.3f} s  runs {[round(v, 3) for v in values]}")
    oks = [
        record(Figure("startup_empty_s", "start-up settled, empty history", med["empty"], "s",
                      1.2 * REFERENCE_BARE_S)),
        record(Figure("startup_empty_ratio", "start-up, empty history / bare app",
                      med["empty"] / med["bare"], "x", 1.2)),
        record(Figure("startup_1m_ratio", "start-up, 1M messages / empty history",
                      med["1M"] / med["empty"], "x", 1.2)),
    ]  # fmt: skip
    return 0 if all(oks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
