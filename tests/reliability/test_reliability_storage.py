"""Issue 8, item 4: a read-only or full disk, a locked database. A clear error; the app stays up
for reading; nothing already saved is lost.

The suite runs as root, for whom permission bits do not make a file read-only, so:

- read-only from the start: the real thing, ``chattr +i`` on the database file (immutable even
  for root; skipped where the file system has no such flag);
- read-only or full in the middle of a reply: the store's own SQLite hooks on its connection
  (``PRAGMA query_only``, ``PRAGMA max_page_count``), as in test_store.py;
- files that may not grow, for ``glm-tui ask`` as a real process: a file-size limit
  (``RLIMIT_FSIZE``) on the process, so its writes fail with EFBIG (an I/O error to SQLite);
- locked: another connection holding the write lock longer than the busy timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from glm_tui.chat import ChatService
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.cli_helpers import CLI, assert_clean_failure
from tests.fakeglm import FakeGLM, gated_stream, zai_stream
from tests.ui_helpers import (
    make_app,
    seed_conversation,
    send,
    shows,
    ui_settings,
    wait_idle,
    wait_until,
)
from tests.waiting import CEILING

TIME = "2024-03-14T10:00:00Z"
WIDE = (200, 50)  # one line for the error messages, which name the file


async def notified(pilot: Pilot[None], app: GLMApp, text: str) -> None:
    """Until a notification says ``text`` (toasts come and go; the app's list is what was said,
    and every notification with a file name or a provider's words in it has markup off)."""
    await wait_until(pilot, lambda: any(text in n.message for n in app._notifications), what=text)


def status_of(reply: AssistantMessage) -> str:
    """The line under a reply that says why it is not complete (it may wrap on the screen)."""
    return str(reply.query_one(".status-text", Static).content)


def _seed(path: Path) -> int:
    with Store.open(path) as store:
        return seed_conversation(
            store, "Saved before", [("An old question", "An old answer", "old thoughts")],
            updated_at=TIME,
        )  # fmt: skip


def _snapshot(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, role, content, status FROM messages ORDER BY id").fetchall()
    finally:
        conn.close()


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: not even root may write the file (undone afterwards, whatever happens)."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("no chattr here")
    done = subprocess.run([chattr, "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this file system has no immutable flag: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


# -- read-only ----------------------------------------------------------------------------------


async def test_read_only_database_can_be_read_and_says_why_it_cannot_be_written(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    settings = ui_settings(tmp_path, fake_glm.base_url)
    cid = _seed(settings.db_path)
    before = _snapshot(settings.db_path)
    with immutable(settings.db_path), Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await app.main.open_conversation(cid)
            await shows(pilot, "An old answer")  # reading works
            await send(pilot, app, "A new question")
            await notified(pilot, app, "read-only")
            assert app.main.composer.text == "A new question"  # what was typed is not lost
            assert not app.session.live and fake_glm.requests == []
            await pilot.press("ctrl+n")
            await send(pilot, app, "In a new conversation")
            await notified(pilot, app, "read-only")
            assert app.main.composer.text == "In a new conversation"
            await app.main.open_conversation(cid)
            await pilot.press("f2", "ctrl+u", *"Renamed", "enter")
            await wait_until(pilot, lambda: len(app._notifications) >= 3)
            await shows(pilot, "Saved before")
            assert app.is_running
    assert _snapshot(settings.db_path) == before


@pytest.mark.slow
def test_ask_on_a_read_only_database_fails_clearly_and_list_still_works(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    cli = CLI(tmp_path, fake_glm.base_url)
    cid = _seed(cli.db)
    with immutable(cli.db):
        line = assert_clean_failure(cli.run("ask", "Hello"))
        assert "read-only" in line and str(cli.db) in line
        [conversation] = cli.json("list")
        assert conversation["id"] == cid
    assert fake_glm.requests == []  # nothing was sent that could not be kept


async def test_read_only_in_the_middle_of_a_reply(tmp_path: Path, fake_glm: FakeGLM) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("The first half is saved. ", "The second half is not.", gate))
    fake_glm.enqueue(zai_stream("Saved this time."))
    settings = ui_settings(tmp_path, fake_glm.base_url)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        app.session.service.flush_interval = 0.05
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await send(pilot, app, "Two halves please")
            await wait_until(pilot, lambda: app.session.current_id in app.session.live)
            reply_id = app.session.live[app.session.current_id].assistant_id  # type: ignore[index]
            await wait_until(
                pilot, lambda: store.get_message(reply_id).content == "The first half is saved. "
            )
            store.db.conn.execute("PRAGMA query_only = 1")
            gate.set()
            await wait_idle(pilot, app)
            # All of it is on the screen, with why it is not in the history.
            await shows(pilot, "The first half is saved. The second half is not.")
            await shows(pilot, "could not be saved")
            [reply] = app.query(AssistantMessage)
            assert "the database is read-only" in status_of(reply)
            assert reply.message.status == "error"
            assert app.is_running
            store.db.conn.execute("PRAGMA query_only = 0")
            saved = store.get_message(reply_id)  # what was saved before stays
            assert saved.content == "The first half is saved. "
            # Writable again: Retry works.
            reply.focus()
            await pilot.press("r")
            await shows(pilot, "Saved this time.")
            await wait_idle(pilot, app)
            assert store.current_path(app.session.current_id)[-1].content == "Saved this time."  # type: ignore[arg-type]


# -- a full disk ----------------------------------------------------------------------------------


async def test_full_disk_in_the_middle_of_a_reply(tmp_path: Path, fake_glm: FakeGLM) -> None:
    gate = threading.Event()
    big = "lorem ipsum " * 4_000  # some pages more than the file may have
    fake_glm.enqueue(gated_stream("This much fits. ", big, gate))
    settings = ui_settings(tmp_path, fake_glm.base_url)
    cid = _seed(settings.db_path)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        app.session.service.flush_interval = 0.05
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await send(pilot, app, "Fill the disk")
            await wait_until(pilot, lambda: app.session.current_id in app.session.live)
            reply_id = app.session.live[app.session.current_id].assistant_id  # type: ignore[index]
            await wait_until(
                pilot, lambda: store.get_message(reply_id).content == "This much fits. "
            )
            pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
            store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
            gate.set()
            await wait_idle(pilot, app)
            await shows(pilot, "could not be saved")
            [reply] = app.query(AssistantMessage)
            assert "the disk is full" in status_of(reply)
            assert reply.message.content == "This much fits. " + big  # on screen, can be copied
            # Reading still works, and what was saved before is all there.
            await app.main.open_conversation(cid)
            await shows(pilot, "An old answer")
            saved = store.get_message(reply_id).content  # as far as it fitted, nothing lost
            assert saved.startswith("This much fits. ") and reply.message.content.startswith(saved)
            assert len(saved) < len(reply.message.content)
            [old_user, old_reply] = store.current_path(cid)
            assert (old_user.content, old_reply.content) == ("An old question", "An old answer")
            assert app.is_running


async def test_full_disk_when_sending(tmp_path: Path, fake_glm: FakeGLM) -> None:
    settings = ui_settings(tmp_path, fake_glm.base_url)
    cid = _seed(settings.db_path)
    with Store.open(settings.db_path) as store:
        pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
        store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
        app = make_app(settings, store)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await app.main.open_conversation(cid)
            await send(pilot, app, "x" * 200_000)  # does not fit
            await notified(pilot, app, "the disk is full")
            assert len(app.main.composer.text) == 200_000
            assert [w.message.content for w in app.query(UserMessage)] == ["An old question"]
            assert fake_glm.requests == []
            assert app.is_running


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
def test_ask_when_the_files_may_not_grow_fails_clearly_and_keeps_what_was_saved(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    cli = CLI(tmp_path, fake_glm.base_url)
    cid = _seed(cli.db)
    before = _snapshot(cli.db)
    limit = cli.db.stat().st_size  # no file may grow past the database's size now
    fake_glm.enqueue(zai_stream("never saved"))
    result = subprocess.run(
        cli.argv("ask"),
        input="y" * 300_000,
        capture_output=True,
        text=True,
        env=cli.env(),
        timeout=30,
        preexec_fn=lambda: _file_size_limit(limit),
    )
    line = assert_clean_failure(result)
    # EFBIG is an I/O error to SQLite (ENOSPC would be "full"): either way, one clear line.
    assert str(cli.db) in line and ("disk is full" in line or "disk I/O error" in line), line
    assert _snapshot(cli.db) == before
    shown = cli.json("show", str(cid))
    assert [m["content"] for m in shown["messages"]] == ["An old question", "An old answer"]


# -- a locked database ------------------------------------------------------------------------


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock (as a long transaction elsewhere would)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


async def test_locked_database_says_so_keeps_reading_and_works_once_free(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Sent once the lock was gone."))
    settings = ui_settings(tmp_path, fake_glm.base_url)
    cid = _seed(settings.db_path)
    with Store.open(settings.db_path, busy_timeout=0.2) as store:
        app = make_app(settings, store)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            with write_locked(settings.db_path):
                await send(pilot, app, "While it is locked")
                await notified(pilot, app, "locked by another process")
                assert app.main.composer.text == "While it is locked"
                await app.main.open_conversation(cid)  # reading is not blocked by a writer
                await shows(pilot, "An old answer")
                await pilot.press("ctrl+n")
            app.main.composer.focus()
            await pilot.press("enter")  # the same text, now that the lock is gone
            await shows(pilot, "Sent once the lock was gone.")
            await wait_idle(pilot, app)
            assert app.main.composer.text == ""
            titles = [c.title for c in store.list_conversations()]
            assert sorted(titles) == ["Saved before", "While it is locked"]


async def test_a_lock_in_the_middle_of_a_reply_loses_nothing(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    """A flush that meets a lock is tried again at the next one; the reply is saved whole."""

    async def while_locked(stream: object, events: list[object]) -> None:
        # The next pieces' writes fail: the other connection holds the lock.
        for _ in range(3):
            await _next(stream, events)

    await _reply_through_a_lock(tmp_path, fake_glm, 0.05, while_locked)


async def test_writes_on_the_way_do_not_wait_out_a_long_lock(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    """The TUI runs the writes on its event loop: a write on the way through a reply that met a
    lock held elsewhere must not wait the store's busy timeout (a minute here), or nothing on
    the screen would move meanwhile. It gives up at once; the last write saves it all."""

    async def while_locked(stream: object, events: list[object]) -> None:
        # Its write meets the lock. Had it waited out the busy timeout (an hour here), the test
        # would fail on the ceiling; it gives up at once and the next piece comes.
        await asyncio.wait_for(_next(stream, events), CEILING)

    await _reply_through_a_lock(tmp_path, fake_glm, 3600, while_locked)


async def _reply_through_a_lock(
    tmp_path: Path,
    fake_glm: FakeGLM,
    busy_timeout: float,
    while_locked: Callable[[object, list[object]], Awaitable[None]],
) -> None:
    """A reply (a write for every piece) whose second piece comes while another connection
    holds the write lock, ``while_locked`` running then; it must end saved whole."""
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Before the lock. ", "After the lock.", gate))
    settings = ui_settings(tmp_path, fake_glm.base_url)
    with Store.open(settings.db_path, busy_timeout=busy_timeout) as store:
        service = ChatService(store, settings, flush_interval=0)
        events: list[object] = []
        stream = service.send("Hold on")
        async with contextlib.aclosing(stream):
            async for event in stream:
                events.append(event)
                if type(event).__name__ == "ContentDelta" and not gate.is_set():
                    with write_locked(settings.db_path):
                        gate.set()
                        await while_locked(stream, events)
        ended = events[-1]
        assert type(ended).__name__ == "TurnEnded"
        assert ended.message.status == "complete"  # type: ignore[attr-defined]
        assert ended.message.content == "Before the lock. After the lock."  # type: ignore[attr-defined]
        saved = store.current_path(ended.message.conversation_id)[-1]  # type: ignore[attr-defined]
        assert (saved.status, saved.content) == ("complete", "Before the lock. After the lock.")


async def _next(stream: object, events: list[object]) -> None:
    events.append(await stream.__anext__())  # type: ignore[attr-defined]
