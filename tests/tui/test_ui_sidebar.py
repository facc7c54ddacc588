"""The sidebar and the conversation dialogs: rename, delete, search, restart, long histories."""

from __future__ import annotations

import gc
from pathlib import Path

from glm_tui.store import Store
from glm_tui.ui.memory import MOST_PENDING
from glm_tui.ui.screens.dialogs import ConfirmScreen, RenameScreen
from glm_tui.ui.widgets.message_pane import PAGE_SIZE
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from glm_tui.ui.widgets.sidebar import PAGE_SIZE as SIDEBAR_PAGE
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    click,
    hides,
    screen_text,
    seed_conversation,
    send,
    shows,
    wait_idle,
    wait_until,
)


def option_ids(app) -> list[str]:
    return [option.id for option in app.main.sidebar.option_list.options]


async def test_rename_with_f2(tui: Tui, fake_glm: FakeGLM, store: Store) -> None:
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Original title")
        await wait_idle(pilot, app)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameScreen))
        await pilot.press("ctrl+u")
        app.screen.query_one("#rename-input").value = "Renamed [b]chat[/b]"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameScreen))
        await pilot.pause()
        assert store.get_conversation(app.session.current_id).title == "Renamed [b]chat[/b]"
        await shows(pilot, "Renamed [b]chat[/b]")
        assert app.focused is app.main.composer


async def test_delete_asks_first(tui: Tui, store: Store) -> None:
    keep = seed_conversation(
        store, "Keep me", [("a", "b", None)], updated_at="2024-03-14T10:00:00Z"
    )
    drop = seed_conversation(
        store, "Drop me", [("c", "d", None)], updated_at="2024-03-14T11:00:00Z"
    )
    async with tui() as (app, pilot):
        app.main.sidebar.option_list.focus()
        app.main.sidebar.option_list.highlighted = 0  # newest first: "Drop me"
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Drop me")
        await pilot.press("escape")  # no
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert option_ids(app) == [f"c{drop}", f"c{keep}"]
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await click(pilot, "#yes")
        await wait_until(pilot, lambda: option_ids(app) == [f"c{keep}"])
        assert [c.id for c in store.list_conversations()] == [keep]
        await hides(pilot, "Drop me")


async def test_open_from_sidebar_and_reopen_thinking_after_restart(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("The final answer.", reasoning="Deep thoughts about it."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Ponder")
        await wait_idle(pilot, app)
    with Store.open(tmp_path / "history.db") as restarted:  # the history file read afresh
        async with tui(fake_glm.base_url, store=restarted) as (app, pilot):
            assert not app.query(AssistantMessage)
            app.main.sidebar.option_list.focus()
            app.main.sidebar.option_list.highlighted = 0
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.query(AssistantMessage))
            reply = app.query_one(AssistantMessage)
            assert reply.thinking is not None and reply.thinking.collapsed
            await hides(pilot, "Deep thoughts")
            await shows(pilot, "The final answer.")
            await click(pilot, reply.thinking._title)
            await pilot.pause()
            assert not reply.thinking.collapsed
            await shows(pilot, "Deep thoughts about it.")
            assert app.focused is not None


async def test_search_filters_titles_then_full_text(tui: Tui, store: Store) -> None:
    seed_conversation(
        store,
        "Python packaging",
        [("How to build a wheel?", "Use hatchling with pyproject.", None)],
        updated_at="2024-03-14T10:00:00Z",
    )
    other = seed_conversation(
        store,
        "Rust lifetimes",
        [("Explain lifetimes", "Borrowed values and the zebra checker.", "Think of zebras")],
        updated_at="2024-03-14T11:00:00Z",
    )
    seed_conversation(store, "Python typing", [("x", "y", None)], updated_at="2024-03-14T09:00:00Z")
    async with tui() as (app, pilot):
        assert len(option_ids(app)) == 3
        await pilot.press("ctrl+f")
        assert app.focused is app.main.sidebar.search_input
        await pilot.press(*"pyth")
        await pilot.pause()
        await shows(pilot, "2 titles · Enter: all text")
        text = screen_text(app)
        assert len(option_ids(app)) == 2
        assert "Rust lifetimes" not in text
        assert "2 titles · Enter: all text" in text
        # Enter: full-text search over every message.
        await pilot.press("ctrl+u", *"zebra", "enter")
        await wait_until(pilot, lambda: app.main.sidebar.hits is not None)
        hits = app.main.sidebar.hits
        assert {hit.conversation_id for hit in hits} == {other}
        await shows(pilot, "zebra")
        assert app.focused is app.main.sidebar.option_list
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.current_id == other)
        await shows(pilot, "Borrowed values and the zebra checker.")
        # Escape goes back to the whole list.
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.sidebar.hits is None
        assert len(option_ids(app)) == 3


