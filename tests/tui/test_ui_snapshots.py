"""Snapshots of the main states (pytest-textual-snapshot), 120x40, fixed clock, no blinking.

Update them with ``pytest tests/tui/test_ui_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from glm_tui.api.events import Usage
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.compare import CompareScreen
from glm_tui.ui.screens.model_picker import CompareModelsScreen, ModelPickerScreen
from glm_tui.ui.screens.usage import UsageScreen
from glm_tui.ui.widgets.messages import AssistantMessage
from glm_tui.usage_report import usage_report
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, gated_stream, stall_stream
from tests.ui_helpers import (
    make_app,
    screen_text,
    seed_branched,
    seed_conversation,
    send,
    started,
    still,
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


NewApp = Callable[..., GLMApp]


@pytest.fixture
def new_app(tmp_path: Path, store: Store) -> NewApp:
    """The app on the test's history: ``new_app(base_url, **settings_changes)``; the snapshot
    runs it (``snap_compare``)."""

    def build(base_url: str | None = None, **changes: Any) -> GLMApp:
        return make_app(ui_settings(tmp_path, base_url, **changes), store)

    return build


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


def test_empty_first_screen(new_app: NewApp, snap_compare: Any) -> None:
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_still)


def test_finished_reply_with_code_and_folded_thinking(
    new_app: NewApp, store: Store, snap_compare: Any
) -> None:
    cid = seed_history(store)
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))


UNNAMED_FENCE_REPLY = """The tests pass:

```
$ pytest -q
....                                                    [100%]
4 passed in 0.12s
```

and the function they check:

