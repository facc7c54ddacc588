"""``@`` path completion on a tree of 20,000 files: walking it once, and each keystroke.

Targets: the walk (``.gitignore`` respected) within 1 s, a query within 50 ms (the list
follows the typing). Exits non-zero on a miss. ``python benchmarks/bench_completion.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import Figure, record

from glm_tui.attachments import PathIndex

FILES = 20_000
WALK_TARGET = 1.0
QUERY_TARGET = 0.050
QUERIES = ["", "r", "re", "rea", "read", "readi", "reading", "src/mod1", "m12f3", "test_", "zzzz"]


def make_tree(root: Path) -> None:
    """200 packages of 100 files, two levels deep, and an ignored build directory."""
    (root / ".gitignore").write_text("build/\n*.tmp\n")
    for package in range(200):
        directory = root / "src" / f"module{package}" / ("tests" if package % 2 else "core")
        directory.mkdir(parents=True)
        for number in range(100):
            name = f"m{package}f{number}.py" if number % 3 else f"reading_{number}.md"
            (directory / name).write_text("x")
    build = root / "build"
    build.mkdir()
    for number in range(2000):
        (build / f"out{number}.o").write_text("x")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root)
        walks = []
        for _ in range(3):
            start = time.perf_counter()
            index = PathIndex(root).build()
            walks.append(time.perf_counter() - start)
        walk = min(walks)
        timings: dict[str, float] = {}
        for query in QUERIES:
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                index.search(query)
                runs.append(time.perf_counter() - start)
            timings[query] = statistics.median(runs)
    worst_query, worst = max(timings.items(), key=lambda item: item[1])
    for query, seconds in timings.items():
        print(f"  query {query!r:12} {seconds * 1000:6.1f} ms")
    print(f"     walked {len(index.paths):,} entries (.gitignore respected); "
          f"slowest query {worst_query!r}")  # fmt: skip
    ok_walk = record(Figure("completion_walk", "@ completion: walk 20,000 files", walk, "s",
                            WALK_TARGET))  # fmt: skip
    ok_query = record(Figure("completion_query", "@ completion: slowest query", worst * 1000,
                             "ms", QUERY_TARGET * 1000))  # fmt: skip
    return 0 if ok_walk and ok_query else 1


if __name__ == "__main__":
    sys.exit(main())
