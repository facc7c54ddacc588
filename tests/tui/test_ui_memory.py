"""The garbage collector's settings while the TUI runs (ui/memory.py)."""

from __future__ import annotations

from glm_tui.ui.memory import THRESHOLDS


def test_middle_collections_are_small_and_full_ones_stay_rare() -> None:
    young, middle, full = THRESHOLDS
    # A middle collection walks the survivors of this many young ones: 50 made it a stall of
    # 0.2-0.4 s while scrolling through a 10,000-line code block (benchmarks/bench_tui.py),
    # and 2 of 20,000 allocations each 30-56 ms (the longest frames of that scroll).
    assert middle <= 2
    assert young * middle <= 10_000
    # Full collections (0.1 s with a conversation open) no more often than before.
    assert young * middle * full >= 20_000 * 50 * 50
