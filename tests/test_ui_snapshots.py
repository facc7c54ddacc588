"""Snapshots of the main states (pytest-textual-snapshot), 120x40, fixed clock, no blinking.

Update them with ``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.fakeglm import FakeGLM, stall_stream
from tests.ui_helpers import (
    make_app,
    screen_text,
    seed_branched,
    seed_conversation,
    send,
    started,
    ui_settings,
    wait_until,
)

SIZE = (120, 40)

REPLY = """Use a **context manager**, so the file is closed even on errors:

```python
from pathlib import Path

def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)
```

| approach | memory | speed |
|---|---|---|
| `sum(1 for _ in f)` | constant | fast |
| `len(f.readlines())` | whole file | fast |
"""

REASONING = (
    "The user wants to count lines in a file. A generator expression over the file object "
    "keeps memory constant; a context manager closes the file."
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.db") as store:
        yield store


def seed_history(store: Store) -> int:
    seed_conversation(
        store, "Rust lifetimes, explained", [("a", "b", None)], updated_at="2024-03-13T09:00:00Z"
    )
    seed_conversation(
        store, "Plan a trip to Kyoto", [("c", "d", None)], updated_at="2024-03-14T12:10:00Z"
    )
    seed_conversation(
        store, "Python typing tips", [("e", "f", None)], updated_at="2024-03-02T08:00:00Z"
    )
    seed_conversation(
        store, "Packaging a Python app", [("g", "h", None)], updated_at="2024-03-11T08:00:00Z"
    )
    return seed_conversation(
        store,
        "Count lines in a file",
        [("How do I count the lines of a big file in Python?", REPLY, REASONING)],
        updated_at="2024-03-14T14:55:00Z",
    )


def opener(cid: int, *, open_thinking: bool = False) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, GLMApp)
        await started(pilot)
        await app.main.open_conversation(cid)
        app.main.composer.focus()
        await pilot.pause()
        if open_thinking:
            reply = app.query_one(AssistantMessage)
            assert reply.thinking is not None
            reply.thinking.collapsed = False
            await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


async def _still(pilot: Pilot[Any]) -> None:
    await started(pilot)
    await pilot.pause()


def test_empty_first_screen(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=_still)


def test_finished_reply_with_code_and_folded_thinking(
    tmp_path: Path, store: Store, snap_compare: Any
) -> None:
    cid = seed_history(store)
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))


def test_reply_with_thinking_open(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    cid = seed_history(store)
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid, open_thinking=True))


def test_thinking_while_streaming(
    tmp_path: Path, store: Store, fake_glm: FakeGLM, snap_compare: Any
) -> None:
    fake_glm.enqueue(stall_stream(content="", reasoning="First, what does the user mean by fast?"))
    app = make_app(ui_settings(tmp_path, fake_glm.base_url), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await send(pilot, app, "Is SQLite fast enough for a chat history?")
        await wait_until(
            pilot,
            lambda: (
                app.query(AssistantMessage)
                and app.query_one(AssistantMessage).thinking.body.source.endswith("fast?")
            ),
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sidebar_filtered_by_search(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    seed_history(store)
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=_still, press=["ctrl+f", *"pyth"])


def test_error_in_the_pane(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    cid = seed_conversation(
        store,
        "Why is the sky blue?",
        [("Why is the sky blue?", "", None)],
        updated_at="2024-03-14T14:59:30Z",
        status="error",
        error=(
            "The API key was rejected: check the key and the provider. "
            "(HTTP 401 code 1000: Authentication failed [invalid key])"
        ),
    )
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))


def test_welcome_screen(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    settings = ui_settings(tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None)
    app = make_app(settings, store)
    assert snap_compare(app, terminal_size=SIZE, run_before=_still)


def test_selected_message_with_its_branch_indicator(
    tmp_path: Path, store: Store, snap_compare: Any
) -> None:
    """A regenerated reply (‹ 2/2 ›) under the keyboard cursor; the footer lists its actions."""
    seed_history(store)
    cid, ids = seed_branched(store, updated_at="2024-03-14T14:58:00Z")
    app = make_app(ui_settings(tmp_path), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.open_conversation(cid)
        await pilot.pause()
        widget = app.main.pane.widget_for(ids["a1b"])
        assert widget is not None
        app.main.pane.select(widget)
        await wait_until(pilot, lambda: app.main.pane.selected is widget)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def seed_organised(store: Store) -> int:
    """The history, with a pin, tags and two bookmarks; returns the open conversation."""
    cid = seed_history(store)
    pinned = next(s.id for s in store.list_conversations() if s.title == "Python typing tips")
    store.set_pinned(pinned, True)
    store.add_tag(pinned, "python")
    store.add_tag(cid, "python")
    store.add_tag(cid, "work")
    kyoto = next(s.id for s in store.list_conversations() if s.title == "Plan a trip to Kyoto")
    store.add_tag(kyoto, "travel")
    for message in store.current_path(cid):
        store.set_bookmark(message.id, True)
    store.db.conn.execute("UPDATE bookmarks SET created_at = '2024-03-14T14:58:00Z'")
    return cid


def test_sidebar_with_pins_and_tags(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    cid = seed_organised(store)
    app = make_app(ui_settings(tmp_path), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await opener(cid)(pilot)
        app.main.sidebar.option_list.focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sidebar_grouped_by_tag(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    seed_organised(store)
    app = make_app(ui_settings(tmp_path), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.run_action("group_by_tag")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_bookmarks_view(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    seed_organised(store)
    app = make_app(ui_settings(tmp_path), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.run_action("bookmarks")
        await wait_until(pilot, lambda: app.screen.id == "bookmarks")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_slash_completion_list(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    cid = seed_history(store)
    app = make_app(ui_settings(tmp_path), store)

    async def run_before(pilot: Pilot[Any]) -> None:
        await opener(cid)(pilot)
        await pilot.press("slash", "t")
        await wait_until(pilot, lambda: app.main.query_one("#slash-list").has_class("-shown"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- tools ---------------------------------------------------------------------------------------

TOOL_RESULT = """# glm-tui

