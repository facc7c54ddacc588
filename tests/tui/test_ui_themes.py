"""Themes: bundled and user TOML files, broken files reported by name, the choice remembered."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette

from glm_tui.config import load_settings
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp, create_app
from glm_tui.ui.themes import (
    DEFAULT_THEME,
    ThemeError,
    bundled_themes_dir,
    load_theme_file,
    load_themes,
    theme_from_data,
)
from tests.app_fixture import Tui
from tests.tui.test_ui_palette import demo_settings
from tests.ui_helpers import fixed_clock, seed_conversation, started, wait_until

SIZE = (120, 40)
BUNDLED = ["glm-dark", "glm-light", "high-contrast", "nord-night"]

GOOD_THEME = """
name = "my-sunset"
dark = true
primary = "#FF8C42"
background = "#1B1020"
foreground = "#F4E9E1"

[variables]
footer-key-foreground = "#FF8C42"
input-selection-background = "#FF8C42 30%"
"""


@pytest.fixture(autouse=True)
def _demo_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")


def user_theme(tmp_path: Path, filename: str, text: str) -> Path:
    folder = tmp_path / "config" / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def notifications(app: GLMApp) -> list[str]:
    return [n.message for n in app._notifications]


# -- the loader ------------------------------------------------------------------------------


def test_bundled_themes_load_without_errors() -> None:
    themes, errors = load_themes(None)
    assert errors == []
    assert sorted(t.name for t in themes) == BUNDLED
    folder = bundled_themes_dir()
    assert folder is not None and (folder / "glm-dark.toml").is_file()
    dark = next(t for t in themes if t.name == DEFAULT_THEME)
    assert dark.dark is True and dark.primary.startswith("#")
    light = next(t for t in themes if t.name == "glm-light")
    assert light.dark is False


def test_user_themes_are_added_and_replace_bundled_ones(tmp_path: Path) -> None:
    user_theme(tmp_path, "sunset.toml", GOOD_THEME)
    user_theme(tmp_path, "mine.toml", 'name = "glm-light"\nprimary = "#123456"\ndark = false\n')
    themes, errors = load_themes(tmp_path / "config" / "themes")
    assert errors == []
    names = [t.name for t in themes]
    assert "my-sunset" in names
    by_name = {t.name: t for t in themes}  # later files win, as registering does
    assert by_name["glm-light"].primary == "#123456"
    assert by_name["my-sunset"].variables["footer-key-foreground"] == "#FF8C42"


def test_a_missing_user_folder_is_fine(tmp_path: Path) -> None:
    themes, errors = load_themes(tmp_path / "nowhere")
    assert len(themes) == len(BUNDLED) and errors == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name = 'x'\nprimary = ", "invalid TOML"),
        ('name = "x"\n', "'primary' is missing"),
        ('primary = "#fff"\n', "'name' is missing"),
        ('name = "x"\nprimary = "not-a-colour"\n', "primary is not a colour"),
        ('name = "x"\nprimary = 12\n', "primary must be a colour"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark must be true or false"),
        ('name = "x"\nprimary = "#fff"\nprimay = "#fff"\n', "unknown key 'primay'"),
        ('name = "two words"\nprimary = "#fff"\n', "name must be"),
        ('name = "x"\nprimary = "#fff"\ntext_alpha = 3\n', "text_alpha must be between"),
        ('name = "x"\nprimary = "#fff"\nvariables = 1\n', "variables must be a table"),
        ('name = "x"\nprimary = "#fff"\n[variables]\nborder = "nope"\n', "variables.border"),
        ('name = "x"\nprimary = "#fff"\n[variables]\nno-such = "#fff"\n', "unknown variable"),
        (
            'name = "x"\nprimary = "#fff"\n[variables]\nblock-cursor-text-style = "loud"\n',
            "must be text styles",
        ),
    ],
)
def test_broken_theme_files_are_reported_by_name(tmp_path: Path, text: str, problem: str) -> None:
    path = user_theme(tmp_path, "broken.toml", text)
    with pytest.raises(ThemeError) as info:
        load_theme_file(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)
    assert "\n" not in str(info.value)
    themes, errors = load_themes(path.parent)
    assert len(themes) == len(BUNDLED)
    assert len(errors) == 1 and str(path) in errors[0]


def test_variables_may_use_alpha_references_and_keywords() -> None:
    theme = theme_from_data(
        {
            "name": "ok",
            "primary": "rgb(10, 20, 30)",
            "variables": {
                "border": "$primary 50%",
                "input-selection-background": "#81a1c1 35%",
                "footer-key-background": "transparent",
                "link-style": "bold not underline",
            },
        }
    )
    assert theme.variables["border"] == "$primary 50%"


def test_a_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = user_theme(tmp_path, "latin1.toml", "")
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ThemeError, match="not UTF-8"):
        load_theme_file(path)


# -- in the app ------------------------------------------------------------------------------


async def test_the_app_starts_with_the_default_theme(tui: Tui, tmp_path: Path) -> None:
    async with tui(settings=demo_settings(tmp_path)) as (app, pilot):
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert set(BUNDLED) <= set(app.available_themes)
        assert notifications(app) == []
    assert not (tmp_path / "config" / "config.toml").exists()  # nothing changed, nothing saved


async def test_a_user_theme_can_be_chosen_in_the_settings(tui: Tui, tmp_path: Path) -> None:
    user_theme(tmp_path, "sunset.toml", GOOD_THEME)
    async with tui(settings=demo_settings(tmp_path, theme="my-sunset")) as (app, pilot):
        await pilot.pause()
        assert app.theme == "my-sunset"
        assert app.current_theme.primary == "#FF8C42"


async def test_a_broken_theme_file_is_named_and_the_default_is_used(
    tui: Tui, tmp_path: Path
) -> None:
    broken = user_theme(tmp_path, "broken.toml", 'name = "broken"\nprimary = "#zzzzzz"\n')
    async with tui(settings=demo_settings(tmp_path, theme="broken")) as (app, pilot):
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        messages = notifications(app)
        assert any(str(broken) in m and "primary is not a colour" in m for m in messages)
        assert any("Unknown theme 'broken'" in m for m in messages)
    # The fallback is not saved: fixing the file brings the theme back.
    assert not (tmp_path / "config" / "config.toml").exists()


async def test_a_theme_chosen_in_the_palette_is_remembered(tui: Tui, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    async with tui(settings=settings) as (app, pilot):
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: CommandPalette.is_open(app), what="the palette")
        await pilot.press(*"theme")
        await wait_until(pilot, lambda: _highlighted(app) == "Theme", what="the Theme command")
        await pilot.press("enter")
        await wait_until(pilot, lambda: CommandPalette.is_open(app), what="the theme list")
        await pilot.press(*"nord-night")
        await wait_until(pilot, lambda: _highlighted(app) == "nord-night", what="nord-night")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "nord-night", what="the new theme")
    config = settings.config_path
    assert tomllib.loads(config.read_text())["theme"] == "nord-night"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600

    # A restart with the same config file starts with that theme.
    again = load_settings({"config_path": config, "demo": True}, env={})
    assert again.theme == "nord-night"
    async with tui(settings=again.with_values(db_path=tmp_path / "history.db")) as (app, pilot):
        await pilot.pause()
        assert app.theme == "nord-night"


def _highlighted(app: GLMApp) -> str | None:
    from textual.command import CommandList

    if not CommandPalette.is_open(app):
        return None
    options = app.screen.query_one(CommandList)
    index = options.highlighted
    if index is None or index >= options.option_count:
        return None
    return options.get_option_at_index(index).hit.text  # type: ignore[attr-defined]


# -- snapshots of each bundled theme ---------------------------------------------------------

REPLY = """Here is a small **context manager**:

