"""Make the README's screenshots (SVG) from the real app on the offline demo model.

    python scripts/screenshots.py [--out screenshots] [--only NAME ...]

Every shot starts a fresh app (120x40) on its own freshly seeded temporary database, with a
fixed clock, so running the script twice gives the same pictures. Nothing touches the user's
config or history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ["GLM_TUI_DEMO_SPEED"] = "0"  # before glm_tui reads it

import httpx
from textual.pilot import Pilot

from glm_tui.api.client import GLMClient
from glm_tui.api.demo import DemoTransport, compose_reply
from glm_tui.api.events import Usage
from glm_tui.config import PROVIDERS, Settings
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp, create_app
from glm_tui.ui.themes import load_themes

SIZE = (120, 40)
NOW = datetime(2024, 3, 14, 15, 0, tzinfo=UTC)
CONFIG_PATH = Path("/home/you/.config/glm-tui/config.toml")
"""Shown on screen only; the script never writes a config file."""
ROOT = Path(__file__).resolve().parent.parent

# -- the seeded history ----------------------------------------------------------------------

LINES_REPLY = """Iterate over the file object: it reads one line at a time, so memory stays flat
even for a file of many gigabytes.

```python
from pathlib import Path


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
```

| approach | memory | speed |
|---|---|---|
| `sum(1 for _ in f)` | constant | fast |
| `len(f.readlines())` | the whole file | fast, until it is not |
| `wc -l` (shell) | constant | fastest |

