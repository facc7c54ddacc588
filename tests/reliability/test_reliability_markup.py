"""Issue 8, item 8: untrusted text is never parsed as Textual markup, anywhere. Model output,
titles, search queries, provider error messages, theme and model names and file paths are shown
literally in the pane, the sidebar, the status line, notifications, dialogs, the palette, the
help and the settings screen. (Parsed, ``[@click=app.quit]`` would be a button that quits, and
a stray ``[/]`` an exception.)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from glm_tui.store import Store
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_error, zai_stream
from tests.ui_helpers import (
    click,
    screen_text,
    seed_conversation,
    send,
    shows,
    wait_idle,
    wait_until,
)

WIDE = (200, 50)
TITLE = "[b]B[/b][/][@click=app.quit]Q"  # short enough for the sidebar
BODY = "[bold red]Loud[/] [/] [@click=app.quit]quit[/] [link='https://x.invalid']l[/link] $accent"
MODEL = "[i]model[/i][/]"
THEME = "[u]theme[/u]"
DB = Path("[i]h[/i].db")  # relative: in the test's directory (see _short_paths)


@pytest.fixture(autouse=True)
def _short_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative file names: short enough to show whole (a long temporary path would wrap).
    monkeypatch.chdir(tmp_path)


# The settings' changes: a model, a theme and files whose names are markup.
MARKED = {
    "model": MODEL,
    "theme": THEME,
    "config_path": Path("[b]cfg[/b]") / "config.toml",
    "db_path": DB,
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The history in the file the settings name (relative: in the test's directory)."""
    with Store.open(tmp_path / DB) as opened:
        yield opened


@pytest.fixture
def marked(tui: Tui) -> Tui:
    """The app on that history, with those settings."""
    return partial(tui, size=WIDE, **MARKED)


def _seed(store: Store) -> int:
    return seed_conversation(
        store, TITLE, [(BODY, BODY, BODY)], updated_at="2024-03-14T10:00:00Z", model=MODEL
    )


def _literal(app, *texts: str) -> None:  # type: ignore[no-untyped-def]
    screen = screen_text(app)
    for text in texts:
        assert text in screen, (text, screen)
    assert app.is_running


async def test_main_screen_sidebar_status_line_and_pane(marked: Tui, store: Store) -> None:
    cid = _seed(store)
    async with marked(notifications=True) as (app, pilot):
        await shows(pilot, TITLE)  # the sidebar
        await app.main.open_conversation(cid)
        [reply] = app.query(AssistantMessage)
        assert reply.thinking is not None
        await click(pilot, reply.thinking._title)  # open the reasoning
        # The prompt, the reasoning, the answer.
        await wait_until(pilot, lambda: screen_text(app).count(BODY) == 3, what="3 bodies")
        _literal(app, MODEL, TITLE)  # the status line, the reply's label and footer
        # The theme does not exist: a notification names it as it was written.
        assert any(THEME in n.message and not n.markup for n in app._notifications)


async def test_search_query_info_and_hits(marked: Tui, store: Store) -> None:
    _seed(store)
    async with marked() as (app, pilot):
        query = "[/] [@click=app.quit]quit[/]"
        await pilot.press("ctrl+f")
        app.main.sidebar.search_input.value = query
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.sidebar.hits is not None)
        await shows(pilot, query)  # "N messages contain <query>"
        _literal(app, TITLE, "[bold red]Loud[/]")


async def test_dialogs_palette_help_and_settings(marked: Tui, store: Store) -> None:
    cid = _seed(store)
    async with marked(notifications=True) as (app, pilot):
        await app.main.open_conversation(cid)
        await pilot.press("f2")  # rename: the title in the field
        await shows(pilot, "Rename the conversation")
        _literal(app, TITLE)
        await pilot.press("escape")

        app.clear_notifications()  # the theme's warning would cover the help's last lines
        await pilot.press("f1")  # help: the model and the files
        # The keys fill more than 50 rows now: the files and the model are at its end.
        await wait_until(pilot, lambda: app.screen.query("#help-files"))
        app.screen.query_one("#help-dialog").scroll_end(animate=False, immediate=True)
        await shows(pilot, "Escape or F1 closes this help")
        _literal(app, MODEL, "[b]cfg[/b]", "[i]h[/i].db")
        await pilot.press("escape")

        await pilot.press("f3")  # settings: the model, the theme, the config file
        await shows(pilot, "Saved in")
        _literal(app, THEME, "[b]cfg[/b]", TITLE)
        await pilot.press("escape")

        await pilot.press("ctrl+p")  # the palette, searching titles
        await pilot.press(*"click")
        await shows(pilot, "Open conversation: ")
        _literal(app, TITLE)
        await pilot.press("escape")

        app.main.sidebar.option_list.focus()
        await pilot.press("delete")  # the question names the conversation
        await shows(pilot, "Delete the conversation")
        _literal(app, TITLE)
        await pilot.press("y")
        await wait_until(pilot, lambda: not store.list_conversations())
        assert any(TITLE in n.message and not n.markup for n in app._notifications)
        assert app.is_running


async def test_provider_error_message(marked: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_error(400, "1210", BODY), zai_stream(BODY, reasoning=BODY))
    async with marked(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "first")
        await wait_idle(pilot, app)
        await shows(pilot, "Error: the provider refused the request (")
        _literal(app, BODY)
        await send(pilot, app, "second")
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: screen_text(app).count(BODY) >= 2)
        _literal(app, BODY)
