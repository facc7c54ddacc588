"""Organising in the TUI: pins and tags in the sidebar, grouping by tag, automatic titles as they
arrive, bookmarks and the Bookmarks view, a new conversation with a role."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.markdown import MarkdownBlock

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.choice_dialog import ChoiceScreen
from glm_tui.ui.screens.tag_dialog import TagScreen
from glm_tui.ui.widgets.message_actions import HIT_STYLE
from glm_tui.ui.widgets.sidebar import PIN_MARKER
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    screen_text,
    seed_conversation,
    send,
    shows,
    type_text,
    wait_idle,
    wait_until,
)


def seed_three(store: Store) -> list[int]:
    """Oldest first: Ants, Bees, Cats (Cats is at the top of the list)."""
    return [
        seed_conversation(
            store, title, [(f"About {title}", "Answer", None)], updated_at=f"2024-03-14T1{n}:00:00Z"
        )
        for n, title in enumerate(("Ants", "Bees", "Cats"))
    ]


def list_titles(app: GLMApp) -> list[str]:
    options = app.main.sidebar.option_list
    return [
        str(options.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(options.option_count)
    ]


async def notified(pilot: Any, app: GLMApp, text: str) -> None:
    await wait_until(pilot, lambda: any(text in n.message for n in app._notifications), what=text)


async def highlight(pilot: Any, app: GLMApp, cid: int) -> None:
    options = app.main.sidebar.option_list
    options.focus()
    options.highlighted = options.get_option_index(f"c{cid}")
    await pilot.pause()


async def test_p_pins_and_unpins_the_selected_conversation(tui: Tui, store: Store) -> None:
    ants, _bees, _cats = seed_three(store)
    async with tui() as (app, pilot):
        assert list_titles(app) == ["Cats", "Bees", "Ants"]
        await highlight(pilot, app, ants)
        await pilot.press("p")
        await wait_until(pilot, lambda: list_titles(app)[0] == f"{PIN_MARKER}Ants")
        assert list_titles(app)[1:] == ["Cats", "Bees"]
        assert store.conversation_summary(ants).pinned
        await notified(pilot, app, "Pinned: it stays on top.")
        await pilot.press("p")  # the highlight followed it to the top
        await wait_until(pilot, lambda: list_titles(app) == ["Cats", "Bees", "Ants"])
        assert not store.conversation_summary(ants).pinned


async def test_t_tags_with_completion_and_the_search_box_knows_tags(tui: Tui, store: Store) -> None:
    ants, bees, cats = seed_three(store)
    store.add_tag(cats, "work")
    async with tui() as (app, pilot):
        await shows(pilot, "#work")  # the tags under the title
        await highlight(pilot, app, ants)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TagScreen))
        await shows(pilot, "In use: #work (1)")
        field = app.screen.query_one("#tag-input", Input)
        await type_text(pilot, "wo")
        await wait_until(pilot, lambda: field._suggestion == "work")
        await pilot.press("right")  # takes the offer
        await type_text(pilot, " #ideas")
        await pilot.press("enter")
        await wait_until(pilot, lambda: store.conversation_summary(ants).tags == ("ideas", "work"))
        await shows(pilot, "#ideas #work")
        await pilot.press("t")  # what is typed goes after the tags it has
        await wait_until(pilot, lambda: isinstance(app.screen, TagScreen))
        await type_text(pilot, "more")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: store.conversation_summary(ants).tags == ("ideas", "more", "work")
        )
        # A tag that cannot be one: one message, nothing changed.
        await highlight(pilot, app, bees)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TagScreen))
        app.screen.query_one("#tag-input", Input).value = "x" * 80
        await pilot.press("enter")
        await notified(pilot, app, "a tag has at most")
        assert store.conversation_summary(bees).tags == ()
        # tag:NAME in the search box, with words.
        app.main.sidebar.search_input.value = "tag:work"
        await wait_until(pilot, lambda: list_titles(app) == ["Cats", "Ants"])
        app.main.sidebar.search_input.value = "tag:WORK an"
        await wait_until(pilot, lambda: list_titles(app) == ["Ants"])
        # Enter with tags alone: no message search, the filtered list gets the focus.
        app.main.sidebar.search_input.value = "tag:work"
        app.main.sidebar.search_input.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.sidebar.option_list.has_focus)
        assert app.main.sidebar.hits is None and list_titles(app) == ["Cats", "Ants"]


async def test_the_palette_groups_the_list_by_tag(tui: Tui, store: Store) -> None:
    ants, bees, cats = seed_three(store)
    store.add_tag(cats, "work")
    store.add_tag(ants, "work")
    store.add_tag(ants, "home")
    async with tui() as (app, pilot):
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await type_text(pilot, "group by tag")
        await shows(pilot, "Group the conversation list by tag")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.sidebar.grouped)
        assert list_titles(app) == ["#home  1", "Ants", "#work  2", "Cats", "Ants", "No tag  1",
                                    "Bees"]  # fmt: skip
        await app.main.run_action("group_by_tag")
        await wait_until(pilot, lambda: list_titles(app) == ["Cats", "Bees", "Ants"])
        del bees


async def test_an_automatic_title_shows_in_the_sidebar_when_it_arrives(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Owls have large eyes."), zai_stream("Owl Eyes"))
    async with tui(fake_glm.base_url, auto_title=True) as (app, pilot):
        await send(pilot, app, "How do owls see at night?")
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: list_titles(app) == ["Owl Eyes"])
        assert len(fake_glm.requests) == 2


async def test_b_bookmarks_a_message_and_the_bookmarks_view_opens_it(
    tui: Tui, store: Store
) -> None:
    first = seed_conversation(
        store,
        "Owls",
        [("Where do owls live?", "In forests.", None), ("What do they eat?", "Mice.", None)],
        updated_at="2024-03-14T13:00:00Z",
    )
    seed_conversation(store, "Bees", [("Hi", "Hello", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui(open=first) as (app, pilot):
        main = app.main
        pane = main.pane
        await wait_until(pilot, lambda: len(pane.message_widgets()) == 4)
        target = pane.message_widgets()[1]  # "In forests."
        pane.select(target)
        await wait_until(pilot, lambda: pane.selected is target)
        await pilot.press("b")
        await wait_until(pilot, lambda: target.has_class("-bookmarked"))
        await shows(pilot, "★ glm-4.7")
        [bookmark] = store.list_bookmarks(10)
        assert bookmark.message_id == target.message.id  # type: ignore[attr-defined]
        await main.open_conversation(None)
        await app.main.run_action("bookmarks")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await shows(pilot, "Reply: In forests.")
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.session.current_id == first)
        await wait_until(pilot, lambda: pane.selected is not None)
        assert pane.selected.message.id == bookmark.message_id  # type: ignore[union-attr]
        assert pane.selected.has_class("-bookmarked")  # type: ignore[union-attr]
        await pilot.press("b")  # removes it
        await wait_until(pilot, lambda: store.list_bookmarks(10) == [])
        await wait_until(pilot, lambda: "★" not in screen_text(app))


async def test_the_bookmarks_view_says_how_to_add_one(tui: Tui) -> None:
    async with tui() as (app, pilot):
        await app.main.run_action("bookmarks")
        await shows(pilot, "No bookmarks yet")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main)


async def test_new_conversation_with_a_role(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("Looks fine."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await type_text(pilot, "role")
        await shows(pilot, "New conversation with role")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await shows(pilot, "reviewer")
        options = app.screen.query_one(OptionList)
        options.highlighted = next(
            i
            for i in range(options.option_count)
            if "reviewer" in str(options.get_option_at_index(i).prompt)
        )
        await pilot.press("enter")
        await notified(pilot, app, "New conversation as reviewer.")
        await send(pilot, app, "def f(): pass")
        await wait_idle(pilot, app)
        system = fake_glm.requests[0].json["messages"][0]
        assert system["role"] == "system" and "senior software engineer" in system["content"]


async def test_opening_a_search_hit_highlights_the_words_it_matched(tui: Tui, store: Store) -> None:
    cid = seed_conversation(
        store,
        "Birds",
        [("Where do Owls hunt?", "In the dark.", None), ("And bats?", "Also at night.", None)],
        updated_at="2024-03-14T13:00:00Z",
    )
    seed_conversation(store, "Bees", [("Hi", "Hello", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui() as (app, pilot):
        main = app.main
        await pilot.press("ctrl+f")
        await type_text(pilot, "owl")
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.sidebar.hits is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.session.current_id == cid)
        pane = main.pane
        await wait_until(pilot, lambda: pane.selected is not None)
        selected = pane.selected
        assert selected is not None and selected.message.content == "Where do Owls hunt?"  # type: ignore[attr-defined]
        assert selected.has_class("-hit")
        await shows(pilot, "Found: Owls")


async def test_a_hit_in_a_reply_is_highlighted_in_its_rendered_text(tui: Tui, store: Store) -> None:
    cid = seed_conversation(
        store,
        "Birds",
        [("Where do owls hunt?", "Mostly **at night**, in the dark.\n\n- voles at Night", None)],
        updated_at="2024-03-14T13:00:00Z",
    )
    async with tui() as (app, pilot):
        main = app.main
        await pilot.press("ctrl+f")
        await type_text(pilot, "night")
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.sidebar.hits is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.session.current_id == cid)
        pane = main.pane

        def marked() -> list[str]:
            found = []
            for block in pane.query(MarkdownBlock):
                content = block.content
                if isinstance(content, Content):
                    found += [
                        content.plain[span.start : span.end]
                        for span in content.spans
                        if str(span.style) == HIT_STYLE
                    ]
            return found

        await wait_until(pilot, lambda: len(marked()) == 2, what="the words marked in the reply")
        assert sorted(marked()) == ["Night", "night"]  # any case, in a paragraph and a list


async def test_the_palette_pins_and_tags_the_open_conversation(tui: Tui, store: Store) -> None:
    ants, _bees, _cats = seed_three(store)
    async with tui(open=ants) as (app, pilot):
        for command in ("Pin or unpin conversation", "Tag conversation"):
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: CommandPalette.is_open(app))
            await type_text(pilot, command)
            await shows(pilot, command)
            await pilot.press("enter")
            await wait_until(pilot, lambda: not CommandPalette.is_open(app))
        await wait_until(pilot, lambda: isinstance(app.screen, TagScreen))
        await type_text(pilot, "zoo")
        await pilot.press("enter")
        await wait_until(pilot, lambda: store.conversation_summary(ants).tags == ("zoo",))
        assert store.conversation_summary(ants).pinned
        assert list_titles(app)[0] == f"{PIN_MARKER}Ants"
