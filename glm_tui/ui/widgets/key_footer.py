"""The footer: the keys of the screen's active bindings, as one line of Content.

Textual's ``Footer`` mounts a widget per key (each styled by the CSS engine, then restyled and
recomposed whenever the bindings change); with our ten or so keys that was a third of the time
to the first screen. This widget shows the same thing (the same order, groups, disabled keys and
the command palette key on the right) as one line, rebuilt only when the bindings change. Keys
can still be clicked, and the one under the mouse is highlighted and gives its tooltip.

Unlike ``Footer``, a line too narrow for its keys leaves out whole keys from the end (never part
of one), but the keys it is told to keep (F1) and the palette key stay while there is room.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import NamedTuple

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.style import Style as VisualStyle
from textual.widget import Widget

from glm_tui.ui import keys

PAD = " "


def _keys_of(binding: Binding | tuple[str, ...]) -> list[str]:
    key = binding.key if isinstance(binding, Binding) else binding[0]
    return [k.strip() for k in key.split(",")]


class KeySpan(NamedTuple):
    """Where one key is on the line, and what clicking it does."""

    start: int
    end: int
    place: int
    """The key's place among the keys shown."""
    key: str
    enabled: bool
    tooltip: str


class _Piece(NamedTuple):
    """A run of text and its style: a component class (".key-footer--key"), "" for the
    footer's own, or a style (the label of a group takes the descriptions' colours)."""

    text: str
    style: str = ""
    key: int | None = None
    """The index of the key this piece belongs to (for the mouse)."""


