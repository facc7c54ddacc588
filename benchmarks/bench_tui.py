"""The TUI, end to end in one process (headless Textual, the real client, service, store and
UI, the fake GLM server on 127.0.0.1):

    python benchmarks/bench_tui.py [--runs 5]

Targets (issue 7):
- open a conversation of 2,000 messages: its last screen visible            <= 0.25 s
- a 20,000-token reply at full speed: final text on screen after last byte  <= 0.5 s
- the same for 40,000 tokens, as a ratio of the 20,000-token time           <= 2.2x
- one 2,000-line fenced code block streamed: longest frame (event-loop stall) <= 100 ms
- resident memory with the 200,000-message history and the 2,000-message
  conversation open                                                         <= 150 MB
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import _common
from history import big_history

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


def markdown_reply(n_tokens: int, seed: int = 3) -> list[str]:
    """A realistic long answer as ~1-token pieces: paragraphs, lists and code blocks."""
    rng = random.Random(seed)
    words = [
        *(
            [
                "the",
                "model",
                "streams",
                "tokens",
                "while",
                "the",
                "terminal",
                "renders",
                "markdown",
                "blocks",
            ]
        ),
        *(
            [
                "and",
                "code",
                "with",
                "syntax",
                "highlighting",
                "so",
                "every",
                "frame",
                "must",
                "stay",
                "short",
            ]
        ),
    ]
    pieces: list[str] = []
    block = 0
    while len(pieces) < n_tokens:
        block += 1
        if block % 5 == 0:
            pieces.append("\n```python\n")
            for i in range(12):
                pieces += [f"    value_{i} = compute({i}, ", "items[", f"{i}", "])\n"]
            pieces.append("```\n\n")
        elif block % 3 == 0:
            for _ in range(5):
                pieces.append("- ")
                pieces += [rng.choice(words) + " " for _ in range(8)]
                pieces.append("\n")
            pieces.append("\n")
        else:
            pieces += [rng.choice(words) + " " for _ in range(60)]
            pieces.append("\n\n")
    return pieces[:n_tokens]


def stream_of(pieces: list[str], per_write: int = 256) -> Response:
    events = [sse(chunk(content=p)) for p in pieces]
    usage = usage_dict(completion=len(pieces))
    events.append(sse(chunk(content="", finish_reason="stop", usage=usage)))
    events.append(DONE)
    return raw_stream(
        [b"".join(events[i : i + per_write]) for i in range(0, len(events), per_write)]
    )


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


async def run_app(app: GLMApp, body: Callable[[GLMApp, object], Awaitable[float]]) -> float:
    async with app.run_test(size=SIZE) as pilot:
        return await body(app, pilot)


async def stream_once(tmp: Path, fake: FakeGLM, pieces: list[str], ticks: list[float]) -> float:
    """Seconds from the server's last byte to the final text on screen; fills ``ticks`` with
    the event loop's stalls while streaming."""
    expected = "".join(pieces).strip()
    db = tmp / f"stream-{time.monotonic_ns()}.db"
    store = Store.open(db)
    fake.enqueue(stream_of(pieces))
    app = create_app(settings_for(db, fake.base_url), store=store)

    async def body(app: GLMApp, pilot: object) -> float:
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                ticks.append(time.perf_counter() - t - 0.005)

        tick_task = asyncio.create_task(ticker())
        app.main.composer.text = "Write a very long answer"
        await pilot.press("enter")  # type: ignore[attr-defined]
        await until(pilot, lambda: len(fake.requests) >= 1 and fake.requests[-1].done.is_set())
        done_at = fake.requests[-1].done_at or time.perf_counter()

        def shown() -> bool:
            # All the text written, and the parts in view mounted with their blocks.
            reply = last_reply(app)
            return (
                reply is not None
                and reply.live is None
                and reply.answer.source.strip() == expected
                and reply.answer.settled
            )

        await until(pilot, shown)
        await painted(app)
        elapsed = time.perf_counter() - done_at
        # The reply's last two words (a line may be wrapped) are on the screen.
        last_line = " ".join(expected.replace("`", " ").split()[-2:])
        if last_line not in " ".join(screen_text(app).split()):
            raise AssertionError(f"the reply's last line is not on the screen: {last_line!r}")
        stop.set()
        await tick_task
        return elapsed

    try:
        return await run_app(app, body)
    finally:
        store.close()