async def test_markup_in_a_search_query_is_literal(tui: Tui, store: Store) -> None:
    seed_conversation(
        store, "Odd [b]title[/b]", [("[/", "[0] reply", None)], updated_at="2024-03-14T10:00:00Z"
    )
    async with tui() as (app, pilot):
        await pilot.press("ctrl+f", *"[b]")
        await pilot.pause()
        await shows(pilot, "Odd [b]title[/b]")
        await pilot.press("ctrl+u", *"[0] reply", "enter")
        await wait_until(pilot, lambda: app.main.sidebar.hits)
        await shows(pilot, "Odd [b]title[/b]")
        text = screen_text(app)
        assert "Odd [b]title[/b]" in text
        assert "[0] reply" in text
        await pilot.press("ctrl+f", "ctrl+u", *"[/", "enter")
        await wait_until(pilot, lambda: app.main.sidebar.hits is not None)
        await shows(pilot, "[/")
        assert app.is_running


async def test_long_conversation_mounts_the_tail_and_loads_older(tui: Tui, store: Store) -> None:
    turns = [(f"Question {i}", f"Answer {i}", None) for i in range(50)]
    cid = seed_conversation(store, "Long one", turns, updated_at="2024-03-14T10:00:00Z")
    async with tui(open=cid) as (app, pilot):
        await pilot.pause()
        pane = app.main.pane
        # About a screen and a half first, then about two screens at a time.
        assert 2 <= len(pane.message_widgets()) < PAGE_SIZE
        assert "earlier messages" in screen_text(app) or pane.scroll_y > 0
        await shows(pilot, "Answer 49")
        top = pane.message_widgets()[0]
        assert isinstance(top, UserMessage)
        count = len(pane.message_widgets())
        pane.scroll_home(animate=False)
        await wait_until(pilot, lambda: len(pane.message_widgets()) > count)
        # The view stays on the message that was at the top.
        await wait_until(pilot, lambda: top.message.content in screen_text(app))
        assert pane.scroll_y > 0
        while len(pane.message_widgets()) < 100:
            count = len(pane.message_widgets())
            await wait_until(pilot, lambda: pane.scroll_y > 0)
            pane.scroll_home(animate=False)
            await wait_until(pilot, lambda n=count: len(pane.message_widgets()) > n)  # type: ignore[misc]
        await hides(pilot, "earlier messages")
        first = pane.message_widgets()[0]
        assert isinstance(first, UserMessage) and first.message.content == "Question 0"


