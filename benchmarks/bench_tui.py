"""Streaming in the TUI, end to end in one process (headless Textual, the real client,
session, store and UI, the fake GLM server on 127.0.0.1):

    python benchmarks/bench_tui.py [--runs 3] [--skip-1mb]

Replies are realistic (replies.py): reasoning first, then headings, prose, lists, a table and
code fences, in pieces of about a token, sent as fast as the socket takes them.

Targets (issues 7 and 19; times scaled to the run's bare start, see figures.py):
- a 20,000-token reply: final text on screen after the last byte            <= 0.5 s
- 40,000 tokens, as a ratio of the 20,000-token time                        <= 2.2x
- a 1 MB reply: final text after the last byte                              <= 1 s
  ... the screen updated at least 4 times a second throughout: longest gap   <= 250 ms
  ... the whole reply, from Enter, against ``glm-tui ask --no-save``'s time  <= 1.5x
- one 2,000-line code block: longest frame (event-loop stall)               <= 100 ms
- one 10,000-line code block: final text after the last byte                <= 1 s
  ... then scrolled through a page at a time: longest frame                  <= 50 ms
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _common
from figures import Figure, record
from replies import Reply, realistic_reply, reply_of_size

from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp, create_app
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.fakeglm import DONE, FakeGLM, Response, chunk, raw_stream, sse, usage_dict
from tests.ui_helpers import screen_text

SIZE = (120, 40)


def settings_for(db: Path, base_url: str = "http://127.0.0.1:9/v1") -> Settings:
    return Settings(
        provider="openai",
        base_url=base_url,
        model="glm-4.7",
        api_key="sk-bench",
        db_path=db,
        config_path=db.parent / "no-config.toml",
    )


async def until(pilot: object, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.002)


def stream_of(reply: Reply, per_write: int = 256) -> Response:
    events = [sse(chunk(reasoning=p)) for p in reply.reasoning]
    events += [sse(chunk(content=p)) for p in reply.content]
    usage = usage_dict(completion=reply.tokens, reasoning=len(reply.reasoning))
    events.append(sse(chunk(content="", finish_reason="stop", usage=usage)))
    events.append(DONE)
    steps: list[bytes | str | float] = [
        b"".join(events[i : i + per_write]) for i in range(0, len(events), per_write)
    ]
    return raw_stream(steps)


async def painted(app: GLMApp) -> None:
    """Until the screen has been painted with what is mounted now (at once if nothing is
    left to paint). Not ``pilot.pause()``: that also waits for work that starts later (parts
    mounted ahead of scrolling), which the user does not wait for."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


def last_reply(app: GLMApp) -> AssistantMessage | None:
    replies = list(app.query(AssistantMessage))
    return replies[-1] if replies else None


def end_of(text: str) -> str:
    """The last characters of the last word of ``text`` with a letter in it: on the screen
    when the reply's end is (a wrapped line, or a sidebar beside it, does not split them)."""
    word = next(word for word in reversed(text.split()) if any(ch.isalnum() for ch in word))
    return word.strip("`*|")[-4:]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Streamed:
    after_last_byte: float  # seconds from the server's last byte to the final text painted
    from_enter: float  # seconds from Enter to the final text painted
    longest_stall: float  # seconds the event loop was held at most, while streaming
    longest_gap: float  # seconds between two screen updates at most, while streaming
    scroll_frames: list[float]  # seconds per page, scrolling through the reply afterwards


