"""Import time of the scripting commands (no Textual may be imported for them):

    python benchmarks/bench_imports.py [--runs 15]

Target (issue 7): ``glm-tui ask/list/show/search`` import time <= 150 ms. Measured as the
median wall time of ``python -c "import <modules>"`` minus that of ``python -c pass``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import _common

COMMANDS = {
    "list/show/search": "glm_tui.cli, glm_tui.store",
    "ask": "glm_tui.cli, glm_tui.store, glm_tui.ask, glm_tui.api.client",
}


def wall(code: str, runs: int) -> float:
    times = []
    env = _common.os_environ()
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - start)
    return _common.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="import time of the scripting commands")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    base = wall("pass", args.runs)
    check = "import sys; assert 'textual' not in sys.modules, 'textual was imported'"
    for name, modules in COMMANDS.items():
        ms = (wall(f"import {modules}; {check}", args.runs) - base) * 1000
        _common.at_most(f"import time, {name}", ms, "ms", 150)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