async def test_scrolling_up_near_the_top_mounts_older_messages_before_it_is_reached(
    tui: Tui, store: Store
) -> None:
    turns = [(f"Question {i}", f"Answer {i}\n\n" + "Some words. " * 30, None) for i in range(40)]
    cid = seed_conversation(store, "Long one", turns, updated_at="2024-03-14T10:00:00Z")
    async with tui(open=cid) as (app, pilot):
        pane = app.main.pane
        await wait_until(
            pilot, lambda: pane.max_scroll_y > 2 and pane.scroll_y == pane.max_scroll_y
        )
        count = len(pane.message_widgets())
        y = max(1, min(pane.scroll_y - 1, pane.size.height // 2))
        pane.scroll_to(y=y, animate=False, immediate=True)
        await wait_until(pilot, lambda: len(pane.message_widgets()) > count)
        assert pane.scroll_y > 0


async def test_a_new_turn_unmounts_the_history_scrolled_through(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("The newest answer."))
    turns = [(f"Question {i}", f"Answer {i}", None) for i in range(30)]
    cid = seed_conversation(store, "Long one", turns, updated_at="2024-03-14T10:00:00Z")
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        pane = app.main.pane
        while pane.has_older:  # read the whole history
            count = len(pane.message_widgets())
            # The last page's load is over and the view kept in place (a scroll to the top while
            # one is mounted asks for no other: in CI, under load, this waited 120 s).
            await wait_until(pilot, lambda: pane.scroll_y > 0)
            pane.scroll_home(animate=False)
            await wait_until(pilot, lambda n=count: len(pane.message_widgets()) > n)  # type: ignore[misc]
        assert len(pane.message_widgets()) == 60
        await send(pilot, app, "One more question")
        await shows(pilot, "The newest answer.")
        assert len(pane.message_widgets()) < PAGE_SIZE
        assert (pane.has_older and "earlier messages" in screen_text(app)) or pane.scroll_y > 0
        while pane.has_older:  # and it can be read again
            count = len(pane.message_widgets())
            await wait_until(pilot, lambda: pane.scroll_y > 0)
            pane.scroll_home(animate=False)
            await wait_until(pilot, lambda n=count: len(pane.message_widgets()) > n)  # type: ignore[misc]
        contents = [w.message.content for w in pane.message_widgets()]  # type: ignore[attr-defined]
        assert contents[0] == "Question 0" and contents[-1] == "The newest answer."
        assert len(contents) == 62


async def test_older_messages_load_while_the_first_ones_do_not_fill_the_pane(
    tui: Tui, store: Store
) -> None:
    # Blank lines count in the estimate of a message's height, not on the screen: the first
    # messages mounted fill a few rows, and nothing could be scrolled up to load the others.
    turns = [(f"Question {i}", f"Answer {i}" + "\n" * 80 + "end", None) for i in range(12)]
    cid = seed_conversation(store, "Airy", turns, updated_at="2024-03-14T10:00:00Z")
    async with tui(open=cid) as (app, pilot):
        pane = app.main.pane
        # More than the first page, and loading stops once the pane is filled (or all shown).
        await wait_until(pilot, lambda: len(pane.message_widgets()) > 4)
        await wait_until(pilot, lambda: pane.max_scroll_y > 0 or not pane.has_older)
        await shows(pilot, "Answer 11")


def _time(i: int) -> str:
    return f"2024-03-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000000Z"


async def test_ten_thousand_conversations_render_a_page_at_a_time(tui: Tui, store: Store) -> None:
    conn = store.db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO conversations (title, provider, model, settings, created_at, updated_at)"
        " VALUES (?, 'openai', 'glm-4.7', '{}', ?, ?)",
        [(f"Conversation {i}", _time(i), _time(i)) for i in range(10_000)],
    )
    conn.execute("COMMIT")
    async with tui() as (app, pilot):
        option_list = app.main.sidebar.option_list
        # The first screen reads one page; the whole list follows as soon as it is drawn.
        await wait_until(pilot, lambda: len(app.main.sidebar.summaries) == 10_000, what="all")
        assert option_list.option_count == SIDEBAR_PAGE
        option_list.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: option_list.option_count > SIDEBAR_PAGE)
        # The title filter looks at all 10,000, not only the rendered ones.
        await pilot.press("ctrl+f", *"Conversation 17")
        await pilot.pause()
        await shows(pilot, "Conversation 17")
        assert option_list.option_count == 111  # 17, 170-179, 1700-1799


async def test_the_garbage_of_opened_conversations_is_collected(tui: Tui, store: Store) -> None:
    ids = [
        seed_conversation(
            store, f"C{i}", [(f"Question {i}", "A", None)], updated_at="2024-03-14T10:00:00Z"
        )
        for i in range(MOST_PENDING + 1)
    ]
    async with tui() as (app, pilot):
        collections = []
        gc.callbacks.append(lambda phase, info: collections.append(info["generation"]))
        shown_at_collection: list[str] = []
        collect = app.collector.collect

        def collect_noting_the_screen() -> None:
            shown_at_collection.append(screen_text(app))
            collect()

        app.collector.collect = collect_noting_the_screen  # type: ignore[method-assign]
        try:
            await app.main.open_conversation(ids[0])
            assert app.collector.timer is not None  # once the user pauses
            for cid in ids[1:MOST_PENDING]:
                await app.main.open_conversation(cid)
            # Browsing without a pause: a full collection after MOST_PENDING opens, once the
            # last one opened is on the screen (not before: it would wait for the collection).
            assert 2 not in collections and app.collector.pending == MOST_PENDING
            await wait_until(pilot, lambda: 2 in collections)
            assert app.collector.pending == 0 and app.collector.timer is None
            assert f"Question {MOST_PENDING - 1}" in shown_at_collection[0]
        finally:
            gc.callbacks.pop()