class Watch:
    """The event loop's stalls (a 5 ms ticker) and the times the screen was updated."""

    def __init__(self, app: GLMApp) -> None:
        self.ticks: list[float] = []
        self.updates: list[float] = []
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._tick())
        display = app._display

        def timed_display(screen: object, renderable: object) -> None:
            if renderable is not None:
                self.updates.append(time.perf_counter())
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = timed_display  # type: ignore[method-assign]

    async def _tick(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            self.ticks.append(time.perf_counter() - t - 0.005)

    async def stop(self) -> None:
        self._stop.set()
        await self._task

    def longest_gap(self, start: float, end: float) -> float:
        stamps = [start, *(t for t in self.updates if start < t < end), end]
        return max(b - a for a, b in itertools.pairwise(stamps))


async def scroll_through(app: GLMApp) -> list[float]:
    """Seconds per page, scrolling the pane from the reply's top to its end."""
    pane = app.main.pane
    reply = last_reply(app)
    assert reply is not None
    pane.scroll_to(y=reply.virtual_region.y, animate=False, immediate=True)
    await painted(app)
    frames = []
    cpu = []
    while pane.scroll_y < pane.max_scroll_y:
        started, started_cpu = time.perf_counter(), time.process_time()
        pane.scroll_to(y=pane.scroll_y + pane.size.height, animate=False, immediate=True)
        await painted(app)
        frames.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # CPU time beside the wall time: on a busy machine the wall time counts other programs.
    print(
        f"     scrolling, CPU per page: p50 {_common.median(cpu) * 1000:.1f} ms, "
        f"p99 {_common.percentile(cpu, 99) * 1000:.1f} ms, max {max(cpu) * 1000:.1f} ms"
    )
    return frames


async def stream_once(tmp: Path, fake: FakeGLM, reply: Reply, scroll: bool = False) -> Streamed:
    """Stream ``reply`` at full speed; time it until its final text is on the screen."""
    expected = reply.text.strip()
    db = tmp / f"stream-{time.monotonic_ns()}.db"
    store = Store.open(db)
    fake.enqueue(stream_of(reply))
    app = create_app(settings_for(db, fake.base_url), store=store)
    result: Streamed | None = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            watch = Watch(app)
            app.main.composer.text = "Write a very long answer"
            entered = time.perf_counter()
            await pilot.press("enter")
            await until(pilot, lambda: len(fake.requests) >= 1 and fake.requests[-1].done.is_set())
            done_at = fake.requests[-1].done_at or time.perf_counter()

            def shown() -> bool:
                # All the text written, and the parts in view mounted with their blocks.
                last = last_reply(app)
                return (
                    last is not None
                    and last.live is None
                    and last.answer.source.strip() == expected
                    and last.answer.settled
                )

            await until(pilot, shown)
            await painted(app)
            finished = time.perf_counter()
            # Until the reply's last word is on the screen (counted): the paragraph it ends may
            # be laid out in the frame after the one the parts were ready for. The time is that
            # paint's, not the end of the look for the word (it renders the screen again).
            last_words = end_of(expected)
            deadline = time.perf_counter() + 10
            while last_words not in screen_text(app):
                if time.perf_counter() > deadline:
                    raise AssertionError(f"the reply's end is not on the screen: {last_words!r}")
                await asyncio.sleep(0.005)
                await painted(app)
                finished = time.perf_counter()
            await watch.stop()
            frames = await scroll_through(app) if scroll else []
            result = Streamed(
                after_last_byte=finished - done_at,
                from_enter=finished - entered,
                longest_stall=max(watch.ticks, default=0.0),
                longest_gap=watch.longest_gap(entered, finished),
                scroll_frames=frames,
            )
    finally:
        store.close()
    assert result is not None
    return result


def ask_seconds(tmp: Path, fake: FakeGLM, reply: Reply) -> float:
    """``glm-tui ask --no-save`` for the same reply: spawn to exit, the reply on stdout."""
    fake.enqueue(stream_of(reply))
    env = {
        **_common.installed_env(_common.os_environ()),
        "GLM_TUI_PROVIDER": "openai",
        "GLM_TUI_BASE_URL": fake.base_url,
        "GLM_TUI_MODEL": "glm-4.7",
        "GLM_TUI_API_KEY": "sk-bench",
        "GLM_TUI_DB": str(tmp / "ask.db"),
        "GLM_TUI_CONFIG": str(tmp / "config.toml"),
    }
    argv = [sys.executable, "-m", "glm_tui", "ask", "--no-save", "Write a very long answer"]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or len(done.stdout) < len(reply.text.encode()) // 2:
        raise RuntimeError(f"ask failed: {done.stderr.decode()[-400:]}")
    return elapsed


def code_block(lines: int) -> Reply:
    pieces = ["Here is the file:\n\n```python\n"]
    for i in range(lines):
        pieces += [f"def function_{i}(x):", f"  return x * {i}", "\n"]
    pieces.append("```\n")
    return Reply([], pieces)


def ms(values: list[float]) -> list[int]:
    return [round(v * 1000) for v in values]


async def main_async(runs: int, skip_1mb: bool) -> list[bool]:
    tmp = _common.scratch_dir("tui")
    oks: list[bool] = []
    with FakeGLM() as fake:
        by_length: dict[int, float] = {}
        for n in (20_000, 40_000):
            values = [
                (await stream_once(tmp, fake, realistic_reply(n, seed=3 + run))).after_last_byte
                for run in range(runs)
            ]
            by_length[n] = _common.median(values)
            print(f"     {n:,}-token reply, last byte to screen: {ms(values)} ms")
        oks.append(record(Figure("stream_20k", "20,000-token reply, last byte to screen",
                                 by_length[20_000], "s", 0.5)))  # fmt: skip
        oks.append(record(Figure("stream_40k_ratio", "40,000 / 20,000 tokens",
                                 by_length[40_000] / by_length[20_000], "x", 2.2)))  # fmt: skip
        if not skip_1mb:
            big = reply_of_size(1_000_000)
            ask = ask_seconds(tmp, fake, big)
            run = await stream_once(tmp, fake, big)
            print(f"     1 MB reply ({big.tokens:,} pieces): Enter to final text "
                  f"{run.from_enter:.2f} s, ask --no-save {ask:.2f} s, longest stall "
                  f"{run.longest_stall * 1000:.0f} ms")  # fmt: skip
            oks.append(record(Figure("stream_1mb", "1 MB reply, last byte to screen",
                                     run.after_last_byte, "s", 1.0)))  # fmt: skip
            oks.append(record(Figure("stream_1mb_gap", "1 MB reply, longest gap between updates",
                                     run.longest_gap * 1000, "ms", 250)))  # fmt: skip
            oks.append(record(Figure("stream_1mb_vs_ask", "1 MB reply, whole / ask --no-save",
                                     run.from_enter / ask, "x", 1.5)))  # fmt: skip
        run = await stream_once(tmp, fake, code_block(2_000))
        oks.append(record(Figure("code_2000_frame", "2,000-line code block, longest frame",
                                 run.longest_stall * 1000, "ms", 100)))  # fmt: skip
        run = await stream_once(tmp, fake, code_block(10_000), scroll=True)
        print(f"     10,000-line code block: longest frame while streaming "
              f"{run.longest_stall * 1000:.0f} ms; {len(run.scroll_frames)} pages scrolled, "
              f"p50 {_common.median(run.scroll_frames) * 1000:.1f} ms")  # fmt: skip
        oks.append(record(Figure("code_10000", "10,000-line code block, last byte to screen",
                                 run.after_last_byte, "s", 1.0)))  # fmt: skip
        oks.append(record(Figure("code_10000_scroll", "10,000-line code block, scrolling frame",
                                 max(run.scroll_frames) * 1000, "ms", 50)))  # fmt: skip
    return oks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="streamed replies in the TUI")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-1mb", action="store_true", help="leave out the 1 MB reply")
    args = parser.parse_args(argv)
    _common.ensure_bare()
    oks = asyncio.run(main_async(args.runs, args.skip_1mb))
    return 0 if all(oks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