```python
from contextlib import contextmanager

@contextmanager
def opened(path):
    handle = open(path, encoding="utf-8")
    try:
        yield handle
    finally:
        handle.close()
```

It closes the file even when the block raises.
"""


def themed_app(tmp_path: Path, theme: str) -> GLMApp:
    store = Store.open(tmp_path / "history.db")
    seed_conversation(
        store, "Plan a trip to Kyoto", [("c", "d", None)], updated_at="2024-03-12T09:00:00Z"
    )
    cid = seed_conversation(
        store,
        "Context managers in Python",
        [("How do I write a context manager?", REPLY, "The user wants an example.")],
        updated_at="2024-03-14T14:30:00Z",
    )
    app = create_app(demo_settings(tmp_path, theme=theme), store=store, now=fixed_clock)

    async def show() -> None:
        await app.main.open_conversation(cid)

    app.call_after_refresh(show)
    return app


@pytest.mark.parametrize("theme", BUNDLED)
def test_theme_snapshot(tmp_path: Path, snap_compare: Any, theme: str) -> None:
    app = themed_app(tmp_path, theme)

    async def settle(pilot: Any) -> None:
        await wait_until(pilot, lambda: app.session.current_id is not None, what="the conversation")
        await pilot.pause()
        await started(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)
    finally:
        app.session.store.close()


LISTS = """Bullets, numbers and both nested:

- a **first** item that is long enough to wrap onto a second line of the pane when it is narrow
- a second one, with `code` in it
  - nested once
    - nested twice
-
- after an empty item

8. eight
9. nine
10. ten: a cell wider than the numbers before
11. eleven, with a fence:

    ```python
    print("in a list")
    ```

Done.
"""


@pytest.mark.parametrize("theme", ["glm-dark", "glm-light"])
def test_lists_snapshot(tmp_path: Path, snap_compare: Any, theme: str) -> None:
    """A list's bullets (drawn by each item's row: their colours, widths and places)."""
    store = Store.open(tmp_path / "history.db")
    cid = seed_conversation(
        store, "Lists", [("Lists?", LISTS, None)], updated_at="2024-03-14T14:30:00Z"
    )
    app = create_app(demo_settings(tmp_path, theme=theme), store=store, now=fixed_clock)

    async def show() -> None:
        await app.main.open_conversation(cid)

    app.call_after_refresh(show)

    async def settle(pilot: Any) -> None:
        await wait_until(pilot, lambda: app.session.current_id is not None, what="the conversation")
        await pilot.pause()
        await started(pilot)

    try:
        assert snap_compare(app, terminal_size=(90, 34), run_before=settle)
    finally:
        store.close()