class KeyFooter(Widget, can_focus=False):
    """One line at the bottom: the keys of the active bindings, like Textual's ``Footer``."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(
        self,
        *,
        show_command_palette: bool = True,
        keep: tuple[str, ...] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self.keep = keep
        """Keys left out last when the line is too narrow (after the palette's description)."""
        self._left: list[list[_Piece]] | None = None
        """The pieces of each key (or group of keys) on the left, in order."""
        self._right: list[_Piece] = []
        self._keys: list[tuple[str, bool, str]] = []
        """(key, enabled, tooltip) of each key shown, indexed by ``_Piece.key``."""
        self._spans: list[KeySpan] = []
        self._hover: int | None = None
        self._displays: dict[Binding, str] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh_keys()

    def refresh_keys(self) -> None:
        """Collect the keys again (the bindings changed, or a dialog came or went)."""
        self._left = None
        self._hover = None
        self.refresh()

    # -- what is shown --------------------------------------------------------------------------

    def _key_display(self, binding: Binding) -> str:
        display = self._displays.get(binding)
        if display is None:
            display = self._displays[binding] = self.app.get_key_display(binding)
        return display

    def _add_key(self, binding: Binding, enabled: bool, tooltip: str) -> int:
        self._keys.append((binding.key, enabled, tooltip))
        return len(self._keys) - 1

    def _collect(self) -> None:
        """The pieces of the line, from the screen's active bindings (as ``Footer.compose``)."""
        app = self.app
        self._keys = []
        left: list[list[_Piece]] = []
        active = self.screen.active_bindings
        # Under a dialog, the screen's own keys do nothing: only the app's are shown.
        under_dialog = not self.screen.is_active
        app_bindings = keys.table_of(self).bindings("app")
        app_keys = {key for binding in app_bindings for key in _keys_of(binding)}
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for key, (_node, binding, enabled, tooltip) in active.items():
            if binding.show and not (under_dialog and key not in app_keys):
                # The keys of one action are shown once, unless the action has a group: a
                # group shows each of its keys (Ctrl+B and Ctrl+L, both the sidebar's).
                place = binding.action if binding.group is None else f"{binding.action} {key}"
                by_action[place].append((binding, enabled, tooltip))
        for group, runs in groupby(by_action.values(), lambda run: run[0][0].group):
            multi = list(runs)
            if group is not None and len(multi) > 1:
                # Footer's KeyGroup: the keys alone, side by side when compact, else one space
                # apart (their margins collapse); then the group's description.
                unit = [_Piece(PAD)]
                for number, (binding, enabled, _tooltip) in enumerate(run[0] for run in multi):
                    if number and not group.compact:
                        unit.append(_Piece(PAD))
                    index = self._add_key(binding, enabled, binding.description)
                    unit.append(_Piece(self._key_display(binding), "key-footer--key", index))
                unit += [_Piece(PAD), _Piece(group.description, "key-footer--description")]
                unit.append(_Piece(PAD))
                left.append(unit)
                continue
            for binding, enabled, tooltip in (run[0] for run in multi):
                left.append(self._key_pieces(binding, enabled, tooltip, compact=False))
        self._left = left
        self._right = []
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            palette = active.get(app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, _tooltip = palette
                tooltip = binding.tooltip or binding.description
                self._right = [
                    _Piece("▏", "key-footer--separator"),
                    *self._key_pieces(binding, enabled, tooltip, compact=True),
                    _Piece(PAD),
                ]

    def _kept(self, unit: list[_Piece]) -> bool:
        return any(p.key is not None and self._keys[p.key][0] in self.keep for p in unit)

    def _fit(self, width: int) -> tuple[list[_Piece], list[_Piece]]:
        """The pieces that fit in ``width`` cells: whole keys are left out from the end, then
        the palette's description, the kept keys, and at last the palette key itself."""
        units = list(self._left or [])
        right = self._right

        def length(pieces: list[_Piece]) -> int:
            return sum(Content(piece.text).cell_length for piece in pieces)

        def total() -> int:
            return sum(length(unit) for unit in units) + length(right)

        for unit in reversed(list(units)):
            if total() <= width:
                break
            if not self._kept(unit):
                units.remove(unit)
        if total() > width and len(right) > 3:
            right = [right[0], right[1], right[-1]]  # "▏^p " without "palette"
        while units and total() > width:
            units.pop()
        if total() > width:
            right = []
        return [piece for unit in units for piece in unit], right

    def _key_pieces(
        self, binding: Binding, enabled: bool, tooltip: str, *, compact: bool
    ) -> list[_Piece]:
        index = self._add_key(binding, enabled, tooltip)
        key = self._key_display(binding)
        if not binding.description:
            return [_Piece(key, "key-footer--key", index)]
        if compact:
            return [
                _Piece(key, "key-footer--key", index),
                _Piece(f" {binding.description}", "key-footer--description", index),
            ]
        return [
            _Piece(f" {key} ", "key-footer--key", index),
            _Piece(f"{binding.description} ", "key-footer--description", index),
        ]

    def _content(self, pieces: list[_Piece], offset: int) -> tuple[Content, list[KeySpan]]:
        parts: list[tuple[str, object] | str] = []
        spans: list[KeySpan] = []
        x = offset
        for piece in pieces:
            width = Content(piece.text).cell_length
            if piece.key is None:
                parts.append((piece.text, self._style(piece.style)) if piece.style else piece.text)
            else:
                key, enabled, tooltip = self._keys[piece.key]
                hover = piece.key == self._hover
                parts.append((piece.text, self._style(piece.style, hover, enabled)))
                if spans and spans[-1].place == piece.key:
                    spans[-1] = spans[-1]._replace(end=x + width)
                else:
                    spans.append(KeySpan(x, x + width, piece.key, key, enabled, tooltip))
            x += width
        return Content.assemble(*parts), spans  # type: ignore[arg-type]

    def _style(self, name: str, hover: bool = False, enabled: bool = True) -> VisualStyle:
        style = self.get_visual_style(name, partial=True)
        if hover:  # as FooterKey:hover, under the key's own colours
            style = VisualStyle.parse("on $block-hover-background") + style
        if not enabled:  # as FooterKey.-disabled
            style += VisualStyle(dim=True)
        return style

    def render(self) -> Content:
        if self._left is None:
            self._collect()
        width = self.size.width
        left_pieces, right_pieces = self._fit(width)
        right, right_spans = self._content(right_pieces, 0)
        left, left_spans = self._content(left_pieces, 0)
        left = left.truncate(max(0, width - right.cell_length), pad=True)
        offset = left.cell_length
        self._spans = left_spans
        self._spans += [s._replace(start=s.start + offset, end=s.end + offset) for s in right_spans]
        return Content.assemble(left, right)

    # -- the mouse ------------------------------------------------------------------------------

    @property
    def key_spans(self) -> list[KeySpan]:
        """The keys on the line as last rendered (for the mouse, and the tests)."""
        return list(self._spans)

    def _span_at(self, x: int) -> KeySpan | None:
        return next((s for s in self._spans if s.start <= x < s.end), None)

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.tooltip = self._keys[index][2] or None if index is not None else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        span = self._span_at(event.x)
        self._set_hover(None if span is None else span.place)

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        span = self._span_at(event.x)
        if span is None:
            return
        event.stop()
        if span.enabled:
            self.app.simulate_key(span.key)
        else:
            self.app.bell()
