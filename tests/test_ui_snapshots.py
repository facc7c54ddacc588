"""Snapshots of the main states (pytest-textual-snapshot), 120x40, fixed clock, no blinking.

Update them with ``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from glm_tui.api.events import Usage
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.fakeglm import FakeGLM, stall_stream
from tests.ui_helpers import (
    make_app,
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


def test_chips_and_the_at_list(tmp_path: Path, store: Store, snap_compare: Any) -> None:
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
    app = make_app(ui_settings(tmp_path), store)
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


def test_a_compacted_conversation(tmp_path: Path, store: Store, snap_compare: Any) -> None:
    """The first two turns summarised: folded behind one line at the top of the pane."""
    turns = [(f"Question {n}?", f"Answer {n}.", None) for n in (1, 2, 3, 4)]
    cid = seed_conversation(store, "A long talk", turns, updated_at="2024-03-14T14:56:00Z")
    path = store.current_path(cid)
    store.add_compaction(
        cid, through_id=path[3].id, summary="Questions 1 and 2 were answered.", summarised=4
    )
    app = make_app(ui_settings(tmp_path), store)
    assert snap_compare(app, terminal_size=SIZE, run_before=opener(cid))