Opening in binary mode skips decoding, which is about twice as fast."""

LINES_REASONING = (
    "The user wants to count lines in a large file. Reading it all with readlines() would "
    "load everything into memory; a generator over the file object keeps memory constant. "
    "Binary mode avoids decoding. A small table can compare the options."
)


@dataclass(frozen=True)
class Seed:
    title: str
    turns: list[tuple[str, str, str | None]]
    age: timedelta
    status: str = "complete"
    error: str | None = None


SEEDS = [
    Seed(
        "Rust lifetimes, explained",
        [
            (
                "Explain Rust lifetimes like I know C.",
                "A lifetime is the span in which a reference is valid. The compiler checks at "
                "compile time what you would check by hand in C: that no pointer outlives the "
                "memory it points to.",
                "They know C, so compare with dangling pointers.",
            )
        ],
        timedelta(days=3),
    ),
    Seed(
        "Plan a 3-day trip to Kyoto",
        [
            (
                "Plan 3 days in Kyoto in April, no car.",
                "**Day 1:** Fushimi Inari at dawn, then Tofuku-ji.\n\n**Day 2:** Arashiyama "
                "bamboo grove and the monkey park.\n\n**Day 3:** Higashiyama on foot, Gion at "
                "dusk.",
                "April is cherry blossom season: go early, avoid crowds.",
            )
        ],
        timedelta(days=1, hours=2),
    ),
    Seed(
        "Python: count lines in a huge file",
        [("How do I count the lines of a 20 GB file in Python?", LINES_REPLY, LINES_REASONING)],
        timedelta(minutes=30),
    ),
    Seed(
        "SQL window functions vs GROUP BY",
        [
            (
                "When should I use a window function instead of GROUP BY?",
                "Use `GROUP BY` when you want one row per group; use a window function when "
                "you want to keep every row and add a per-group value next to it.",
                None,
            )
        ],
        timedelta(days=6),
    ),
    Seed(
        "Python typing: Protocol or ABC?",
        [
            (
                "Protocol or ABC for a plugin interface?",
                "A `Protocol` if plugins should not have to inherit anything; an ABC if you "
                "want to share code and fail early on a missing method.",
                "Structural vs nominal typing.",
            )
        ],
        timedelta(days=12),
    ),
    Seed(
        "Why is my Docker build slow?",
        [
            (
                "My Docker build takes 8 minutes every time. Why?",
                "The usual culprit is the layer order: ",
                "Look at the cache invalidation first.",
            )
        ],
        timedelta(hours=5),
        status="error",
        error="The provider is overloaded (HTTP 529): try again in a minute.",
    ),
]


def seed(store: Store) -> dict[str, int]:
    """The seeded conversations, by title; dates are set relative to the fixed clock."""
    ids: dict[str, int] = {}
    conn = store.db.conn
    for item in SEEDS:
        cid = store.create_conversation(title=item.title, provider="aimlapi", model="glm-4.7")
        parent = None
        for index, (prompt, reply, reasoning) in enumerate(item.turns):
            last = index == len(item.turns) - 1
            uid = store.add_message(cid, parent_id=parent, role="user", content=prompt)
            aid = store.add_message(
                cid,
                parent_id=uid,
                role="assistant",
                content=reply,
                reasoning=reasoning,
                model="glm-4.7",
            )
            failed = last and item.status != "complete"
            store.update_message(
                aid,
                status=item.status if last else "complete",
                error=item.error if last else None,
                finish_reason=None if failed else "stop",
                usage=None
                if failed
                else Usage(
                    prompt_tokens=42,
                    completion_tokens=310,
                    total_tokens=352,
                    reasoning_tokens=64,
                ),
                duration=None if failed else 6.3,
            )
            parent = aid
        at = (NOW - item.age).isoformat()
        conn.execute(
            "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", (at, at, cid)
        )
        conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (at, cid))
        ids[item.title] = cid
    conn.commit()
    return ids


# -- a demo model that can pause -------------------------------------------------------------


class _HeldStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, transport: HeldDemoTransport) -> None:
        self.inner = inner
        self.transport = transport

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        async for event in self.inner:
            if sent == self.transport.hold_after:
                self.transport.held.set()
                await self.transport.release.wait()
            yield event
            sent += 1

    async def aclose(self) -> None:
        await self.inner.aclose()


class HeldDemoTransport(DemoTransport):
    """The demo model, paused after ``hold_after`` stream events (mid-reasoning)."""

    def __init__(self, hold_after: int) -> None:
        super().__init__(speed=0)
        self.hold_after = hold_after
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_HeldStream(response.stream, self),
        )


# -- a provider with a catalogue and costs (models, usage, compare) ---------------------------


def _priced(
    model_id: str, name: str, context: int, prices: tuple[float, float], **more: Any
) -> Any:
    units = [
        {"name": "token", "origin": origin, "price": price, "per": 1_000_000}
        for origin, price in zip(("provided", "generated"), prices, strict=True)
    ]
    return {
        "id": model_id,
        "type": "openai/chat-completions",
        "info": {"name": name, "contextLength": context, **more.pop("info", {})},
        "pricing": {"kind": "fixed", "units": units},
        **more,
    }


CATALOGUE = {
    "object": "list",
    "data": [
        _priced(
            "zhipu/glm-4.7",
            "GLM-4.7",
            200_000,
            (0.6, 2.2),
            aliases=["glm-4.7"],
            info={"outputMax": 131_072},
            capabilities=["tools"],
        ),
        _priced(
            "openai/gpt-5",
            "GPT-5",
            400_000,
            (1.25, 10.0),
            info={"outputMax": 128_000},
            capabilities=["tools", "vision"],
        ),
        _priced(
            "anthropic/claude-sonnet-4.5",
            "Claude Sonnet 4.5",
            200_000,
            (3.0, 15.0),
            info={"outputMax": 64_000},
            capabilities=["tools", "vision"],
        ),
        _priced(
            "google/gemini-2.5-flash",
            "Gemini 2.5 Flash",
            1_048_576,
            (0.3, 2.5),
            info={"outputMax": 65_536},
            capabilities=["tools", "vision"],
        ),
        _priced("deepseek/deepseek-chat", "DeepSeek V3.1", 128_000, (0.28, 0.42)),
        _priced("zhipu/glm-4.5-air", "GLM-4.5 Air", 128_000, (0.2, 1.1), capabilities=["tools"]),
        {"id": "flux/schnell", "type": "image", "info": {"name": "Flux Schnell"}},
    ],
}

COMPARED = ("zhipu/glm-4.7", "openai/gpt-5", "anthropic/claude-sonnet-4.5")
COMPARE_PROMPT = "Is a Python set or a list faster for `in`?"
COMPARE_REPLIES = {
    "zhipu/glm-4.7": (
        "",
        "A **set**: `x in s` is a hash lookup, O(1) on average; `x in l` walks the list, "
        "O(n).\n\n| items | list | set |\n|---|---|---|\n| 10 | 0.2 µs | 0.04 µs |\n"
        "| 10,000 | 120 µs | 0.04 µs |\n\nBuild the set once if you test many times.",
        (0.0011, 0.9),
    ),
    "openai/gpt-5": (
        "",
        "Use a `set` when you test membership more than once or twice:\n\n- `set`: "
        "average O(1), needs hashable items\n- `list`: O(n), keeps order and duplicates\n\n"
        "For a handful of items the difference is noise.",
        (0.0042, 1.7),
    ),
    "anthropic/claude-sonnet-4.5": (
        "",
        "Short answer: **set**. Longer answer: it depends on how often you look up, because "
        "building the set costs",
        None,
    ),
}
"""Per model: reasoning, answer, and (US$, seconds) when it finishes (None: still writing)."""


class CatalogueTransport(httpx.AsyncBaseTransport):
    """The AI/ML API as far as the shots need it: the catalogue, and each model's reply with
    its cost (``meta.usage``); a model without an ending keeps writing until ``release``."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=CATALOGUE)
        body = json.loads(request.content)
        model = str(body.get("model"))
        reasoning, answer, ending = COMPARE_REPLIES.get(model, ("", "Hello.", (0.0001, 0.2)))
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=_CatalogueStream(model, reasoning, answer, ending, self.release),
        )


