"""The composer: a multi-line TextArea where Enter sends and Ctrl+J / Shift+Enter add a line.

Up on an empty composer (or Alt+Up anywhere in it) moves the focus to the messages above. While
the slash commands' completion list is shown, its keys go to it first (``completion``); the main
screen may take keys next (``key_hook``: the ``@`` list) and pastes (``paste_hook``: a path or a
long text becomes an attachment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

from glm_tui.records import record
from glm_tui.ui.textual_private import SteadyScrollView, paint_now


class Completion(Protocol):
    def handles(self, key: str) -> bool: ...

    def key(self, key: str) -> bool: ...


class Composer(SteadyScrollView, TextArea):
    completion: Completion | None = None
    """What takes Tab, Enter, Up, Down and Escape while it lists completions."""

    @record(frozen=False, slots=False)
    class Submitted(Message):
        composer: Composer
        text: str

        @property
        def control(self) -> Composer:
            return self.composer

    @record(frozen=False, slots=False)
    class SelectMessages(Message):
        """The user wants to move up into the messages (to act on one of them)."""

        composer: Composer

    def __init__(self, *, id: str, placeholder: str) -> None:
        super().__init__(
            id=id,
            placeholder=placeholder,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
        )
        self.key_hook: Callable[[str], bool] | None = None
        """Sees each key first; True: it took the key."""
        self.paste_hook: Callable[[str], bool] | None = None
        """Sees each paste first; True: it took the text (the composer does not insert it)."""

    def render_line(self, y: int) -> Strip:
        # Narrowed until no column is left for text (a 30-column terminal with the sidebar
        # shown), TextArea wraps its placeholder at width 0, which raises in Rich.
        if self.content_size.width <= 0:
            return Strip.blank(self.size.width, self.visual_style.rich_style)
        return super().render_line(y)

    def take_sent(self, sent: str) -> None:
        """The prompt ``sent`` leaves the composer once it is saved; what was typed after Enter,
        while it was being saved, stays as the start of the next one."""
        text = self.text
        if text == sent:
            self.clear()
        elif text.startswith(sent):
            lines = sent.split("\n")
            self.delete((0, 0), (len(lines) - 1, len(lines[-1])))
        # else: edited meanwhile (a key moved the cursor back): nothing is thrown away.

    async def _on_paste(self, event: events.Paste) -> None:
        # Textual then calls TextArea's own handler (it inserts the text) unless prevented.
        if self.paste_hook is not None and not self.read_only and self.paste_hook(event.text):
            event.stop()
            event.prevent_default()

    async def _on_key(self, event: events.Key) -> None:
        completion = self.completion
        if completion is not None and completion.handles(event.key) and completion.key(event.key):
            event.stop()
            event.prevent_default()
            return
        if self.key_hook is not None and self.key_hook(event.key):
            event.stop()
            event.prevent_default()
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.text.strip():
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key == "alt+up" or (event.key == "up" and not self.text):
            event.stop()
            event.prevent_default()
            self.post_message(self.SelectMessages(self))
            return
        if event.key in ("ctrl+j", "shift+enter", "newline"):
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
        # The key's echo now, not after what a streaming reply has the next frame draw.
        self.call_next(paint_now, self)
