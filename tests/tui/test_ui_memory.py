"""The garbage collector's settings while the TUI runs (ui/memory.py)."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from typing import Any

from textual.app import App

from glm_tui.store import Store
from glm_tui.ui import memory
from glm_tui.ui.markdown.segmented import SegmentedMarkdown
from glm_tui.ui.memory import (
    FULL_EVERY,
    IDLE_SECONDS,
    LONGEST_WAIT,
    MOST_BROWSED,
    MOST_PENDING,
    QUIET,
    THRESHOLDS,
    Collector,
)
from glm_tui.ui.textual_private import WATCHERS
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, gated_stream
from tests.ui_helpers import screen_text, seed_conversation, send, shows, wait_until

STAMP = "2024-03-14T10:00:00Z"


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


async def test_a_reply_being_written_is_no_pause() -> None:
    # Two seconds after the last key the user is often watching the reply they sent: a
    # collection of everything then stalled it for 0.2-0.5 s.
    now = [100.0]
    writing = [True]
    app: App[None] = App()
    async with app.run_test():
        collector = Collector(app, clock=lambda: now[0])
        collector.busy = lambda: writing[0]
        collector.later()
        now[0] += IDLE_SECONDS
        collector.due()
        assert collector.pending == 1 and collector.timer is not None  # waits on
        writing[0] = False  # the reply is written
        now[0] += IDLE_SECONDS / 2
        collector.due()
        assert collector.pending == 1  # a pause is counted from the last look at the reply
        now[0] += IDLE_SECONDS / 2
        collector.due()
        assert collector.pending == 0 and collector.timer is None


async def test_the_main_screen_tells_the_collector_when_a_reply_is_written(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("The start, ", "and the end.", gate))
    async with tui(fake_glm.base_url) as (app, pilot):
        assert not app.collector.busy()
        await send(pilot, app, "Write something")
        await shows(pilot, "The start")
        assert app.collector.busy()
        gate.set()
        await wait_until(pilot, lambda: not app.collector.busy(), what="the reply's end")
        assert "and the end." in screen_text(app)


async def test_browsing_without_a_pause_collects_once_the_conversation_is_shown() -> None:
    now = [100.0]
    shown = [False]
    collected: list[float] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = Collector(app, clock=lambda: now[0])
        collector.shown = lambda: shown[0]

        def noted(*, paused: bool = False) -> None:
            collected.append(now[0])
            collector.pending = 0

        collector.collect = noted  # type: ignore[method-assign]
        for _ in range(MOST_PENDING):
            collector.later()
        assert collected == [] and collector.waiting_since == 100.0  # not before it is shown
        collector.laid_out()  # a layout of the screen, the conversation not all shown yet
        await pilot.pause()
        assert collected == [] and collector.painted_at is None
        shown[0] = True
        collector.laid_out()
        assert collected == [] and collector.painted_at is None  # not inside the layout
        await pilot.pause()
        # Nor right after the paint: the frame would reach the terminal after the collection.
        assert collector.painted_at == 100.0 and collector.waiting_since is None
        assert collected == [] and collector.quiet_timer is not None
        now[0] += QUIET / 2
        collector.input_seen()  # a key pressed meanwhile goes first
        now[0] += QUIET / 2
        collector.quiet()
        assert collected == []
        now[0] += QUIET / 4
        collector.quiet()
        assert collected == [], "collected less than QUIET after the key"
        now[0] += QUIET / 3
        collector.quiet()
        assert collected == [now[0]]
        collector.laid_out()  # nothing waits now
        await pilot.pause()
        assert collected == [now[0]]


async def test_keys_one_after_another_delay_the_collection_at_most_the_longest_wait() -> None:
    now = [100.0]
    collected: list[float] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = Collector(app, clock=lambda: now[0])
        collector.collect = lambda **_: collected.append(now[0])  # type: ignore[method-assign]
        for _ in range(MOST_PENDING):
            collector.later()
        collector.laid_out()
        await pilot.pause()
        while not collected:
            assert now[0] - 100.0 < LONGEST_WAIT + QUIET, "waited on past the longest wait"
            now[0] += QUIET / 2
            collector.input_seen()
            collector.quiet()
        assert now[0] - 100.0 >= LONGEST_WAIT


async def test_browsing_on_without_a_quiet_moment_collects_right_after_a_later_paint() -> None:
    collected: list[int] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = Collector(app, clock=lambda: 100.0)
        collector.collect = lambda **_: collected.append(collector.pending)  # type: ignore[method-assign]
        for _ in range(MOST_PENDING):
            collector.later()
        for _ in range(MOST_BROWSED - MOST_PENDING):
            collector.laid_out()
            await pilot.pause()
            # A key held down: the next conversation opens before the quiet moment.
            collector.later()
            collector.quiet()
            assert collected == []
        collector.laid_out()
        assert collected == []  # after the paint, still: the user waits for it
        await pilot.pause()
        assert collected == [MOST_BROWSED]


async def test_a_conversation_that_never_settles_is_collected_after_the_longest_wait() -> None:
    collected: list[int] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = Collector(app)
        collector.shown = lambda: False  # a reply streaming into it, say
        collector.collect = lambda: collected.append(collector.pending)  # type: ignore[method-assign]
        for _ in range(MOST_PENDING):
            collector.later()
        await wait_until(pilot, lambda: collected, timeout=LONGEST_WAIT * 10, what="collected")
        assert collected == [MOST_PENDING] and collector.waiting_since is None


async def test_browsing_collects_right_after_the_conversation_is_shown(
    tui: Tui, store: Store, monkeypatch: Any
) -> None:
    # The main screen asks the collector after each layout; with the longest wait out of
    # reach, only that can have collected.
    monkeypatch.setattr(memory, "LONGEST_WAIT", 3600.0)
    cid = seed_conversation(store, "Shown", [("Hello", "A *reply*.", None)], updated_at=STAMP)
    async with tui() as (app, pilot):
        collector = app.collector
        collected: list[int] = []
        collector.collect = lambda: collected.append(collector.pending)  # type: ignore[method-assign]
        collector.pending = MOST_PENDING - 1
        await app.main.open_conversation(cid)
        await wait_until(pilot, lambda: collected, what="the collection")
        assert collected == [MOST_PENDING] and app.main.pane.settled


class _Cycle:
    def __init__(self) -> None:
        self.itself = self


async def test_a_pause_freezes_what_is_left_so_that_browsing_collects_less() -> None:
    app: App[None] = App()
    async with app.run_test():
        collector = Collector(app)
        kept = _Cycle()  # alive at the pause: say, the conversation on the screen
        collector.collect(paused=True)
        assert gc.get_freeze_count() > 0
        left = weakref.ref(kept)
        del kept  # then left for another conversation
        collector.collect()  # while browsing: only what came since the pause is walked
        assert left() is not None
        browsed = _Cycle()  # made and left while browsing: walked by the next such collection
        since = weakref.ref(browsed)
        shown = _Cycle()  # on the screen at that collection: frozen with what it leaves
        at_collection = weakref.ref(shown)
        del browsed
        collector.collect()
        assert since() is None and at_collection() is not None
        del shown
        collector.collect()
        assert at_collection() is not None  # frozen: it waits for the pause
        collector.collect(paused=True)  # the next pause walks everything
        assert left() is None and at_collection() is None


async def test_browsing_on_without_a_pause_frees_what_was_frozen_now_and_then() -> None:
    app: App[None] = App()
    async with app.run_test():
        collector = Collector(app)
        collector.collect(paused=True)
        shown = _Cycle()  # on the screen at a collection while browsing: frozen
        frozen = weakref.ref(shown)
        collector.collect()
        del shown  # left
        for _ in range(FULL_EVERY - 1):
            collector.collect()
        assert frozen() is not None
        collector.collect()  # the FULL_EVERY-th since the one that froze it walks everything
        assert frozen() is None and collector.since_full == 0


async def test_the_app_tells_the_collector_of_each_key(tui: Tui) -> None:
    async with tui() as (app, pilot):
        app.collector.clock = lambda: 12345.0
        await pilot.press("h")
        assert app.collector.last_activity == 12345.0


async def test_a_reply_left_behind_is_not_kept_alive_by_the_pane_it_watched(
    tui: Tui, store: Store
) -> None:
    """A long reply watches the pane's scroll position (to mount its parts in view). The pane
    outlives it, and one that follows the end has its position set by the layout, which never
    prunes the watchers of closed widgets: every reply shown stayed alive with its widgets."""
    long_reply = "\n\n".join(f"Paragraph {i} of a long reply." for i in range(300))
    first = seed_conversation(store, "Long", [("Q", long_reply, None)], updated_at=STAMP)
    turns = [(f"Question {i}", f"Answer {i}", None) for i in range(30)]
    other = seed_conversation(store, "Taller than the screen", turns, updated_at=STAMP)
    async with tui(open=first) as (app, pilot):
        pane = app.main.pane

        def watching() -> list[object]:
            return [node for node, _ in getattr(pane, WATCHERS, {}).get("scroll_y", [])]

        await wait_until(pilot, lambda: any(isinstance(n, SegmentedMarkdown) for n in watching()))
        await app.main.open_conversation(other)
        await pilot.pause()
        left = [n for n in watching() if isinstance(n, SegmentedMarkdown) and not n.is_attached]
        assert left == []


async def test_waiting_to_collect_outlives_the_pane_it_waits_for(tui: Tui) -> None:
    # The collector asks, from a timer, whether the conversation opened last is shown; the app
    # closing had removed the pane, and the question was a NoMatches traceback at exit.
    async with tui() as (app, _pilot):
        screen = app.main
        assert screen.collector.shown() is screen.pane.settled
        await screen.pane.remove()
        assert screen.collector.shown() is True  # nothing left to wait for


async def test_a_longest_wait_ends_with_its_own_conversations(monkeypatch: Any) -> None:
    # The longest wait of conversations collected at a quiet moment ran on, and cut short the
    # wait of the next ones opened: their collection fell into the open it should follow.
    now = [100.0]
    shown = [True]
    collected: list[float] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = Collector(app, clock=lambda: now[0])
        collector.shown = lambda: shown[0]
        collect = collector.collect

        def noted(*, paused: bool = False) -> None:
            collected.append(now[0])
            collect(paused=paused)

        collector.collect = noted  # type: ignore[method-assign]
        monkeypatch.setattr(memory, "LONGEST_WAIT", 0.05)
        for _ in range(MOST_PENDING):
            collector.later()
        collector.laid_out()
        await pilot.pause()
        now[0] += QUIET
        collector.quiet()  # collected at the quiet moment after the paint
        assert len(collected) == 1
        monkeypatch.setattr(memory, "LONGEST_WAIT", 3600.0)
        shown[0] = False
        for _ in range(MOST_PENDING):
            collector.later()  # the next ones, not shown yet
        after = asyncio.Event()
        app.set_timer(0.2, after.set)  # runs after the first wait's 0.05 s would have
        await wait_until(pilot, after.is_set, what="the later timer")
        assert len(collected) == 1, "collected before the conversation opened last was shown"
