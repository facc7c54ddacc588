"""The approval panel: nothing runs unasked. Shown above the composer when the model asks to
call tools that are not allowed always; it has the focus until every call is decided.

It shows the calls of one reply one after another (the tool, its source, its arguments as
indented JSON, never parsed as markup) with a list of them all when there are several, and
takes the keys of ``ui/keys.py``'s ``approval`` scope: allow once, always allow the tool, deny,
edit the arguments, and allow or deny every call left at once. ``on_done`` gets one decision per
call, in the model's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from glm_tui.terminal_text import strip_controls
from glm_tui.tools.approval import (
    ALLOW_ONCE,
    ALWAYS_ALLOW,
    DENY,
    ApprovalRequest,
    Decision,
    Verdict,
    arguments_for_reading,
    edited,
)
from glm_tui.ui import keys

if TYPE_CHECKING:
    from glm_tui.ui.screens.arguments_dialog import ArgumentsScreen

Done = Callable[[list[Decision]], None]

LOW = 20
"""Below this many rows the panel has no frame and no description, and may fill the column."""
NARROW = 60
"""Below this many columns its keys line is short."""

_MARKS = {Verdict.ALLOW: ("✓", "$text-success"), Verdict.ALWAYS: ("✓", "$text-success")}


def _verdict_words(decision: Decision) -> str:
    if decision.verdict is Verdict.DENY:
        return "denied"
    if decision.verdict is Verdict.ALWAYS:
        return "allowed always"
    return "allowed with edited arguments" if decision.arguments is not None else "allowed once"


class ArgumentsView(VerticalScroll, can_focus=True):
    """The arguments of the call being decided; it has the focus (Up / Down scroll it), and the
    panel's keys reach the panel through it."""


