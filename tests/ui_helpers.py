"""Helpers for the TUI tests: settings against the fake server, waiting on state, screen text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

from glm_tui.api.events import Usage
from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp, create_app
from tests.waiting import CEILING

# Before any real time a test can run at: what a test creates is "just now", never a date.
FIXED_NOW = datetime(2024, 3, 14, 15, 0, 0, tzinfo=UTC)
SIZE = (120, 40)


def fixed_clock() -> datetime:
    return FIXED_NOW


def ui_settings(tmp_path: Path, base_url: str | None = None, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "openai",
        "base_url": base_url or "http://127.0.0.1:9/v1",
        "model": "glm-4.7",
        "api_key": "sk-test-0000",
        "db_path": tmp_path / "history.db",
        "config_path": Path("/home/user/.config/glm-tui/config.toml"),
        "read_timeout": 10.0,
        # Automatic titles are a request of their own: tested in test_auto_title.py.
        "auto_title": False,
    }
    values.update(changes)
    return Settings(**values)


def make_app(
    settings: Settings, store: Store | None = None, now: Callable[[], datetime] = fixed_clock
) -> GLMApp:
    app = create_app(settings, store=store, now=now)
    return app


def still(app: GLMApp) -> None:
    """No blinking cursors: screenshots must not depend on when they are taken."""
    for widget in app.query("TextArea, Input"):
        widget.cursor_blink = False  # type: ignore[attr-defined]


async def started(pilot: Pilot[Any]) -> GLMApp:
    """Until the main screen is up (its first look at the history done), with still cursors:
    a snapshot's ``run_before`` may run before the first screen is composed."""
    app = pilot.app
    assert isinstance(app, GLMApp)

    def up() -> bool:
        stack = app.screen_stack
        return bool(stack) and getattr(stack[0], "started", False)

    await wait_until(pilot, up, what="the main screen")
    still(app)
    return app


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = CEILING, what: str = ""
) -> None:
    """Poll ``condition`` while letting the app run, up to ``timeout`` seconds (a failure shows
    the screen as it was)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            try:
                shown = screen_text(pilot.app)
            except Exception as exc:  # the app gone or not drawn: say so instead
                shown = f"(no screen: {exc!r})"
            raise AssertionError(f"timed out waiting for {what or condition}; the screen:\n{shown}")
        await pilot.pause()
        await asyncio.sleep(0.01)


async def wait_idle(pilot: Pilot[Any], app: GLMApp, timeout: float = CEILING) -> None:
    """Until no reply is being written, and the UI has caught up."""
    await wait_until(pilot, lambda: not app.session.live, timeout, "the replies to finish")
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def send(pilot: Pilot[Any], app: GLMApp, text: str) -> None:
    """Put text in the composer (as a paste would) and press Enter."""
    app.main.composer.focus()
    app.main.composer.load_text(text)
    await pilot.press("enter")


def seed_conversation(
    store: Store,
    title: str,
    turns: list[tuple[str, str, str | None]],
    *,
    updated_at: str,
    model: str = "glm-4.7",
    status: str = "complete",
    error: str | None = None,
) -> int:
    """A conversation with (prompt, reply, reasoning) turns and fixed times, for snapshots."""
    cid = store.create_conversation(title=title, provider="openai", model=model)
    parent = None
    for prompt, reply, reasoning in turns:
        uid = store.add_message(cid, parent_id=parent, role="user", content=prompt)
        aid = store.add_message(
            cid, parent_id=uid, role="assistant", content=reply, reasoning=reasoning, model=model
        )
        last = (prompt, reply, reasoning) == turns[-1]
        store.update_message(
            aid,
            status=status if last else "complete",
            error=error if last else None,
            finish_reason="stop" if not last or status == "complete" else None,
            usage=Usage(
                prompt_tokens=120, completion_tokens=380, total_tokens=500, reasoning_tokens=90
            )
            if not last or status == "complete"
            else None,
            duration=4.2,
        )
        parent = aid
    conn = store.db.conn
    conn.execute(
        "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?",
        (updated_at, updated_at, cid),
    )
    conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (updated_at, cid))
    return cid


BRANCHED_TURNS: list[tuple[str, str, str | None]] = [
    ("What is a monad?", "A monoid in the category of endofunctors.", None),
    ("Explain simply.", "A box with rules.", None),
]


def seed_branched(
    store: Store, updated_at: str = "2024-03-14T14:00:00Z"
) -> tuple[int, dict[str, int]]:
    """A conversation with two branches, the second one current (``a1b`` is a regenerated a1)::

    u1 - a1 - u2 - a2
       \\ a1b - u3 - a3*
    """
    cid = seed_conversation(store, "Monads", BRANCHED_TURNS, updated_at=updated_at)
    u1, a1, u2, a2 = (m.id for m in store.current_path(cid))
    a1b = store.add_message(
        cid, parent_id=u1, role="assistant", content="A design pattern for steps.", model="glm-4.7"
    )
    u3 = store.add_message(cid, parent_id=a1b, role="user", content="Show Python code.")
    a3 = store.add_message(
        cid, parent_id=u3, role="assistant", content="`maybe(x).bind(f)`", model="glm-4.7"
    )
    conn = store.db.conn
    conn.execute(
        "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?",
        (updated_at, updated_at, cid),
    )
    conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (updated_at, cid))
    ids = {"u1": u1, "a1": a1, "u2": u2, "a2": a2, "a1b": a1b, "u3": u3, "a3": a3}
    return cid, ids


async def click(pilot: Pilot[Any], target: Widget | str) -> None:
    """Click a widget once it is laid out (a click before that lands somewhere else)."""
    app = pilot.app

    def laid_out() -> bool:
        widget = app.screen.query_one(target) if isinstance(target, str) else target
        return widget.region.width > 0 and widget.region.height > 0

    await wait_until(pilot, laid_out, what=f"{target} to be laid out")
    await pilot.click(target)


async def shows(pilot: Pilot[Any], text: str, timeout: float = CEILING) -> None:
    """Until ``text`` is on the screen (rendering lags the state by a refresh or two)."""
    await wait_until(pilot, lambda: text in screen_text(pilot.app), timeout, f"{text!r} to show")


async def hides(pilot: Pilot[Any], text: str, timeout: float = CEILING) -> None:
    await wait_until(
        pilot, lambda: text not in screen_text(pilot.app), timeout, f"{text!r} to go away"
    )


def count_reflows(app: App[Any]) -> list[int]:
    """A list that gets an item each time the screen is laid out from now on."""
    compositor = app.screen._compositor
    reflow = compositor.reflow
    reflows: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        reflows.append(1)
        return reflow(*args, **kwargs)

    compositor.reflow = counted  # type: ignore[method-assign]
    return reflows
