"""The keys of a selected message, and its role line with the branch indicator (``‹ 2/3 ›``).

Both message widgets (prompt and reply) take their keys from :class:`MessageActions`, so the
footer lists the same actions in the same order whichever is selected. The widget only says what
the user asked for (a :class:`MessageActions.Requested` message); the app does it.
"""

from __future__ import annotations

from typing import Any, Literal

from textual import events
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widget import Widget
from textual.widgets import Static

from glm_tui.records import record
from glm_tui.store import MatchHighlight, Message
from glm_tui.ui import keys
from glm_tui.ui.textual_private import QuietResize

RequestKind = Literal["edit", "fork", "branch", "reply", "bookmark", "attachments"]
HIT_STYLE = "bold reverse $text-accent"
"""The words a search matched, in the message it opened."""
BOOKMARK_MARK = "★ "
"""Before the role of a bookmarked message."""


def branch_text(branch: tuple[int, int] | None) -> str:
    """``‹ 2/3 ›`` for the second of three siblings; "" for a message without siblings."""
    if branch is None or branch[1] < 2:
        return ""
    return f"‹ {branch[0]}/{branch[1]} ›"


class RoleLine(QuietResize, Static):
    """The role ("You" or the model), then the branch indicator, whose ‹ and › can be clicked."""

    GAP = 2

    def __init__(
        self, name: str, branch: tuple[int, int] | None = None, bookmarked: bool = False
    ) -> None:
        super().__init__(Content(name), classes="role")
        self.role_name = name
        self.bookmarked = bookmarked
        self.branch: tuple[int, int] | None = None
        self.set_branch(branch)

    def _label(self) -> Content:
        if self.bookmarked:
            return Content.assemble((BOOKMARK_MARK, "$text-warning"), self.role_name)
        return Content(self.role_name)

    def set_bookmarked(self, bookmarked: bool) -> None:
        self.bookmarked = bookmarked
        self.set_branch(self.branch)

    def set_branch(self, branch: tuple[int, int] | None) -> None:
        self.branch = branch
        indicator = branch_text(branch)
        if indicator:
            # "not reverse": the cursor reverses the role line, and only the name should turn.
            self.update(
                Content.assemble(
                    self._label(),
                    (" " * self.GAP, "not reverse"),
                    (indicator, "not bold not reverse $text-muted"),
                )
            )
        else:
            self.update(self._label())

    def on_click(self, event: events.Click) -> None:
        indicator = branch_text(self.branch)
        if not indicator:
            return
        start = self._label().cell_length + self.GAP
        end = start + len(indicator)
        step = -1 if start <= event.x < start + 2 else 1 if end - 2 <= event.x < end else 0
        owner = next((a for a in self.ancestors if isinstance(a, MessageActions)), None)
        if step and owner is not None:
            event.stop()
            owner.post_message(MessageActions.Requested("branch", owner.message.id, step))


class MessageActions(Widget):
    """Keys shared by the prompt and the reply widgets (mixed in before their container)."""

    BINDINGS = keys.bindings("message")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys.install(self, "message")

    @record(frozen=False, slots=False)
    class Requested(TextualMessage):
        """The user asked for an action on this message (the app carries it out)."""

        kind: RequestKind
        message_id: int
        step: int = 0
        """For "branch": -1 the previous sibling, +1 the next."""

    message: Message
    branch: tuple[int, int] | None = None
    """(place among the siblings, how many) when the message has siblings."""
    bookmarked: bool = False

    def role_line(self, name: str) -> RoleLine:
        """The first line of the message, for ``compose``."""
        return RoleLine(name, self.branch, self.bookmarked)

    def show_match(self, highlight: MatchHighlight) -> None:
        """A search hit opened here: the words it matched, highlighted under the role line (a
        prompt highlights them in its text too)."""
        words: list[tuple[str, str] | str] = []
        for term in highlight.terms:
            words += [" · " if words else "", (term, HIT_STYLE)]
        in_thinking = bool(highlight.reasoning_spans) and not highlight.content_spans
        line = Content.assemble(
            ("Found: ", "dim"), *words, (" (in its thinking)" if in_thinking else "", "dim")
        )
        self.add_class("-hit")
        for old in self.query(".match-line"):
            old.remove()
        roles = self.query(RoleLine)
        if roles:
            self.mount(Static(line, classes="match-line"), after=roles.first())

    def set_bookmarked(self, bookmarked: bool) -> None:
        self.bookmarked = bookmarked
        self.set_class(bookmarked, "-bookmarked")
        for line in self.query(RoleLine):
            line.set_bookmarked(bookmarked)

    def set_branch(self, branch: tuple[int, int] | None) -> None:
        self.branch = branch
        for line in self.query(RoleLine):
            line.set_branch(self.branch)
        if self.is_mounted:
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.message.role == "user"
        if action == "copy_code":
            return self.message.role == "assistant"
        if action == "branch":
            return bool(branch_text(self.branch))
        if action == "open_attachments":
            return bool(self.message.attachments)
        return True

    def request(self, kind: RequestKind, step: int = 0) -> None:
        self.post_message(self.Requested(kind, self.message.id, step))

    def action_edit(self) -> None:
        self.request("edit")

    def action_fork(self) -> None:
        self.request("fork")

    def action_branch(self, step: int) -> None:
        self.request("branch", step)

    def action_bookmark(self) -> None:
        self.request("bookmark")

    def action_open_attachments(self) -> None:
        self.request("attachments")
