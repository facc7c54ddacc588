"""The completion list of slash commands, above the composer while its text is ``/`` and the
start of a name: each command (and each prompt of the library) with its one-line help.

The composer hands it its keys while it is shown: Up / Down move in it, Tab completes the
highlighted command, Enter completes it too (or, once the name is whole, lets the line run),
Escape puts it away until the text changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from glm_tui.slash import SlashCommand

SHOWN_AT_MOST = 8
"""Lines of the list before it scrolls."""
KEYS = frozenset({"tab", "enter", "up", "down", "escape"})


def command_line(command: SlashCommand) -> Content:
    """``/model NAME  The model of this conversation``; a prompt says it is one."""
    kind = "  (prompt)" if command.is_prompt else ""
    return Content.assemble(
        (command.usage, "bold"), "  ", (command.help, "dim"), (kind, "dim italic")
    )


class SlashList(OptionList, can_focus=False):
    DEFAULT_CSS = f"""
    SlashList {{
        display: none;
        height: auto;
        max-height: {SHOWN_AT_MOST + 2};
        border: round $primary 50%;
        padding: 0 1;
        background: $surface;
    }}
    SlashList.-shown {{
        display: block;
    }}
    """

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, markup=False)
        self.commands: list[SlashCommand] = []
        self.dismissed: str | None = None
        """The text Escape put the list away for (it comes back when the text changes)."""

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    def show_for(self, text: str, commands: Sequence[SlashCommand]) -> None:
        """List ``commands`` for the composer's ``text`` (none, or put away: hidden)."""
        if text != self.dismissed:
            self.dismissed = None
        wanted = list(commands) if self.dismissed is None else []
        if [c.name for c in wanted] != [c.name for c in self.commands]:
            self.commands = wanted
            self.set_options(Option(command_line(c), id=c.name) for c in wanted)
            if wanted:
                self.highlighted = 0
        self.set_class(bool(wanted), "-shown")

    def hide(self, text: str) -> None:
        self.dismissed = text
        self.show_for(text, [])

    @property
    def chosen(self) -> SlashCommand | None:
        if not self.commands or self.highlighted is None:
            return None
        return self.commands[min(self.highlighted, len(self.commands) - 1)]

    def move(self, step: int) -> None:
        if self.commands:
            now = self.highlighted if self.highlighted is not None else 0
            self.highlighted = (now + step) % len(self.commands)
