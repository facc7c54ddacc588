"""The MCP servers as the window sees them (``session.tool_watch``): started after the first
screen, restarted from the palette, and each change of the toolbox told to the listeners
(``ToolsChanged``), a server's failure only once until it is restarted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session.events import ToolsChanged

if TYPE_CHECKING:
    from glm_tui.session.session import Session
    from glm_tui.tools.toolbox import Toolbox


class ToolWatch:
    """Starts and restarts the toolbox's servers and tells what changed; see the module."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._told_failures: set[str] = set()
        toolbox = session.service.toolbox
        if toolbox is not None:
            toolbox.subscribe(self._changed)

    def start(self) -> None:
        """``Session.start_tools``: start the MCP servers in the background."""
        toolbox = self._session.toolbox
        if toolbox is not None:
            toolbox.start()

    async def restart(self, name: str) -> None:
        """``Session.restart_server``: restart one MCP server; KeyError if unknown."""
        toolbox = self._session.toolbox
        if toolbox is None:
            raise KeyError(name)
        self._told_failures = {f for f in self._told_failures if f" {name} " not in f}
        await toolbox.restart(name)

    def _changed(self, toolbox: Toolbox) -> None:
        failures = toolbox.failures()
        new = [line for line in failures if line not in self._told_failures]
        self._told_failures.update(new)
        event = ToolsChanged(len(toolbox.offered()), toolbox.statuses(), failures, new)
        self._session.in_background(self._tell(event))

    async def _tell(self, event: ToolsChanged) -> None:
        await self._session.emit(event)
        await self._session.status_changed()