class ApprovalPanel(Vertical):
    BINDINGS = keys.bindings("approval")

    def __init__(
        self, requests: Sequence[ApprovalRequest], on_done: Done, *, where: str = ""
    ) -> None:
        super().__init__(id="approval-panel")
        keys.install(self, "approval")
        self.requests = list(requests)
        self.on_done = on_done
        self.where = where
        """The conversation the calls are for, when it is not the one shown ('' otherwise)."""
        self.decisions: list[Decision] = []
        self.dialog: ArgumentsScreen | None = None
        """The arguments being edited, if they are."""

    @property
    def current(self) -> ApprovalRequest | None:
        index = len(self.decisions)
        return self.requests[index] if index < len(self.requests) else None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="approval-title")
        with ArgumentsView(id="approval-body"):
            yield Static(Content(""), id="approval-calls")
            yield Static(Content(""), id="approval-arguments")
        yield Static(Content(""), id="approval-keys")

    def on_mount(self) -> None:
        self._fit()
        self._show()

    def on_resize(self) -> None:
        if self._fit():
            self._show()

    def _fit(self) -> bool:
        """Fit the terminal: a low one drops the description and the frame, a narrow one
        shortens the keys line. True when that changed."""
        width, height = self.screen.size
        before = (self.has_class("-low"), self.has_class("-narrow"))
        low = height < LOW
        self.set_class(low, "-low")
        self.set_class(width < NARROW, "-narrow")
        # All the column but the status line, the footer and a row of the pane (its padding).
        self.styles.max_height = max(3, height - 3) if low else None
        return before != (self.has_class("-low"), self.has_class("-narrow"))

    def refresh_request(self) -> None:
        """Show the call being decided again (``where`` changed)."""
        self._show()

    def focus_panel(self) -> None:
        self.query_one(ArgumentsView).focus()

    def _show(self) -> None:
        request = self.current
        if request is None:
            return
        count = len(self.requests)
        index = len(self.decisions)
        place = f" ({index + 1} of {count})" if count > 1 else ""
        title: list[str | tuple[str, str]] = [
            ("Allow ", "bold"),
            (strip_controls(request.call.name), "bold $accent"),
            (f" ({strip_controls(request.source)})?", "bold"),
            place,
        ]
        if self.where:
            title += [("  in ", "$text-muted"), (strip_controls(self.where), "$text-muted")]
        description = request.tool.description.strip().split("\n")[0]
        if description and not self.has_class("-low"):
            title += ["\n", (strip_controls(description), "$text-muted italic")]
        self.query_one("#approval-title", Static).update(Content.assemble(*title))
        calls = self.query_one("#approval-calls", Static)
        calls.display = count > 1 and not self.has_class("-low")  # the title says "1 of 3"
        if count > 1:
            calls.update(self._list())
        low = self.has_class("-low")
        # Indented JSON reads best; on a low terminal its first row would be a lone "{".
        shown = request.call.arguments if low else arguments_for_reading(request.call.arguments)
        arguments = strip_controls(shown) or "{}"
        self.query_one("#approval-arguments", Static).update(Content(arguments))
        self.query_one("#approval-keys", Static).update(
            self._keys_line(count, short=self.has_class("-narrow"), low=low)
        )
        self.query_one(ArgumentsView).scroll_home(animate=False)
        self.refresh_bindings()

    def _list(self) -> Content:
        """Every call of the reply, each with what was decided, the current one marked."""
        lines: list[str | tuple[str, str]] = []
        for index, request in enumerate(self.requests):
            name = strip_controls(request.call.name)
            if index < len(self.decisions):
                decision = self.decisions[index]
                mark, style = _MARKS.get(decision.verdict, ("✗", "$text-warning"))
                lines += [(f"{mark} ", style), name, (f" ({_verdict_words(decision)})", style)]
            elif index == len(self.decisions):
                lines += [("▶ ", "$accent"), (name, "bold")]
            else:
                lines += ["· ", name]
            lines.append("\n")
        return Content.assemble(*lines[:-1])

    def _keys_line(self, count: int, *, short: bool, low: bool = False) -> Content:
        """The panel's keys as they are in force (``[keys]`` may move them)."""
        table = keys.table_of(self)

        def named(action: str, *, every: bool = True) -> str:
            found = table.action_keys(action) if every else table.action_keys(action)[:1]
            return " / ".join(keys.key_name(k).replace("Escape", "Esc") for k in found) or "—"

        if short:  # two rows of a 20-column terminal
            text = (
                f"{named('allow_call', every=False)}:allow "
                f"{named('always_allow_tool', every=False)}:always "
                f"{named('deny_call', every=False)}:deny {named('edit_call', every=False)}:edit"
            )
            if count > 1 and not low:
                text += f" {named('allow_all_calls')}/{named('deny_all_calls')}:all"
            return Content(text)
        text = (
            f"{named('allow_call')}: allow once · {named('always_allow_tool')}: always allow "
            f"this tool · {named('deny_call')}: deny · {named('edit_call')}: edit"
        )
        if count > 1:
            text += (
                f" · {named('allow_all_calls')}: allow all · {named('deny_all_calls')}: deny all"
            )
        return Content(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("allow_all", "deny_all"):
            return len(self.requests) - len(self.decisions) > 1
        return True

    # -- deciding ------------------------------------------------------------------------------

    def decide(self, decision: Decision) -> None:
        """The current call is decided: on to the next, or done."""
        if self.current is None:
            return
        self.decisions.append(decision)
        if self.current is None:
            self.on_done(list(self.decisions))
        else:
            self._show()

    def _decide_rest(self, decision: Decision) -> None:
        while self.current is not None:
            self.decisions.append(decision)
        self.on_done(list(self.decisions))

    def action_allow_once(self) -> None:
        self.decide(ALLOW_ONCE)

    def action_allow_always(self) -> None:
        self.decide(ALWAYS_ALLOW)

    def action_deny_call(self) -> None:
        self.decide(DENY)

    def action_allow_all(self) -> None:
        self._decide_rest(ALLOW_ONCE)

    def action_deny_all(self) -> None:
        self._decide_rest(DENY)

    def action_edit_arguments(self) -> None:
        from glm_tui.ui.screens.arguments_dialog import ArgumentsScreen

        request = self.current
        if request is None:
            return

        def done(text: str | None) -> None:
            self.dialog = None
            if text is not None and self.current is request:
                self.decide(edited(text))
            elif self.is_attached:
                self.focus_panel()

        self.dialog = ArgumentsScreen(request)
        self.app.push_screen(self.dialog, done)
