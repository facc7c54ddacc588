"""KeyFooter: the same line as Textual's Footer (keys, groups, disabled keys, the palette key),
rebuilt when the bindings change; keys can be clicked and show a tooltip under the mouse."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer, Input

from glm_tui.ui.widgets.key_footer import KeyFooter

SIZE = (100, 6)
_PAIR = Binding.Group("Pair", compact=True)
_LOOSE = Binding.Group("Loose")


class Keys(Widget, can_focus=True):
    """A focusable widget with its own keys: shown only while it has the focus."""

    DEFAULT_CSS = "Keys { height: 1; }"
    BINDINGS = [
        Binding("c", "copy", "Copy"),
        Binding("left_square_bracket", "step(-1)", "Back", group=_PAIR),
        Binding("right_square_bracket", "step(1)", "On", group=_PAIR),
        Binding("k", "secret", "Secret", show=False),
    ]

    def action_copy(self) -> None: ...

    def action_step(self, step: int) -> None: ...


class Demo(App[None]):
    BINDINGS = [
        Binding("ctrl+n", "new", "New"),
        Binding("ctrl+o", "new", "New again"),  # same action: shown once, as Footer does
        Binding("f2", "rename", "Rename"),
        Binding("f5", "reload", "Reload"),
        Binding("x", "loose(1)", "One", group=_LOOSE),
        Binding("y", "loose(2)", "Two", group=_LOOSE),
        Binding("ctrl+q", "quit", "Quit", tooltip="Leave"),
    ]

    def __init__(self, footer: type[Widget]) -> None:
        super().__init__()
        self.footer = footer
        self.done: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield Keys(id="keys")
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rename":
            return None  # shown, disabled
        return action != "reload"  # False: hidden

    def action_new(self) -> None:
        self.done.append("new")

    def action_rename(self) -> None:
        self.done.append("rename")

    def action_loose(self, n: int) -> None:
        self.done.append(f"loose {n}")


def last_row(app: App[Any]) -> list[tuple[str, bool, bool]]:
    """The bottom line, cell by cell: (character, bold, dim)."""
    strip = app.screen._compositor.render_strips()[-1]
    cells: list[tuple[str, bool, bool]] = []
    for segment in strip:
        style = segment.style
        for char in segment.text:
            cells.append((char, bool(style and style.bold), bool(style and style.dim)))
    return cells


def text(cells: list[tuple[str, bool, bool]]) -> str:
    return "".join(char for char, _bold, _dim in cells)


async def footer_rows(focus: str | None, size: tuple[int, int] = SIZE) -> list[list[Any]]:
    rows = []
    for footer in (Footer, KeyFooter):
        app = Demo(footer)
        async with app.run_test(size=size) as pilot:
            if focus:
                app.query_one(focus).focus()
            await pilot.pause()
            await pilot.pause()
            rows.append(last_row(app))
    return rows


@pytest.mark.parametrize("focus", [None, "#keys"])
async def test_the_same_line_as_textuals_footer(focus: str | None) -> None:
    theirs, ours = await footer_rows(focus, (100, 6))
    assert text(ours) == text(theirs)
    assert ours == theirs  # the same bold keys and dim (disabled) keys, cell by cell
    assert "^n New" in text(ours) and "New again" not in text(ours)
    assert "f2 Rename" in text(ours) and "Reload" not in text(ours)
    assert "^p palette" in text(ours)
    assert ("[] Pair" in text(ours)) == (focus == "#keys")
    assert (" x y Loose" in text(ours)) == (focus == "#keys")


FULL_LINE = " c Copy  [] Pair  ^q Quit  ^n New  f2 Rename  x y Loose "


async def test_keys_that_do_not_fit_are_left_out_whole() -> None:
    """Narrower than its keys, the line leaves out whole keys from the end, never part of one;
    the kept key (^q) and the palette key stay as long as there is room for them."""
    app = Demo(lambda: KeyFooter(keep=("ctrl+q",)))
    full = [piece.strip() for piece in FULL_LINE.split("  ")]
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#keys").focus()
        footer = app.query_one(KeyFooter)
        for width in range(100, 0, -2):  # every other width: a cut word shows at any
            footer.styles.width = width
            await pilot.pause()
            line = text(last_row(app))[:width]
            left, _bar, right = line.partition("▏")
            assert right.strip() in ("^p palette", "^p", ""), line
            shown = [piece.strip() for piece in left.split("  ") if piece.strip()]
            assert shown == [piece for piece in full if piece in shown], line  # whole, in order
            if width >= len(" ^q Quit ") + len("▏^p palette "):
                assert "^q Quit" in line and "^p palette" in line, line
            if width >= len(FULL_LINE) + len("▏^p palette "):
                assert left.rstrip() == FULL_LINE.rstrip()
            assert all(span.end <= width for span in footer.key_spans)