```python
def handle(items: list[str]) -> dict[str, int]:
    return {item: len(item) for item in items}
```
"""


def test_a_fence_that_names_no_language_is_plain(
    new_app: NewApp, store: Store, snap_compare: Any
) -> None:
    turns = [("Did the tests pass?", UNNAMED_FENCE_REPLY, None)]
    cid = seed_conversation(store, "Tests", turns, updated_at="2024-03-14T14:00:00Z")
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))


def test_reply_with_thinking_open(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    cid = seed_history(store)
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid, open_thinking=True))


def test_thinking_while_streaming(new_app: NewApp, fake_glm: FakeGLM, snap_compare: Any) -> None:
    fake_glm.enqueue(stall_stream(content="", reasoning="First, what does the user mean by fast?"))
    app = new_app(fake_glm.base_url)

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


def test_sidebar_filtered_by_search(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    seed_history(store)
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_still, press=["ctrl+f", *"pyth"])


def test_error_in_the_pane(new_app: NewApp, store: Store, snap_compare: Any) -> None:
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
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))


def test_welcome_screen(new_app: NewApp, snap_compare: Any) -> None:
    app = new_app(provider="aimlapi", model=None, api_key=None)  # no provider set up
    assert snap_compare(app, terminal_size=SIZE, run_before=_still)


def test_selected_message_with_its_branch_indicator(
    new_app: NewApp, store: Store, snap_compare: Any
) -> None:
    """A regenerated reply (‹ 2/2 ›) under the keyboard cursor; the footer lists its actions."""
    seed_history(store)
    cid, ids = seed_branched(store, updated_at="2024-03-14T14:58:00Z")
    app = new_app()

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


def test_sidebar_with_pins_and_tags(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    cid = seed_organised(store)
    app = new_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await opener(cid)(pilot)
        app.main.sidebar.option_list.focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sidebar_grouped_by_tag(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    seed_organised(store)
    app = new_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.run_action("group_by_tag")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_bookmarks_view(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    seed_organised(store)
    app = new_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.run_action("bookmarks")
        await wait_until(pilot, lambda: app.screen.id == "bookmarks")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_slash_completion_list(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    cid = seed_history(store)
    app = new_app()

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
def test_a_tool_call_block(new_app: NewApp, store: Store, snap_compare: Any, opened: bool) -> None:
    from glm_tui.ui.widgets.tool_block import ToolCallBlock

    cid = seed_tool_turn(store)
    app = new_app()
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


# -- models, money, compare (issue 16) -------------------------------------------------------


def test_model_picker(new_app: NewApp, store: Store, fake_glm: FakeGLM, snap_compare: Any) -> None:
    """F4 over a conversation: the provider's list (the AI/ML API's catalogue), recently used
    first, filtered by what was typed."""
    seed_history(store)
    cid = seed_conversation(
        store, "GPT chat", [("q", "a", None)], updated_at="2024-03-14T14:58:00Z", model="o3-mini"
    )
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    app = new_app(fake_glm.base_url)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.open_conversation(cid)
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))
        picker = app.screen
        assert isinstance(picker, ModelPickerScreen)
        await wait_until(pilot, lambda: not picker.fetching)
        await pilot.press("down", "down")
        still(app)
        picker.filter_input.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _usage_seed(store: Store) -> None:
    """Replies with a cost on fixed days (noon UTC: the same local day in most zones)."""
    days = [("2024-03-02", "zhipu/glm-4.7", 0.12), ("2024-03-05", "openai/gpt-5", 0.6)]
    days += [("2024-03-09", "zhipu/glm-4.7", 0.31), ("2024-03-13", "o3-mini", 0.2)]
    days += [("2024-03-14", "openai/gpt-5", 0.95), ("2024-03-14", "zhipu/glm-4.7", 0.08)]
    for index, (day, model, usd) in enumerate(days):
        cid = store.create_conversation(title=f"Chat {index + 1}", provider="aimlapi", model=model)
        uid = store.add_message(cid, parent_id=None, role="user", content="q")
        aid = store.add_message(cid, parent_id=uid, role="assistant", content="a", model=model)
        store.update_message(
            aid,
            status="complete",
            usage=Usage(
                prompt_tokens=1200 * (index + 1),
                completion_tokens=800 * (index + 1),
                total_tokens=2000 * (index + 1),
                cached_tokens=300 * index,
                reasoning_tokens=250 * (index + 1),
                usd=usd,
                credits=usd * 2_000_000,
            ),
        )
        at = f"{day}T12:00:00Z"
        store.db.conn.execute(
            "UPDATE messages SET created_at = ? WHERE conversation_id = ?", (at, cid)
        )
        store.db.conn.execute(
            "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", (at, at, cid)
        )


def test_usage_screen(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    """The usage screen with the figures of fixed days (the screen reads up to today: the
    snapshot shows the report of the days seeded, as the screen draws any report)."""
    _usage_seed(store)
    app = new_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        app.main.action_usage()
        await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen))
        screen = app.screen
        assert isinstance(screen, UsageScreen)
        await wait_until(pilot, lambda: screen.report is not None)
        until = date(2024, 3, 14)
        report = usage_report(store, since=until - timedelta(days=29), until=until)
        screen.show(report)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_compare_three_columns_streaming(
    new_app: NewApp, fake_glm: FakeGLM, snap_compare: Any
) -> None:
    """Three models answering one prompt at once, each in its column, the first in focus."""
    models = ("zhipu/glm-4.7", "openai/gpt-5", "o3-mini")
    gates = [threading.Event() for _ in models]
    heads = {
        "zhipu/glm-4.7": "For small lists, **insertion sort**; otherwise Timsort, which ",
        "openai/gpt-5": "It depends on the data:\n\n- nearly sorted: insertion sort\n- random: ",
        "o3-mini": "Python's built-in `sorted` (Timsort) is the fastest you will ",
    }
    for model, gate in zip(models, gates, strict=True):
        fake_glm.enqueue_for(model, gated_stream(heads[model], "the rest.", gate))
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    app = new_app(fake_glm.base_url)

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        app.main.composer.load_text("Which sort is fastest in Python?")
        app.main.action_compare()
        await wait_until(pilot, lambda: isinstance(app.screen, CompareModelsScreen))
        picker = app.screen
        assert isinstance(picker, CompareModelsScreen)
        await wait_until(pilot, lambda: not picker.fetching)
        picker.marked = list(models)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await wait_until(
            pilot,
            lambda: all(
                c.live.content_text == heads[c.reply.model or ""]
                and not c.message._pending_content
                and not c.message._flush_lock.locked()
                for c in screen.columns
            ),
        )
        for words in ("Timsort, which", "random:", "the fastest you will"):
            await wait_until(pilot, lambda w=words: w in screen_text(app))
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        for gate in gates:
            gate.set()


def seed_attached(store: Store, work: Path) -> int:
    """A prompt sent with two files (their chips under it) and its reply, at fixed times."""
    from glm_tui.attachments import read_file

    attached = [a for name in ("app.py", "notes.md") for a in read_file(work / name, work)]
    cid = store.create_conversation(title="Explain my script", provider="openai", model="glm-4.7")
    uid = store.add_message(
        cid,
        parent_id=None,
        role="user",
        content="What does @app.py print, and is notes.md right?",
        attachments=[a.ref() for a in attached],
        contents=[a.content() for a in attached],
    )
    aid = store.add_message(
        cid, parent_id=uid, role="assistant", content="It prints `quokka`; the notes agree."
    )
    store.update_message(
        aid,
        status="complete",
        finish_reason="stop",
        usage=Usage(prompt_tokens=5_210, completion_tokens=40, total_tokens=5_250),
        duration=2.1,
    )
    conn = store.db.conn
    stamp = "2024-03-14T14:57:00Z"
    conn.execute(
        "UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", (stamp, stamp, cid)
    )
    conn.execute("UPDATE messages SET created_at = ? WHERE conversation_id = ?", (stamp, cid))
    return cid


def test_chips_and_the_at_list(
    new_app: NewApp, tmp_path: Path, store: Store, snap_compare: Any
) -> None:
    """A sent prompt with its chips; two attachments waiting above the composer; the @ list
    open for "@s" (a small terminal: it all fits)."""
    from tests.attachment_helpers import write

    work = tmp_path / "work"
    write(work / "app.py", "print('quokka')\n")
    write(work / "notes.md", "# Notes\n\nThe script prints a marsupial.\n")
    write(work / "src" / "server.py", "import app\n")
    write(work / "src" / "settings.toml", "debug = true\n")
    write(work / "scripts" / "setup.sh", "echo hi\n")
    seed_history(store)
    cid = seed_attached(store, work)
    app = new_app()
    app.session.attachments.cwd = work

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await app.main.open_conversation(cid)
        await app.session.attachments.attach("src/server.py")
        await app.session.attachments.attach_paste("traceback line\n" * 200)
        app.main.composer.focus()
        await pilot.press(*"Why does it fail? @s")
        await wait_until(pilot, lambda: app.main.query_one("#path-completion").display)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_a_compacted_conversation(new_app: NewApp, store: Store, snap_compare: Any) -> None:
    """The first two turns summarised: folded behind one line at the top of the pane."""
    turns = [(f"Question {n}?", f"Answer {n}.", None) for n in (1, 2, 3, 4)]
    cid = seed_conversation(store, "A long talk", turns, updated_at="2024-03-14T14:56:00Z")
    path = store.current_path(cid)
    store.add_compaction(
        cid, through_id=path[3].id, summary="Questions 1 and 2 were answered.", summarised=4
    )
    app = new_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))
