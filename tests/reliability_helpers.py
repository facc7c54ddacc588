"""Helpers for the reliability tests (issue 8)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget

from tests.waiting import CEILING


async def click_when_still(
    pilot: Pilot[Any], widget: Widget, *, settle: int = 3, timeout: float = CEILING
) -> None:
    """Click ``widget`` once its place on the screen has stopped moving.

    A click aimed at a layout that is still changing (a reply just mounted, a block folding)
    lands on whatever moved under it; on a busy machine that happens.
    """
    deadline = time.monotonic() + timeout
    last = None
    still = 0
    while still < settle:
        if time.monotonic() > deadline:
            raise AssertionError(f"{widget} kept moving (or never showed) for {timeout} s")
        region = widget.region
        still = still + 1 if region.width and region.height and region == last else 0
        last = region
        await pilot.pause()
        await asyncio.sleep(0.01)
    await pilot.click(widget)
