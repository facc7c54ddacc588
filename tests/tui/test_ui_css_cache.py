"""Textual's parsed stylesheet kept between starts (ui/textual_private/css_cache.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import textual.css.stylesheet as textual_stylesheet
from textual.css.stylesheet import Stylesheet

from glm_tui.store import Store
from glm_tui.ui.textual_private import css_cache
from tests.app_fixture import Tui
from tests.ui_helpers import screen_text, seed_conversation, shows, wait_until

CSS = """
Screen { background: $surface; }
.note { color: $text-muted; padding: 0 1; }
#title { text-style: bold; border: round $primary; }
"""
DARK = {"surface": "#101010", "text-muted": "#808080", "primary": "#3060ff"}
LIGHT = {"surface": "#f0f0f0", "text-muted": "#606060", "primary": "#2040c0"}


@pytest.fixture
def cache_path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cache" / css_cache.FILE_NAME
    css_cache.uninstall()


def stylesheet(variables: dict[str, str], css: str = CSS) -> Stylesheet:
    sheet = Stylesheet(variables=variables)
    sheet.add_source(css, read_from=("test.tcss", ""))
    sheet.parse()
    return sheet


def css_of(sheet: Stylesheet) -> str:
    return "\n".join(rule.css for rule in sheet.rules)


def rules_of(sheet: Stylesheet) -> list[tuple[str, str, list[str]]]:
    """Each rule's selectors, properties and !important ones (a set: its order is not the
    rule's)."""
    return [
        (
            rule.selectors,
            repr(sorted(rule.styles.get_rules().items())),
            sorted(rule.styles.important),
        )
        for rule in sheet.rules
    ]


class Parses:
    """Counts the parses Textual itself makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        parse = textual_stylesheet.parse

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return parse(*args, **kwargs)

        monkeypatch.setattr(textual_stylesheet, "parse", counted)


def test_a_later_start_reads_the_rules_instead_of_parsing(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    css_cache.install(cache_path)
    first = stylesheet(DARK)
    assert parses.count == 1
    css_cache.save_active()
    assert stat.S_IMODE(os.stat(cache_path).st_mode) == 0o600
    css_cache.uninstall()

    later = css_cache.install(cache_path)  # the next start
    again = stylesheet(DARK)
    assert parses.count == 1 and later.hits == 1
    assert css_of(again) == css_of(first) != ""
    # Each stylesheet has its own rule objects (a reparse never shares them).
    assert not set(map(id, again.rules)) & set(map(id, first.rules))
    later.save()  # nothing new: not written again
    assert not later.added


def test_each_theme_has_its_own_rules(cache_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    css_cache.install(cache_path)
    dark = css_of(stylesheet(DARK))
    css_cache.save_active()
    css_cache.uninstall()
    css_cache.install(cache_path)
    light = css_of(stylesheet(LIGHT))
    assert parses.count == 2 and "#2040c0" in light.lower() and light != dark
    assert css_of(stylesheet(DARK)) == dark and parses.count == 2
    changed = css_of(stylesheet(DARK, CSS.replace("bold", "italic")))
    assert parses.count == 3 and "italic" in changed


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05\x95\xff\xff\xff\xff"],
    ids=["empty", "text", "another-shape", "cut-short"],
)
def test_a_damaged_file_is_parsed_afresh_and_replaced(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(content)
    parses = Parses(monkeypatch)
    cache = css_cache.install(cache_path)
    assert css_of(stylesheet(DARK)) != "" and parses.count == 1
    cache.save()
    css_cache.uninstall()
    assert css_cache.install(cache_path).held != {}


def test_another_versions_file_is_ignored(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    css_cache.install(cache_path)
    stylesheet(DARK)
    css_cache.save_active()
    css_cache.uninstall()
    monkeypatch.setattr(css_cache, "version_key", lambda: ("another Textual",))
    parses = Parses(monkeypatch)
    css_cache.install(cache_path)
    stylesheet(DARK)
    assert parses.count == 1


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    try:
        cache = css_cache.install(blocked / css_cache.FILE_NAME)
        stylesheet(DARK)
        cache.save()  # its directory would be inside a file
        assert cache.added
    finally:
        css_cache.uninstall()


async def test_the_app_keeps_its_stylesheet_after_the_first_frame_and_looks_the_same(
    tui: Tui, store: Store, cache_path: Path
) -> None:
    seed_conversation(
        store, "Styled", [("Hello", "A **reply**.", None)], updated_at="2024-03-14T10:00:00Z"
    )
    css_cache.install(cache_path)
    async with tui() as (app, pilot):
        await wait_until(pilot, cache_path.exists, what="the cache written")
        await shows(pilot, "Styled")
        parsed = screen_text(app)
        parsed_styles = rules_of(app.stylesheet)
    css_cache.uninstall()
    later = css_cache.install(cache_path)
    async with tui() as (app, pilot):
        await shows(pilot, "Styled")
        assert later.hits > 0
        assert rules_of(app.stylesheet) == parsed_styles
        assert screen_text(app) == parsed


async def test_what_is_first_parsed_after_the_first_frame_is_kept_soon(
    tui: Tui, store: Store, cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reply's blocks and the dialogs are first shown after the first frame: an app whose
    # terminal is closed never reaches its end to write them.
    monkeypatch.setattr(css_cache, "SAVE_DELAY", 0.01)
    cache = css_cache.install(cache_path)
    async with tui() as (app, pilot):
        await wait_until(pilot, cache_path.exists, what="the cache written")
        await wait_until(pilot, lambda: not cache.added, what="the first frame's parse written")
        app.stylesheet.add_source(".later { color: red; }", read_from=("later.tcss", ""))
        app.stylesheet.parse()
        assert cache.added
        await wait_until(pilot, lambda: not cache.added, what="the later parse written")
    css_cache.uninstall()
    assert any(
        "later.tcss" in key[1]
        for entries in css_cache.install(cache_path).held.values()
        for key in entries
    )
