"""What the main screen shows of tools: the calls of the turn being written (a block each, in the
reply that asked for them), the reply that goes on after their results, and the MCP servers that
failed (a notification naming each, once, with the way to restart it)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from glm_tui.session import ReplyContinued, ToolCallChanged, ToolsChanged
from glm_tui.session.live import LiveTurn
from glm_tui.store import StoreError
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.widgets.messages import AssistantMessage

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

RESTART_COMMAND = "Restart tool server"
"""The palette's command (``tool_commands.py``): ``Restart tool server: NAME``."""


class ToolView:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def start(self) -> None:
        """Start the MCP servers (in the background); a broken mcp.json is said now, as no
        server will ever change to tell it."""
        session = self.screen.session
        session.start_tools()
        toolbox = session.toolbox
        if toolbox is not None and toolbox.config_error and not toolbox.servers:
            self.screen.notify(
                strip_controls(toolbox.config_error),
                title="Tool servers",
                severity="error",
                timeout=12,
                markup=False,
            )

    async def show(self, event: ToolCallChanged | ReplyContinued | ToolsChanged) -> None:
        if isinstance(event, ToolsChanged):
            self._tell_failures(event)
            return
        pane = self.screen.pane
        live = event.live
        if pane.conversation_id != live.conversation_id:
            return  # shown from the saved rows when the conversation is opened
        if isinstance(event, ToolCallChanged):
            if event.call.state == "proposed":
                await self._end_rounds(live)
            await pane.show_call(live, event.call)
        else:
            await self._end_rounds(live)
            await pane.continue_turn(live, event.reply)

    async def _end_rounds(self, live: LiveTurn) -> None:
        """The replies of the turn shown as streaming have ended (each asked for calls, and is
        saved with them): their thinking time and footer become final while the calls are
        approved and run, and the next reply streams into a widget of its own."""
        for widget in self.screen.pane.message_widgets():
            if isinstance(widget, AssistantMessage) and widget.live is live:
                with contextlib.suppress(StoreError):
                    await widget.finish(self.screen.session.message(widget.message.id))

    @staticmethod
    def unfinished(live: LiveTurn) -> bool:
        """The turn ended with calls that never finished (stopped while one waited or ran):
        their blocks are stale, the saved rows say what became of them."""
        return any(call.state != "finished" for call in live.tool_calls.values())

    def _tell_failures(self, event: ToolsChanged) -> None:
        servers = {status.error: status.name for status in event.servers if status.error}
        for line in event.new_failures:
            text = strip_controls(line)
            name = servers.get(line)
            if name is not None:
                text += f"\nThe chat goes on without its tools. Ctrl+P: {RESTART_COMMAND}."
            self.screen.notify(
                text, title="Tool server", severity="error", timeout=12, markup=False
            )
