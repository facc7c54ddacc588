"""The ``@`` completion list above the composer: paths under the working directory.

It never takes the focus: the composer keeps it and hands the list its keys while it shows
(Up / Down move, Tab or Enter choose, Escape closes; ``mention_completion.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from glm_tui.attachments import PathCandidate


def candidate_text(candidate: PathCandidate) -> Content:
    """The path, its matched characters highlighted; a folder's ``/`` dimmed. Paths are plain
    text (a file may be called ``[b]``)."""
    content = Content(candidate.path)
    for position in candidate.positions:
        if 0 <= position < len(candidate.path):
            content = content.stylize("bold $text-accent", position, position + 1)
    if candidate.is_dir:
        content = content.stylize("$text-muted", len(candidate.path) - 1, len(candidate.path))
    return content


class PathCompletion(OptionList, can_focus=False):
    """The candidates for the ``@path`` being typed; hidden when there are none."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, markup=False)
        self.candidates: list[PathCandidate] = []
        self.display = False

    def show(self, candidates: Sequence[PathCandidate]) -> None:
        self.candidates = list(candidates)
        self.set_options(Option(candidate_text(c)) for c in self.candidates)
        self.display = bool(self.candidates)
        if self.candidates:
            self.highlighted = 0

    def hide(self) -> None:
        self.display = False
        self.candidates = []
        self.clear_options()

    @property
    def choice(self) -> PathCandidate | None:
        index = self.highlighted
        if not self.display or index is None or not 0 <= index < len(self.candidates):
            return None
        return self.candidates[index]

    def move(self, step: int) -> None:
        if step < 0:
            self.action_cursor_up()
        else:
            self.action_cursor_down()