class _CatalogueStream(httpx.AsyncByteStream):
    def __init__(
        self,
        model: str,
        reasoning: str,
        answer: str,
        ending: tuple[float, float] | None,
        release: asyncio.Event,
    ) -> None:
        self.parts = (model, reasoning, answer, ending, release)

    @staticmethod
    def _chunk(model: str, **fields: Any) -> bytes:
        delta = {key: value for key, value in fields.items() if key != "finish_reason"}
        choice: dict[str, Any] = {"index": 0, "delta": delta}
        if "finish_reason" in fields:
            choice = {"index": 0, "delta": {}, "finish_reason": fields["finish_reason"]}
        data = {"id": "shot", "object": "chat.completion.chunk", "model": model}
        return b"data: " + json.dumps({**data, "choices": [choice]}).encode() + b"\n\n"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        model, reasoning, answer, ending, release = self.parts
        if reasoning:
            yield self._chunk(model, reasoning_content=reasoning)
        for word in answer.split(" "):
            yield self._chunk(model, content=word + " ")
        if ending is None:
            await release.wait()
            return
        usd, seconds = ending
        # The reply's time is measured by the app: the stream takes about as long as said.
        await asyncio.sleep(seconds)
        yield self._chunk(model, finish_reason="stop")
        prompt, completion = 38, 20 * len(answer.split())
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        meta = {"usage": {"credits_used": round(usd * 2_000_000), "usd_spent": usd}}
        tail = {"id": "shot", "object": "chat.completion.chunk", "model": model, "choices": []}
        yield b"data: " + json.dumps({**tail, "usage": usage, "meta": meta}).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"


def seed_spending(store: Store) -> None:
    """Replies with a cost over the month before the fixed clock, for the usage screen."""
    conn = store.db.conn
    spend = [
        (27, "zhipu/glm-4.7", 0.08),
        (24, "openai/gpt-5", 0.41),
        (22, "zhipu/glm-4.7", 0.12),
        (18, "anthropic/claude-sonnet-4.5", 0.66),
        (15, "zhipu/glm-4.7", 0.21),
        (13, "openai/gpt-5", 0.35),
        (10, "zhipu/glm-4.7", 0.18),
        (9, "google/gemini-2.5-flash", 0.05),
        (6, "zhipu/glm-4.7", 0.29),
        (4, "anthropic/claude-sonnet-4.5", 0.52),
        (2, "zhipu/glm-4.7", 0.17),
        (1, "openai/gpt-5", 0.38),
        (0, "zhipu/glm-4.7", 0.24),
    ]
    titles = ["Kyoto trip", "Rust lifetimes", "SQL windows", "Docker build", "Typing tips"]
    for index, (days_ago, model, usd) in enumerate(spend):
        title = titles[index % len(titles)]
        cid = store.create_conversation(title=title, provider="aimlapi", model=model)
        uid = store.add_message(cid, parent_id=None, role="user", content="q")
        aid = store.add_message(cid, parent_id=uid, role="assistant", content="a", model=model)
        tokens = int(usd * 40_000) + 900
        prompt = tokens // 3
        store.update_message(
            aid,
            status="complete",
            usage=Usage(
                prompt_tokens=prompt,
                completion_tokens=tokens - prompt,
                total_tokens=tokens,
                cached_tokens=prompt // 4,
                reasoning_tokens=(tokens - prompt) // 3,
                usd=usd,
                credits=usd * 2_000_000,
            ),
        )
        at = (NOW - timedelta(days=days_ago, hours=3)).isoformat()
        conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (at, cid))
        conn.execute(
            "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", (at, at, cid)
        )
    conn.commit()


