"""Branches in the TUI: selecting messages with the keyboard, regenerate, edit, [ and ], fork."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.edit_dialog import EditScreen
from glm_tui.ui.widgets.message_actions import MessageActions, RoleLine
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    BRANCHED_TURNS,
    click,
    hides,
    screen_text,
    seed_branched,
    seed_conversation,
    shows,
    wait_idle,
    wait_until,
)

TURNS = BRANCHED_TURNS


def shown(app: GLMApp) -> list[str]:
    """The contents of the messages in the pane, top to bottom."""
    return [w.message.content for w in app.main.pane.message_widgets()]  # type: ignore[attr-defined]


def selected_id(app: GLMApp) -> int | None:
    widget = app.main.pane.selected
    return None if widget is None else widget.message.id


async def select(pilot: Any, app: GLMApp, message_id: int) -> None:
    """Walk the cursor up from the composer to a message, with the keys a user would press."""
    app.main.composer.focus()
    await pilot.press("up")
    for _ in range(20):
        await wait_until(pilot, lambda: app.main.pane.selected is not None, what="a selection")
        if selected_id(app) == message_id:
            return
        await pilot.press("up")
    raise AssertionError(f"message {message_id} was never selected")


async def test_keys_move_the_cursor_and_the_footer_lists_the_actions(
    tui: Tui, store: Store
) -> None:
    cid, ids = seed_branched(store)
    async with tui(open=cid) as (app, pilot):
        app.main.composer.focus()
        await pilot.press("up")  # an empty composer: up goes into the messages
        await wait_until(pilot, lambda: selected_id(app) == ids["a3"], what="the last reply")
        assert isinstance(app.focused, AssistantMessage)
        await shows(pilot, "r Regenerate")
        text = screen_text(app)
        assert "c Copy" in text and "f Fork" in text
        assert "e Edit" not in text  # a reply is not edited; its prompt is
        assert "Branch" not in text  # no siblings

        await pilot.press("up")
        await wait_until(pilot, lambda: selected_id(app) == ids["u3"], what="the prompt")
        await shows(pilot, "e Edit")
        await pilot.press("up")
        await wait_until(pilot, lambda: selected_id(app) == ids["a1b"], what="the regenerated one")
        await shows(pilot, "[] Branch")
        assert "‹ 2/2 ›" in screen_text(app)

        await pilot.press("down", "down")
        await wait_until(pilot, lambda: selected_id(app) == ids["a3"], what="back down")
        await pilot.press("down")  # past the last message: back to the composer
        await wait_until(pilot, lambda: app.focused is app.main.composer, what="the composer")
        await hides(pilot, "f Fork")

        app.main.composer.load_text("a draft")
        await pilot.press("up")  # with text, up stays in the composer
        assert app.focused is app.main.composer
        await pilot.press("alt+up")  # ... and Alt+Up leaves it anyway
        await wait_until(pilot, lambda: selected_id(app) == ids["a3"], what="alt+up")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is app.main.composer, what="escape")
        assert app.main.composer.text == "a draft"


async def test_the_cursor_reads_through_a_long_reply_and_loads_older_messages(
    tui: Tui, store: Store
) -> None:
    long_reply = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(60))
    turns = [(f"Question {i}", f"Answer {i}", None) for i in range(20)]
    cid = seed_conversation(
        store, "Long", [*turns, ("Tell me more", long_reply, None)], updated_at="2024-03-14"
    )
    async with tui(open=cid) as (app, pilot):
        pane = app.main.pane
        assert pane.has_older  # 42 messages, 8 mounted
        await pilot.press("up")
        await wait_until(pilot, lambda: selected_id(app) is not None, what="the long reply")
        reply = pane.selected
        assert isinstance(reply, AssistantMessage)
        await wait_until(pilot, lambda: pane.scroll_y > 0, what="the end of the reply")
        # Up scrolls through the reply a page at a time before it moves on.
        presses = 0
        while isinstance(pane.selected, AssistantMessage) and presses < 20:
            # Where the reply is on the screen (older messages mounted above it as the view
            # nears the top change scroll_y, not what is seen).
            before = reply.region.y
            await pilot.press("up")
            await pilot.pause()
            presses += 1
            if pane.selected is reply:
                await wait_until(pilot, lambda: reply.region.y > before, what="a page up")  # noqa: B023
        assert presses > 2
        assert isinstance(pane.selected, UserMessage)
        assert pane.selected.message.content == "Tell me more"

        # Up goes on past the first message that was mounted, into older ones: mounted as the
        # view nears the top, or by the cursor itself when it gets there first.
        oldest = pane.message_widgets()[0].message.id

        def past_oldest() -> bool:
            selected = pane.selected
            return isinstance(selected, UserMessage | AssistantMessage) and (
                selected.message.id < oldest
            )

        presses = 0
        while not past_oldest() and presses < 30:
            await pilot.press("up")
            await pilot.pause()
            presses += 1
        assert past_oldest()
        assert len(pane.message_widgets()) > 8


async def test_r_on_an_earlier_reply_makes_a_sibling(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("A burrito."), zai_stream("A monoid, again."))
    cid = seed_conversation(store, "Monads", TURNS, updated_at="2024-03-14T14:00:00Z")
    a1 = store.current_path(cid)[1].id
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        await select(pilot, app, a1)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 1, what="the request")
        await wait_idle(pilot, app)
        assert shown(app) == ["What is a monad?", "A burrito."]  # the new branch
        await shows(pilot, "‹ 2/2 ›")
        new = store.current_path(cid)[-1]
        assert [m.id for m in store.siblings(a1)] == [a1, new.id]
        assert len(store.all_messages(cid)) == 5  # nothing was deleted
        # Only the branch up to the prompt is sent.
        sent = fake_glm.requests[0].json["messages"]
        assert [m["content"] for m in sent] == ["What is a monad?"]

        # Ctrl+R regenerates the last reply: a third sibling.
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 2, what="the second request")
        await wait_idle(pilot, app)
        assert shown(app) == ["What is a monad?", "A monoid, again."]
        await shows(pilot, "‹ 3/3 ›")
        assert len(store.siblings(a1)) == 3


async def test_r_on_a_prompt_asks_for_another_reply(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("Rules in a box."))
    cid = seed_conversation(store, "Monads", TURNS, updated_at="2024-03-14T14:00:00Z")
    _, _, u2, a2 = (m.id for m in store.current_path(cid))
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        await select(pilot, app, u2)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 1, what="the request")
        await wait_idle(pilot, app)
        assert shown(app)[-2:] == ["Explain simply.", "Rules in a box."]
        assert len(store.siblings(a2)) == 2


async def test_e_edits_an_earlier_prompt_into_a_new_branch(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("A functor maps."))
    cid = seed_conversation(store, "Monads", TURNS, updated_at="2024-03-14T14:00:00Z")
    u1 = store.current_path(cid)[0].id
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        await select(pilot, app, u1)

        # Escape cancels: nothing is sent or saved.
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EditScreen), what="the dialog")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, EditScreen), what="closed")
        assert len(store.all_messages(cid)) == 4 and not fake_glm.requests

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EditScreen), what="the dialog")
        editor = app.screen.query_one("#edit-input")
        assert editor.text == "What is a monad?"  # type: ignore[attr-defined]
        await shows(pilot, "Edit the prompt")
        editor.load_text("What is a functor?")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 1, what="the request")
        await wait_idle(pilot, app)
        assert shown(app) == ["What is a functor?", "A functor maps."]
        await shows(pilot, "‹ 2/2 ›")
        assert fake_glm.requests[0].json["messages"] == [
            {"role": "user", "content": "What is a functor?"}
        ]
        edited = store.current_path(cid)[0]
        assert [m.id for m in store.siblings(u1)] == [u1, edited.id]
        assert len(store.all_messages(cid)) == 6  # the original turns are all still there

        # [ on the edited prompt brings the original back, with its replies.
        await select(pilot, app, edited.id)
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: shown(app)[0] == "What is a monad?", what="the original")
        assert shown(app) == [t for turn in TURNS for t in turn[:2]]


async def test_brackets_switch_branches_and_the_choice_survives_a_restart(
    tui: Tui, tmp_path: Path, store: Store
) -> None:
    cid, ids = seed_branched(store)
    async with tui(open=cid) as (app, pilot):
        assert shown(app)[-1] == "`maybe(x).bind(f)`"
        await select(pilot, app, ids["a1b"])
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: shown(app)[-1] == "A box with rules.", what="branch 1")
        assert shown(app) == [t for turn in TURNS for t in turn[:2]]
        assert selected_id(app) == ids["a1"]  # the cursor stays on the switched message
        await shows(pilot, "‹ 1/2 ›")
        assert store.get_conversation(cid).current_leaf_id == ids["a2"]

        await pilot.press("left_square_bracket")  # already the first: nothing changes
        await pilot.pause()
        assert shown(app)[-1] == "A box with rules." and selected_id(app) == ids["a1"]

        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: shown(app)[-1] == "`maybe(x).bind(f)`", what="branch 2")
        await shows(pilot, "‹ 2/2 ›")
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: shown(app)[-1] == "A box with rules.", what="branch 1")

    # Another run of the app, on the database reopened: the same branch is shown.
    store.close()
    with Store.open(tmp_path / "history.db") as reopened:
        async with tui(store=reopened, open=cid) as (app, pilot):
            assert shown(app) == [t for turn in TURNS for t in turn[:2]]
            await shows(pilot, "‹ 1/2 ›")


async def test_a_search_hit_on_another_branch_opens_that_branch(tui: Tui, store: Store) -> None:
    cid, ids = seed_branched(store)
    async with tui() as (app, pilot):
        await pilot.press("ctrl+f", *"box rules", "enter")
        await wait_until(pilot, lambda: app.main.sidebar.hits, what="the hit")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.current_id == cid, what="the conversation")
        await wait_until(pilot, lambda: selected_id(app) == ids["a2"], what="the hit selected")
        assert shown(app) == [t for turn in TURNS for t in turn[:2]]
        await shows(pilot, "‹ 1/2 ›")
        assert store.get_conversation(cid).current_leaf_id == ids["a2"]


async def test_clicking_the_arrows_of_the_indicator(tui: Tui, store: Store) -> None:
    cid, ids = seed_branched(store)
    async with tui(open=cid) as (app, pilot):
        widget = app.main.pane.widget_for(ids["a1b"])
        assert widget is not None
        line = widget.query_one(RoleLine)
        start = len("glm-4.7") + RoleLine.GAP
        await click(pilot, line)  # laid out; a click away from the arrows does nothing
        assert shown(app)[-1] == "`maybe(x).bind(f)`"
        await pilot.click(line, offset=(start, 0))
        await wait_until(pilot, lambda: shown(app)[-1] == "A box with rules.", what="branch 1")
        line = app.main.pane.widget_for(ids["a1"]).query_one(RoleLine)  # type: ignore[union-attr]
        await click(pilot, line)
        await pilot.click(line, offset=(start + len("‹ 1/2 ›") - 1, 0))
        await wait_until(pilot, lambda: shown(app)[-1] == "`maybe(x).bind(f)`", what="branch 2")


async def test_f_forks_a_new_conversation_from_the_selected_message(tui: Tui, store: Store) -> None:
    cid, ids = seed_branched(store)
    async with tui(open=cid) as (app, pilot):
        await select(pilot, app, ids["u3"])
        await pilot.press("f")
        await wait_until(pilot, lambda: app.session.current_id not in (cid, None), what="the fork")
        fork = app.session.current_id
        assert fork is not None
        assert shown(app) == [
            "What is a monad?",
            "A design pattern for steps.",
            "Show Python code.",
        ]
        assert store.get_conversation(fork).title == "Monads (fork)"
        await shows(pilot, "Monads (fork)")  # in the sidebar
        assert app.focused is app.main.composer
        assert len(store.all_messages(cid)) == 7  # the original is untouched
        assert [m.id for m in store.current_path(cid)][-1] == ids["a3"]


async def test_fork_from_the_palette(tui: Tui, store: Store) -> None:
    cid, ids = seed_branched(store)
    async with tui(open=cid) as (app, pilot):
        await select(pilot, app, ids["a1b"])
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: CommandPalette.is_open(app), what="the palette")
        await pilot.press(*"fork conv")
        await shows(pilot, "Fork conversation")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.current_id not in (cid, None), what="the fork")
        # The selected message is where the fork ends.
        assert shown(app) == ["What is a monad?", "A design pattern for steps."]
        first_fork = app.session.current_id

        # With no message selected, the palette forks the whole branch shown.
        await app.main.open_conversation(cid)
        app.main.composer.focus()
        await app.main.run_action("fork")
        await wait_until(
            pilot, lambda: app.session.current_id not in (cid, first_fork), what="2nd fork"
        )
        assert shown(app) == [m.content for m in store.current_path(cid)]
        assert len(shown(app)) == 4


async def test_message_widgets_share_the_keys() -> None:
    """Both widgets take the same keys, in the same order, from MessageActions."""
    keys = [b.key for b in MessageActions.BINDINGS]  # type: ignore[union-attr]
    for cls in (UserMessage, AssistantMessage):
        assert [k for k in cls._merged_bindings.key_to_bindings if k in keys] == keys  # type: ignore[union-attr]
