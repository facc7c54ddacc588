"""Import time of the scripting commands (no Textual may be imported for them):

    python benchmarks/bench_imports.py [--runs 15]

Target (issues 7 and 19): ``glm-tui ask/list/show/search`` import time <= 150 ms. Measured as the
median wall time of ``python -c "import <modules>"`` minus that of ``python -c pass``, from
bytecode as an installed copy imports (``--from-source``: compiled at every run instead).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import _common
from figures import Figure, record

COMMANDS = {
    "list/show/search": "glm_tui.cli, glm_tui.store",
    "ask": "glm_tui.cli, glm_tui.store, glm_tui.ask, glm_tui.api.client",
}


def wall(code: str, runs: int, env: dict[str, str]) -> float:
    subprocess.run([sys.executable, "-c", code], check=True, env=env)  # fills the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - start)
    return _common.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="import time of the scripting commands")
    parser.add_argument("--runs", type=int, default=15)
    _common.add_from_source(parser)
    args = parser.parse_args(argv)
    _common.ensure_bare()
    env = _common.run_env(args, _common.os_environ())
    base = wall("pass", args.runs, env)
    oks = []
    check = "import sys; assert 'textual' not in sys.modules, 'textual was imported'"
    for name, modules in COMMANDS.items():
        ms = (wall(f"import {modules}; {check}", args.runs, env) - base) * 1000
        key = "imports_" + name.split("/")[0]
        oks.append(record(Figure(key, f"import time, {name}", ms, "ms", 150)))
    return 0 if all(oks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