# -- taking the shots ------------------------------------------------------------------------


def settings_for(tmp: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "demo",
        "db_path": tmp / "history.db",
        "config_path": CONFIG_PATH,
        "sources": {"provider": "flag --demo"},
    }
    values.update(changes)
    return Settings(**values)


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    for _ in range(2000):
        if condition():
            return
        await pilot.pause(0.01)
    raise RuntimeError(f"timed out waiting for {what}")


def screen_text(app: GLMApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot: Pilot[Any], app: GLMApp) -> None:
    """No blinking cursors, no animation in flight: the picture does not depend on timing."""
    for widget in app.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause(0.05)


async def send(pilot: Pilot[Any], app: GLMApp, text: str) -> None:
    app.main.composer.focus()
    app.main.composer.load_text(text)
    await pilot.press("enter")


async def shot_first_run(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await wait_for(pilot, lambda: app.screen.id == "welcome", "the welcome screen")


async def shot_streaming(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    prompt = "How do I keep a Textual app responsive while streaming?"
    reasoning, _ = compose_reply(prompt)
    await send(pilot, app, prompt)
    transport: HeldDemoTransport = app.transport  # type: ignore[attr-defined]
    await wait_for(pilot, transport.held.is_set, "the stream to pause")
    words = " ".join(reasoning.split()[:6])
    await wait_for(pilot, lambda: words in screen_text(app), "the reasoning on screen")


async def shot_finished(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    app.main.composer.focus()


async def shot_search(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Python typing: Protocol or ABC?"])
    await pilot.press("ctrl+f")
    await pilot.press(*"python")
    await wait_for(pilot, lambda: app.main.sidebar.option_list.option_count == 2, "the filter")


async def shot_settings(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    await pilot.press("f3")
    await wait_for(pilot, lambda: app.screen.id == "settings", "the settings")


async def shot_error(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Why is my Docker build slow?"])
    app.main.composer.focus()


async def shot_palette(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    await pilot.press("ctrl+p")
    await pilot.press(*"kyo")
    await wait_for(pilot, lambda: "Open conversation: Plan a 3-day" in screen_text(app), "hits")


async def shot_approval(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    await send(pilot, app, "What does notes/todo.md say?")
    await wait_for(pilot, lambda: app.main.approver.panel is not None, "the approval panel")
    await wait_for(pilot, lambda: "todo.md" in screen_text(app), "the arguments")


async def shot_model_picker(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    from glm_tui.ui.screens.model_picker import ModelPickerScreen

    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelPickerScreen), "the picker")
    picker = app.screen
    assert isinstance(picker, ModelPickerScreen)
    await wait_for(pilot, lambda: not picker.fetching, "the list")
    await pilot.press("down", "down")


async def shot_usage(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    from glm_tui.ui.screens.usage import UsageScreen
    from glm_tui.usage_report import default_since, usage_report

    seed_spending(app.session.store)  # behind the dialog: the sidebar keeps the usual history
    app.main.action_usage()
    await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen), "the usage screen")
    screen = app.screen
    assert isinstance(screen, UsageScreen)
    await wait_for(pilot, lambda: screen.report is not None, "the figures")
    # The screen reads the 30 days up to today; the shot's history is up to the fixed clock.
    until = NOW.date()
    store = app.session.store
    screen.show(usage_report(store, since=default_since(until), until=until, budget_usd=None))


async def shot_compare(pilot: Pilot[Any], app: GLMApp, ids: dict[str, int]) -> None:
    from glm_tui.ui.screens.compare import CompareScreen
    from glm_tui.ui.screens.model_picker import CompareModelsScreen

    await app.main.open_conversation(ids["Python: count lines in a huge file"])
    app.main.composer.load_text(COMPARE_PROMPT)
    app.main.action_compare()
    await wait_for(pilot, lambda: isinstance(app.screen, CompareModelsScreen), "the models")
    picker = app.screen
    assert isinstance(picker, CompareModelsScreen)
    await wait_for(pilot, lambda: not picker.fetching, "the list")
    picker.marked = list(COMPARED)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), "the columns")
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    finishing = [c for c in screen.columns if COMPARE_REPLIES[c.reply.model or ""][2]]
    await wait_for(pilot, lambda: all(c.final is not None for c in finishing), "two replies")
    writing = [c for c in screen.columns if c not in finishing]
    last_words = "building the set costs"
    await wait_for(
        pilot, lambda: all(c.live.content_text.strip().endswith(last_words) for c in writing), "3"
    )
    await wait_for(pilot, lambda: last_words in screen_text(app), "the third reply on screen")
    await pilot.press("2")


Shot = Callable[[Pilot[Any], GLMApp, dict[str, int]], Awaitable[None]]


@dataclass(frozen=True)
class Plan:
    name: str
    shot: Shot
    theme: str = "glm-dark"
    first_run: bool = False
    hold: bool = False
    catalogue: bool = False
    """On a made-up AI/ML API with a model list and costs (CatalogueTransport)."""
    changes: tuple[tuple[str, Any], ...] = ()
    """Settings for this shot (the key is made up, and shown redacted anyway)."""
    tools: bool = False
    """The built-in tools offered, reading a small made-up project (the approval panel)."""


def plans() -> list[Plan]:
    result = [
        Plan("first-run", shot_first_run, first_run=True),
        Plan("streaming-thinking", shot_streaming, hold=True),
        Plan("finished-reply", shot_finished),
        Plan("sidebar-search", shot_search),
        Plan(
            "settings",
            shot_settings,
            changes=(
                ("provider", "aimlapi"),
                ("api_key", "made-up-key-for-the-picture-7f3a"),
                ("temperature", 0.6),
                ("system_prompt", "Answer concisely. Use Markdown for code and tables."),
                ("sources", {"api_key": "env AIMLAPI_API_KEY"}),
            ),
        ),
        Plan("error", shot_error),
        Plan("command-palette", shot_palette),
        Plan(
            "approval",
            shot_approval,
            changes=(("tools", ("read_file", "list_directory")),),
            tools=True,
        ),
        Plan("model-picker", shot_model_picker, catalogue=True),
        Plan("usage", shot_usage, catalogue=True),
        Plan("compare", shot_compare, catalogue=True),
    ]
    themes, errors = load_themes(None)
    if errors:
        raise SystemExit("\n".join(errors))
    result += [Plan(f"theme-{t.name}", shot_finished, theme=t.name) for t in themes]
    return result


async def take(plan: Plan, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="glm-tui-shots-") as folder:
        tmp = Path(folder)
        store = Store.open(tmp / "history.db")
        try:
            ids = seed(store)
            if plan.first_run:
                settings = settings_for(
                    tmp, provider="aimlapi", theme=plan.theme, sources={"provider": "default"}
                )
            else:
                settings = settings_for(tmp, theme=plan.theme, **dict(plan.changes))
            client = None
            transport: CatalogueTransport | HeldDemoTransport | None = None
            if plan.catalogue:
                settings = settings.with_values(
                    provider="aimlapi",
                    api_key="made-up-key-for-the-picture-7f3a",
                    model="zhipu/glm-4.7",
                )
                transport = CatalogueTransport()
                client = GLMClient(
                    base_url=settings.effective_base_url or "",
                    api_key=settings.api_key,
                    model="zhipu/glm-4.7",
                    transport=transport,
                )
            if plan.hold:
                transport = HeldDemoTransport(hold_after=22)
                demo = PROVIDERS["demo"]
                client = GLMClient(
                    base_url=demo.base_url or "",
                    api_key=None,
                    model=demo.default_model or "",
                    transport=transport,
                )
            toolbox = None
            if plan.tools:
                from glm_tui.tools.toolbox import Toolbox

                project = tmp / "project"
                (project / "notes").mkdir(parents=True)
                (project / "notes" / "todo.md").write_text("- ship the tools\n")
                toolbox = Toolbox(settings, root=project, use_mcp=False)
            app = create_app(settings, store=store, client=client, now=lambda: NOW, toolbox=toolbox)
            app.transport = transport  # type: ignore[attr-defined]
            if plan.catalogue:
                app.session.model_picker.transport = transport
                app.session.model_picker.cache_dir = tmp / "cache"
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                await plan.shot(pilot, app, ids)
                await settle(pilot, app)
                path = out / f"{plan.name}.svg"
                path.write_text(app.export_screenshot(title="glm-tui"), encoding="utf-8")
                if transport is not None:
                    transport.release.set()
                await app.action_quit()
        finally:
            store.close()
    return path


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for plan in plans():
        if args.only and plan.name not in args.only:
            continue
        path = await take(plan, args.out)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
