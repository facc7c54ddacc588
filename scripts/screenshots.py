"""Make the README's screenshots (SVG) from the real app on the offline demo model.

    python scripts/screenshots.py [--out screenshots] [--only NAME ...]

Every shot starts a fresh app (120x40) on its own freshly seeded temporary database, with a
fixed clock, so running the script twice gives the same pictures. Nothing touches the user's
config or history.
"""

from __future__ import annotations

import argparse
import asyncio
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


Shot = Callable[[Pilot[Any], GLMApp, dict[str, int]], Awaitable[None]]


@dataclass(frozen=True)
class Plan:
    name: str
    shot: Shot
    theme: str = "glm-dark"
    first_run: bool = False
    hold: bool = False
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
            client = transport = None
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