async def open_times(db: Path, long_id: int, runs: int) -> tuple[list[float], float]:
    store = Store.open(db)
    other = store.list_conversations(limit=2)[1].id
    app = create_app(settings_for(db), store=store)
    times: list[float] = []

    async def body(app: GLMApp, pilot: object) -> float:
        for _ in range(runs):
            await app.main.open_conversation(other)
            await pilot.pause()  # type: ignore[attr-defined]
            t = time.perf_counter()
            await app.main.open_conversation(long_id)

            def ready() -> bool:
                # The replies mounted show what of them is in view, blocks mounted.
                replies = list(app.main.pane.query(AssistantMessage))
                return bool(replies) and all(reply.answer.settled for reply in replies)

            await until(pilot, ready)
            await painted(app)
            times.append(time.perf_counter() - t)
            last = last_reply(app)
            assert last is not None
            words = " ".join(last.message.content.replace("`", " ").split()[-2:])
            if words not in " ".join(screen_text(app).split()):
                raise AssertionError(f"the last reply's end is not on the screen: {words!r}")
        return _rss_mb()

    try:
        rss = await run_app(app, body)
    finally:
        store.close()
    return times, rss


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def code_block(lines: int) -> list[str]:
    pieces = ["Here is the file:\n\n```python\n"]
    for i in range(lines):
        pieces += [f"def function_{i}(x):", f"  return x * {i}", "\n"]
    pieces.append("```\n")
    return pieces


async def main_async(runs: int) -> dict[str, float]:
    db, long_id, _title = big_history()
    tmp = _common.scratch_dir("tui")
    results: dict[str, float] = {}
    times, rss = await open_times(db, long_id, runs)
    results["open_2000"] = _common.median(times)
    results["rss_mb"] = rss
    print(f"     open 2,000 messages: runs {[round(t, 3) for t in times]}")
    with FakeGLM() as fake:
        for n in (20_000, 40_000):
            values = []
            for _ in range(max(1, runs // 2)):
                values.append(await stream_once(tmp, fake, markdown_reply(n), []))
            results[f"stream_{n}"] = _common.median(values)
            print(f"     {n:,}-token reply: runs {[round(v, 3) for v in values]}")
        ticks: list[float] = []
        await stream_once(tmp, fake, code_block(2000), ticks)
        results["frame_max_ms"] = max(ticks) * 1000
        ticks.sort()
        print(f"     2,000-line code block: {len(ticks)} ticks, p99 stall "
              f"{ticks[int(len(ticks) * 0.99)] * 1000:.1f} ms")  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="TUI end to end")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    r = asyncio.run(main_async(args.runs))
    ratio = r["stream_40000"] / r["stream_20000"]
    report = _common.report
    report(
        "open 2,000-message conversation", r["open_2000"], "s", "<= 0.25 s", r["open_2000"] <= 0.25
    )
    report(
        "20,000-token reply, last byte to screen",
        r["stream_20000"],
        "s",
        "<= 0.5 s",
        r["stream_20000"] <= 0.5,
    )
    report("40,000 / 20,000 tokens", ratio, "x", "<= 2.2x", ratio <= 2.2)
    report(
        "2,000-line code block, longest frame",
        r["frame_max_ms"],
        "ms",
        "<= 100 ms",
        r["frame_max_ms"] <= 100,
    )
    report("memory, big history + 2,000 open", r["rss_mb"], "MB", "<= 150 MB", r["rss_mb"] <= 150)
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
