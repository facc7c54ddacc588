"""The keys of a selected message, and its role line with the branch indicator (``‹ 2/3 ›``).

Both message widgets (prompt and reply) take their keys from :class:`MessageActions`, so the
footer lists the same actions in the same order whichever is selected. The widget only says what
the user asked for (a :class:`MessageActions.Requested` message); the app does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import events
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widget import Widget
from textual.widgets import Static

from glm_tui.store import Message
from glm_tui.ui import keys

RequestKind = Literal["edit", "fork", "branch", "reply", "attachments"]


def branch_text(branch: tuple[int, int] | None) -> str:
    """``‹ 2/3 ›`` for the second of three siblings; "" for a message without siblings."""
    if branch is None or branch[1] < 2:
        return ""
    return f"‹ {branch[0]}/{branch[1]} ›"


class RoleLine(Static):
    """The role ("You" or the model), then the branch indicator, whose ‹ and › can be clicked."""

    GAP = 2

    def __init__(self, name: str, branch: tuple[int, int] | None = None) -> None:
        super().__init__(Content(name), classes="role")
        self.role_name = name
        self.branch: tuple[int, int] | None = None
        self.set_branch(branch)

    def set_branch(self, branch: tuple[int, int] | None) -> None:
        self.branch = branch
        indicator = branch_text(branch)
        if indicator:
            # "not reverse": the cursor reverses the role line, and only the name should turn.
            self.update(
                Content.assemble(
                    self.role_name,
                    (" " * self.GAP, "not reverse"),
                    (indicator, "not bold not reverse $text-muted"),
                )
            )
        else:
            self.update(Content(self.role_name))

    def on_click(self, event: events.Click) -> None:
        indicator = branch_text(self.branch)
        if not indicator:
            return
        start = Content(self.role_name).cell_length + self.GAP
        end = start + len(indicator)
        step = -1 if start <= event.x < start + 2 else 1 if end - 2 <= event.x < end else 0
        owner = next((a for a in self.ancestors if isinstance(a, MessageActions)), None)
        if step and owner is not None:
            event.stop()
            owner.post_message(MessageActions.Requested("branch", owner.message.id, step))


class MessageActions(Widget):
    """Keys shared by the prompt and the reply widgets (mixed in before their container)."""

    BINDINGS = keys.bindings("message")

    @dataclass
    class Requested(TextualMessage):
        """The user asked for an action on this message (the app carries it out)."""

        kind: RequestKind
        message_id: int
        step: int = 0
        """For "branch": -1 the previous sibling, +1 the next."""

    message: Message
    branch: tuple[int, int] | None = None
    """(place among the siblings, how many) when the message has siblings."""

    def role_line(self, name: str) -> RoleLine:
        """The first line of the message, for ``compose``."""
        return RoleLine(name, self.branch)

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

    def action_open_attachments(self) -> None:
        self.request("attachments")