A terminal chat client for GLM-4.7 [not markup]."""


def seed_tool_turn(store: Store) -> int:
    """A turn that used a tool: the reply that asked (thinking, one call), the result, and the
    answer after it."""
    from glm_tui.api.events import ToolCall
    from glm_tui.store.models import ToolResultInfo

    cid = store.create_conversation(
        title="What is this project?", provider="openai", model="glm-4.7"
    )
    user = store.add_message(cid, parent_id=None, role="user", content="What is this project?")
    asked = store.add_message(
        cid,
        parent_id=user,
        role="assistant",
        reasoning="The README will say. I should read it.",
        model="glm-4.7",
    )
    arguments = '{"path": "README.md"}'
    store.update_message(
        asked,
        finish_reason="tool_calls",
        tool_calls=[ToolCall("call_1", "read_file", arguments)],
        duration=1.5,
    )
    result = store.add_message(
        cid,
        parent_id=asked,
        role="tool",
        content=TOOL_RESULT,
        tool=ToolResultInfo("call_1", "read_file", arguments, None),
    )
    store.update_message(result, tool_status="ok", duration=0.03)
    answer = store.add_message(
        cid,
        parent_id=result,
        role="assistant",
        content="It is **glm-tui**, a terminal chat client for GLM-4.7.",
        reasoning="The README answers it.",
        model="glm-4.7",
    )
    store.update_message(answer, finish_reason="stop", duration=2.1)
    when = "2024-03-14T14:55:00Z"
    conn = store.db.conn
    conn.execute(
        "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", (when, when, cid)
    )
    conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (when, cid))
    return cid


@pytest.mark.parametrize("opened", [False, True], ids=["folded", "open"])
def test_a_tool_call_block(tmp_path: Path, store: Store, snap_compare: Any, opened: bool) -> None:
    from glm_tui.ui.widgets.tool_block import ToolCallBlock

    cid = seed_tool_turn(store)
    app = make_app(ui_settings(tmp_path), store)
    open_conversation = opener(cid)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_conversation(pilot)
        if opened:
            app.query_one(ToolCallBlock).collapsed = False
            await wait_until(pilot, lambda: "[not markup]" in screen_text(app))
            await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_approval_panel(
    tmp_path: Path, store: Store, fake_glm: FakeGLM, snap_compare: Any
) -> None:
    import json

    from glm_tui.tools.toolbox import Toolbox
    from glm_tui.ui.app import create_app
    from tests.fakeglm import tool_calls_stream
    from tests.ui_helpers import fixed_clock

    calls = [
        ("c1", "read_file", json.dumps({"path": "README.md"})),
        ("c2", "list_directory", json.dumps({"path": "[b]docs[/b]"})),
    ]
    fake_glm.enqueue(tool_calls_stream(calls, reasoning="I should look at the files."))
    settings = ui_settings(
        tmp_path,
        fake_glm.base_url,
        config_path=tmp_path / "config.toml",
        tools=("read_file", "list_directory"),
    )
    box = Toolbox(settings, root=tmp_path, use_mcp=False)
    app = create_app(settings, store=store, now=fixed_clock, toolbox=box)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await send(pilot, app, "What is in this project?")
        await wait_until(pilot, lambda: app.main.approver.panel is not None)
        await wait_until(pilot, lambda: "list_directory" in screen_text(app))
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
