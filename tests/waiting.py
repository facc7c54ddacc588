"""How tests wait for a state: ``until`` (in a test running on the event loop) and
``wait_for`` (in a test that drives other processes or threads), both polling the state, never
counting on the clock.

``CEILING`` is only what turns a hang into a failure. It is generous on purpose: on a machine
shared with other work (CI has two cores), what takes 50 ms alone can take seconds. Speed goals
live in ``benchmarks/``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

CEILING = 120.0
"""Seconds: the longest any wait in the tests lasts before it fails."""


async def until(condition: Callable[[], object], what: str = "") -> None:
    """Until ``condition`` holds, the event loop running meanwhile (the ceiling fails it).

    What the condition reads changes only when another task runs (a stream read, a session's
    event), so each look comes after one turn of the loop, with no interval at all."""
    deadline = time.monotonic() + CEILING
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0)  # one turn of the event loop: its tasks and its I/O


def wait_for(condition: Callable[[], object], what: str) -> None:
    """Until ``condition`` holds (a server, a process, a file), from a plain thread."""
    deadline = time.monotonic() + CEILING
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # the poll's step
