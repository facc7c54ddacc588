"""When the TUI collects garbage.

``glm-tui`` turns garbage collection off while the app starts (launch.py). Once the first screen
is drawn, what exists (Textual's classes, the stylesheet, the first widgets) lives as long as
the app: it is frozen, so collections do not walk it (a collection at a pause walks everything,
then freezes what is left in its turn). Opening a conversation makes and
drops thousands of objects: at Python's thresholds that started a full collection (0.1 s) on
most opens. At ``THRESHOLDS`` only young collections run (a few ms), and the conversation that
was replaced (its widgets refer to each other: only a full collection frees them) is collected
once the user pauses (``IDLE_SECONDS`` without a key, a click or a scroll: a collection takes
0.2-0.5 s, felt if it comes while one types or scrolls), or after ``MOST_PENDING``
conversations opened without a pause. That one waits until the conversation just opened is on
the screen (``shown``, at most ``LONGEST_WAIT``): made before, it delayed what the user asked
for by the whole collection (every eighth open took 450-620 ms instead of 120-250 in
benchmarks/bench_open.py).

A middle collection walks what survived the young ones since the last: after 50 of them (the
old middle threshold) that was up to a million objects while scrolling through long code, a
stall of 0.2-0.4 s; after 2 young collections of 20,000 allocations each, 30-56 ms, the longest
frames of that scroll. A young collection every 5,000 allocations and a middle one every 2 keep
each under 20 ms, and full collections stay as rare (every 2 x 5,000 young ones, 50 million
allocations, as 50 x 50 of 20,000 were).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.timer import Timer

THRESHOLDS = (5_000, 2, 5_000)
IDLE_SECONDS = 2.0
"""A full collection once this long has passed with no conversation opened and no input."""
MOST_PENDING = 8
"""...or after this many conversations opened without such a pause..."""
LONGEST_WAIT = 1.0
"""...once the conversation opened last is shown, or this many seconds have passed."""
POLL = 0.05
"""Seconds between two looks at whether it is shown."""


class Collector:
    def __init__(self, app: App[Any], clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self.pending = 0
        """Conversations replaced since the last full collection."""
        self.timer: Timer | None = None
        self.last_activity = clock()
        """When a conversation was last opened or the user last pressed, clicked or scrolled."""
        self.shown: Callable[[], bool] = lambda: True
        """Whether the conversation opened last is all on the screen (set by the main screen)."""
        self.waiting_since: float | None = None
        """When a collection began to wait for ``shown`` (``MOST_PENDING`` reached)."""

    def started(self) -> None:
        """The first screen is drawn."""
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        gc.enable()

    def later(self) -> None:
        """Some widgets were dropped: collect them once the user pauses."""
        self.pending += 1
        self.last_activity = self.clock()
        if self.pending >= MOST_PENDING:
            if self.waiting_since is None:
                self.waiting_since = self.clock()
                self.app.call_after_refresh(self._collect_when_shown)
        elif self.timer is None:
            self.timer = self.app.set_timer(IDLE_SECONDS, self.due)
        # else: the timer, when it runs out, waits for the rest of the pause (``due``)

    def input_seen(self) -> None:
        """A key, a click, a scroll: not a pause (cheap: called for every input event)."""
        self.last_activity = self.clock()

    def due(self) -> None:
        """The timer ran out: collect if nothing happened since, else wait for the rest."""
        self.timer = None
        rest = self.last_activity + IDLE_SECONDS - self.clock()
        if rest > 0:
            self.timer = self.app.set_timer(rest, self.due)
        else:
            self.collect(paused=True)

    def _collect_when_shown(self) -> None:
        since = self.waiting_since
        if since is None or self.pending < MOST_PENDING:
            self.waiting_since = None  # collected meanwhile (a pause)
        elif self.shown() or self.clock() - since >= LONGEST_WAIT:
            self.waiting_since = None
            self.app.call_after_refresh(self.collect)  # after the screen shows it
        else:
            self.app.set_timer(POLL, self._collect_when_shown)

    def collect(self, *, paused: bool = False) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.pending = 0
        if paused:
            # Everything is walked, then what is left is frozen: a collection while the user
            # browses on walks only what came since (what the conversations opened since left,
            # and the one on the screen), not the whole app again.
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        else:
            gc.collect()
