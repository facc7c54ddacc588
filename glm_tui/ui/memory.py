"""When the TUI collects garbage.

``glm-tui`` turns garbage collection off while the app starts (launch.py). Once the first screen
is drawn, what exists (Textual's classes, the stylesheet, the first widgets) lives as long as
the app: it is frozen, so collections do not walk it (a collection at a pause walks everything,
then freezes what is left in its turn). Opening a conversation makes and
drops thousands of objects: at Python's thresholds that started a full collection (0.1 s) on
most opens. At ``THRESHOLDS`` only young collections run (a few ms), and the conversation that
was replaced (its widgets refer to each other: only a full collection frees them) is collected
once the user pauses (``IDLE_SECONDS`` without a key, a click or a scroll: a collection takes
0.1-0.13 s with the 1,000,000-message history of benchmarks/, felt if it comes while one types
or scrolls; a reply being written is no pause, ``busy``), or after ``MOST_PENDING`` conversations
opened without a pause. That one comes after the paint that shows the
conversation just opened (``laid_out`` asks ``shown`` after each layout of the screen, at most
``LONGEST_WAIT``): made before, it delayed what the user asked for by the whole collection
(every eighth open took 450-620 ms instead of 120-250 in benchmarks/bench_open.py). Nor right
after the paint: a collection holds the interpreter, and Textual's writer thread, which sends
the frame to the terminal, waits for it (a frame sent before a 10 ms collection arrived 9-11 ms
late), so the conversation showed only once the collection was over (17-28 ms of 120 after
leaving a 20,000-token reply). After the paint it waits for ``QUIET`` seconds without a key or
an open, so a key already pressed goes first too; a user browsing on without such a moment
(a key held down) gets it right after the paint of the ``MOST_BROWSED``-th conversation. Each
collection freezes what it leaves, so the next walks only what came since: what two
conversations left, 9-21 ms (one after eight opens walked everything since the last pause,
200-450 ms). The conversation on the screen is frozen with the rest and, once left, waits
for the next pause, which unfreezes and walks everything; so does every ``FULL_EVERY``-th
collection while the user browses on without one, so that what waits stays bounded.

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
MOST_PENDING = 2
"""...or after this many conversations opened without such a pause..."""
LONGEST_WAIT = 1.0
"""...once the conversation opened last is shown, or this many seconds have passed..."""
QUIET = 0.05
"""...and, after the paint that shows it, this long without a key or an open..."""
MOST_BROWSED = 3
"""...unless this many conversations were opened without one: then right after the paint."""
FULL_EVERY = 32
"""Collections without a pause between two that walk everything (0.3 s): the conversations
frozen while on the screen (one in two opened) are freed at least once every 64 opens. Only
a key held down to browse gets there; 32 of them held 3,400 objects each in
benchmarks/bench_open.py's conversations (a 1 MB reply would hold its text)."""


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
        """Whether the conversation opened last is all on the screen (set by the main screen,
        which calls ``laid_out`` after each layout of the screen)."""
        self.waiting_since: float | None = None
        """When a collection began to wait for ``shown`` (``MOST_PENDING`` reached)."""
        self.painted_at: float | None = None
        """When the paint came that showed it: the collection waits for ``QUIET`` since."""
        self.quiet_timer: Timer | None = None
        self.longest_timer: Timer | None = None
        """Ends the wait for ``shown`` at ``LONGEST_WAIT``; stopped when the wait ends otherwise
        (left running, it cut short the wait of the next conversations opened)."""
        self.since_full = 0
        """Collections since the last that walked everything."""
        self.busy: Callable[[], bool] = lambda: False
        """Whether a reply is being written (set by the main screen): no pause then. A
        collection of everything (0.1-0.5 s) two seconds after the last key stalled the reply
        the user had just sent, as it would their typing."""

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
                self.longest_timer = self.app.set_timer(LONGEST_WAIT, self._waited_long_enough)
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
        if rest <= 0 and self.busy():
            self.last_activity = self.clock()  # a reply being written is no pause either
            rest = IDLE_SECONDS
        if rest > 0:
            self.timer = self.app.set_timer(rest, self.due)
        else:
            self.collect(paused=True)

    def laid_out(self, _screen: object = None) -> None:
        """The screen was laid out: a collection waiting for the conversation opened last runs
        once that shows it all, after the paint. Opening is a few layouts; asked at each, not
        by a timer, it comes right after the open (a timer looking every 50 ms while the user
        browsed on mostly found the next conversation opening, and the collection waited its
        longest, to fall into some open)."""
        if self.waiting_since is not None and self.shown():
            self._stop_waiting()
            self.app.call_after_refresh(self._painted)

    def _painted(self) -> None:
        """The conversation opened last is on the screen: collect at the first quiet moment,
        or now if the user has browsed on through ``MOST_BROWSED`` without one."""
        if self.pending >= MOST_BROWSED:
            self.collect()
        elif self.pending >= MOST_PENDING:  # else collected meanwhile, at a pause
            self.painted_at = self.clock()
            self._wait_quiet(QUIET)

    def _wait_quiet(self, seconds: float) -> None:
        if self.quiet_timer is not None:
            self.quiet_timer.stop()
        self.quiet_timer = self.app.set_timer(seconds, self.quiet)

    def quiet(self) -> None:
        """The quiet timer ran out: collect if nothing happened since the paint, for ``QUIET``
        seconds (or for ``LONGEST_WAIT`` in all: keys typed one after another)."""
        self.quiet_timer = None
        if self.pending < MOST_PENDING or self.waiting_since is not None or self.painted_at is None:
            return  # collected meanwhile, or another conversation opens: its paint decides
        now = self.clock()
        rest = self.last_activity + QUIET - now
        if rest > 0 and now - self.painted_at < LONGEST_WAIT:
            self._wait_quiet(rest)
        else:
            self.collect()

    def _waited_long_enough(self) -> None:
        """A conversation that never settles (a reply streaming into it) waits no longer."""
        self.longest_timer = None
        if self.waiting_since is not None:
            self.waiting_since = None
            if self.pending >= MOST_PENDING:  # else collected meanwhile, at a pause
                self.collect()

    def _stop_waiting(self) -> None:
        self.waiting_since = None
        if self.longest_timer is not None:
            self.longest_timer.stop()
            self.longest_timer = None

    def collect(self, *, paused: bool = False) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.quiet_timer is not None:
            self.quiet_timer.stop()
            self.quiet_timer = None
        self._stop_waiting()
        self.painted_at = None
        self.pending = 0
        if paused or self.since_full >= FULL_EVERY:
            # Everything is walked, what earlier collections froze too.
            gc.unfreeze()
            self.since_full = 0
        else:
            self.since_full += 1
        gc.collect()
        # What is left is frozen: the next collection while browsing walks what the next
        # conversations leave, not the app and those before again. The conversation on the
        # screen now is frozen with it and, once left, waits for a collection that walks all.
        gc.freeze()
