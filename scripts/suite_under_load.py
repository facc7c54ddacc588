"""Run the whole test suite with CPU-burning processes beside it, to show it passes under load.

    python scripts/suite_under_load.py [--burners 2] [--runs 3] [-- extra pytest args]

Each burner is a process spinning on one core; they start before each run and are stopped
after it (and each stops by itself after ``--limit`` seconds whatever happens). Exits non-zero
if any run fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time


def burn(limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        sum(i * i for i in range(10_000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1800, help="seconds a burner lives at most")
    parser.add_argument("pytest_args", nargs="*", default=["-n", "2", "-q"])
    args = parser.parse_args(argv)
    failed = 0
    for run in range(1, args.runs + 1):
        burners = [
            multiprocessing.Process(target=burn, args=(args.limit,), daemon=True)
            for _ in range(args.burners)
        ]
        for burner in burners:
            burner.start()
        started = time.monotonic()
        try:
            result = subprocess.run([sys.executable, "-m", "pytest", *args.pytest_args])
        finally:
            for burner in burners:
                burner.terminate()
                burner.join()
        took = time.monotonic() - started
        print(f"run {run}: exit {result.returncode} in {took:.0f} s with {args.burners} burners")
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
