"""Every benchmark, one after the other: each prints its figures next to their targets.

    python benchmarks/run.py          # the first run seeds a 200,000-message history (~30 s)

The history is cached in $GLM_TUI_BENCH_CACHE (default: <tmp>/glm-tui-bench).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import _common
from history import CACHE, big_history

HERE = Path(__file__).resolve().parent


def main() -> int:
    db, _cid, _title = big_history()
    scripts = [
        ("bench_imports.py", []),
        ("bench_startup.py", []),
        ("bench_search.py", ["--db", str(db)]),
        ("bench_tui.py", []),
        ("bench_live.py", []),
    ]
    failed = 0
    for script, extra in scripts:
        print(f"== {script}", flush=True)
        result = subprocess.run(
            [sys.executable, str(HERE / script), *extra], env=_common.os_environ()
        )
        failed += result.returncode != 0
    print(
        f"== seeding (store write rate): see `python benchmarks/seed.py --db {CACHE}/x.db --force`"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
