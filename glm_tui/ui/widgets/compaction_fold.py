"""The fold at the top of a compacted conversation: "12 earlier messages summarised".

The messages a compaction stands for stay in the history; the pane folds them behind this line.
Enter (or a click) on it opens the fold: the summary sent in their place, then the messages
themselves (the pane mounts them below it); Enter again folds them.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import Static

from glm_tui.records import record
from glm_tui.store import Message
from glm_tui.store.compactions import Compaction
from glm_tui.ui import keys


class CompactionFold(Static, can_focus=True):
    """The folded messages of ``compaction`` (``folded``: those of the branch shown)."""

    BINDINGS = keys.bindings("fold")

    @record(frozen=False, slots=False)
    class Toggled(TextualMessage):
        fold: CompactionFold

    def __init__(self, compaction: Compaction, folded: Sequence[Message]) -> None:
        super().__init__(classes="compaction-fold")
        self.compaction = compaction
        self.folded = list(folded)
        self.open = False
        self._render_text()

    def _render_text(self) -> None:
        count = len(self.folded)
        noun = "message" if count == 1 else "messages"
        if self.open:
            self.update(
                Content.assemble(
                    (f"▾ {count} earlier {noun} summarised", "bold"),
                    ("  (Enter: fold them)\n\nThe summary sent in their place:\n", "$text-muted"),
                    self.compaction.summary,
                )
            )
        else:
            self.update(
                Content.assemble(
                    (f"▸ {count} earlier {noun} summarised", "bold"),
                    ("  (Enter: show them)", "$text-muted"),
                )
            )

    def set_open(self, open: bool) -> None:
        self.open = open
        self._render_text()

    def action_toggle_fold(self) -> None:
        self.post_message(self.Toggled(self))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_toggle_fold()
