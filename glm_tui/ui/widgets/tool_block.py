"""A tool call in a reply: a collapsible block (the tool, its source, how it went, how long it
took); opened, the arguments it ran with and its result, as literal text.

A block is made from a live call (``LiveToolCall``: the turn being written) or from the saved
rows (the reply's ``ToolCall`` and its result's ``tool`` message), so that a conversation
reopened shows its calls as they were.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Collapsible, Static

from glm_tui.api.events import ToolCall
from glm_tui.records import record
from glm_tui.session.live import LiveToolCall
from glm_tui.store import Message
from glm_tui.terminal_text import strip_controls
from glm_tui.tools.approval import arguments_for_reading
from glm_tui.tools.spec import BUILT_IN
from glm_tui.ui.formatting import duration_text

SHOWN_RESULT = 20_000
"""Characters of a result the opened block shows (the whole of it is saved and sent)."""

# How a call went, in words, and the style of those words.
_ENDED = {
    "ok": ("done", "$text-success"),
    "error": ("failed", "$text-error"),
    "denied": ("denied", "$text-warning"),
    "timed_out": ("timed out", "$text-error"),
    "cancelled": ("cancelled", "$text-warning"),
}


def source_of(name: str) -> str:
    """The source of a saved call, from the name it was offered by: ``SERVER__tool`` is an MCP
    server's tool (the server's name as offered), a name without ``__`` a built-in one."""
    server, found, _ = name.partition("__")
    return server if found and server else BUILT_IN


@record
class CallView:
    """What a block shows of one call."""

    call_id: str
    name: str
    source: str
    arguments: str
    status: str
    """In words: waiting for approval, running…, done, denied, failed..."""
    style: str
    result: str | None
    """The result as the model got it (None: none yet)."""
    duration: float | None = None


def view_of_live(call: LiveToolCall) -> CallView:
    """A call of the turn being written."""
    row = call.message
    name, source = call.call.name, call.source
    arguments = call.arguments or call.call.arguments
    if row is not None:
        return _view_of_row(call.call.id, name, source, arguments, row)
    if call.problem is not None:
        return CallView(call.call.id, name, source, arguments, "not run", "$text-error", None)
    if call.verdict == "deny":
        return CallView(call.call.id, name, source, arguments, "denied", "$text-warning", None)
    if call.verdict is not None:
        return CallView(call.call.id, name, source, arguments, "allowed", "$accent", None)
    if call.policy == "always":
        return CallView(call.call.id, name, source, arguments, "allowed always", "$accent", None)
    return CallView(
        call.call.id, name, source, arguments, "waiting for approval", "$text-warning", None
    )


def view_of_saved(call: ToolCall, row: Message | None) -> CallView:
    """A saved call: its result's row, or None when it never got one (the program ended while
    the call waited for approval)."""
    if row is None:
        return CallView(
            call.id, call.name, source_of(call.name), call.arguments, "not run", "$text-muted", None
        )
    info = row.tool
    name = info.name if info is not None else call.name
    arguments = info.arguments if info is not None else call.arguments
    return _view_of_row(call.id, name, source_of(name), arguments, row)


def _view_of_row(call_id: str, name: str, source: str, arguments: str, row: Message) -> CallView:
    status = row.tool.status if row.tool is not None else None
    if status is None:
        if row.status == "streaming":
            return CallView(call_id, name, source, arguments, "running…", "$accent", None)
        # The program ended while it ran: the result never came.
        return CallView(call_id, name, source, arguments, "interrupted", "$text-error", "")
    words, style = _ENDED.get(status, (status, "$text-muted"))
    return CallView(call_id, name, source, arguments, words, style, row.content, row.duration)


def block_title(view: CallView) -> Content:
    """``⚙ read_file · built-in · done · 0.12s`` (the name is the model's: plain text)."""
    parts: list[str | tuple[str, str]] = [
        ("⚙ ", "$text-muted"),
        (strip_controls(view.name), "bold"),
        " · ",
        (strip_controls(view.source), "$text-muted"),
        " · ",
        (view.status, view.style),
    ]
    if view.duration is not None:
        parts += [" · ", (duration_text(view.duration), "$text-muted")]
    return Content.assemble(*parts)


def block_body(view: CallView) -> Content:
    """The arguments (indented JSON) and the result, as literal text."""
    arguments = strip_controls(arguments_for_reading(view.arguments)) or "{}"
    parts: list[str | tuple[str, str]] = [("Arguments", "bold"), "\n", arguments]
    if view.result is not None:
        result = strip_controls(view.result)
        if len(result) > SHOWN_RESULT:
            cut = len(result) - SHOWN_RESULT
            result = result[:SHOWN_RESULT] + f"\n… ({cut:,} more characters, not shown)"
        parts += ["\n\n", ("Result", "bold"), "\n", result or "(empty)"]
    return Content.assemble(*parts)


class ToolCallBlock(Collapsible):
    """One call, folded by default (Enter on its title, or a click, opens it). The body is
    written when the block is first opened: a long result costs nothing while folded."""

    def __init__(self, view: CallView) -> None:
        self.view = view
        self.body = Static(Content(""), classes="tool-call-body")
        super().__init__(self.body, title="", collapsed=True, classes="tool-call")
        self.title = block_title(view)  # type: ignore[assignment]  # Content: never markup
        self._written = False

    @property
    def call_id(self) -> str:
        return self.view.call_id

    def show(self, view: CallView) -> None:
        """The call changed (approved, running, ended)."""
        self.view = view
        self.title = block_title(view)  # type: ignore[assignment]
        self.set_class(view.status == "waiting for approval", "-waiting")
        if not self.collapsed:
            self._write()
        else:
            self._written = False

    def on_mount(self) -> None:
        self.set_class(self.view.status == "waiting for approval", "-waiting")

    def _write(self) -> None:
        self.body.update(block_body(self.view))
        self._written = True

    def _watch_collapsed(self, collapsed: bool) -> None:
        if not collapsed and not self._written:
            self._write()
        super()._watch_collapsed(collapsed)
