"""The garbage collector's settings while the TUI runs (ui/memory.py)."""

from __future__ import annotations

from textual.app import App

from glm_tui.ui.memory import IDLE_SECONDS, THRESHOLDS, Collector
from tests.app_fixture import Tui


def test_middle_collections_are_small_and_full_ones_stay_rare() -> None:
    young, middle, full = THRESHOLDS
    # A middle collection walks the survivors of this many young ones: 50 made it a stall of
    # 0.2-0.4 s while scrolling through a 10,000-line code block (benchmarks/bench_tui.py),
    # and 2 of 20,000 allocations each 30-56 ms (the longest frames of that scroll).
    assert middle <= 2
    assert young * middle <= 10_000
    # Full collections (0.1 s with a conversation open) no more often than before.
    assert young * middle * full >= 20_000 * 50 * 50


async def test_what_a_conversation_left_is_collected_at_a_pause_not_while_keys_come() -> None:
    now = [100.0]
    app: App[None] = App()
    async with app.run_test():
        collector = Collector(app, clock=lambda: now[0])
        collector.later()  # a conversation was replaced
        assert collector.pending == 1 and collector.timer is not None
        now[0] += IDLE_SECONDS - 0.5
        collector.input_seen()  # a key half a second before the timer runs out
        now[0] += 0.5
        collector.due()
        assert collector.pending == 1, "collected while the user was typing"
        assert collector.timer is not None  # waits for the rest of the pause
        now[0] += IDLE_SECONDS
        collector.due()
        assert collector.pending == 0 and collector.timer is None


async def test_the_app_tells_the_collector_of_each_key(tui: Tui) -> None:
    async with tui() as (app, pilot):
        app.collector.clock = lambda: 12345.0
        await pilot.press("h")
        assert app.collector.last_activity == 12345.0
