"""The TUI's approver (``Session.approver``): each reply's calls are asked about in the approval
panel, one panel at a time (replies in two conversations wait their turn).

The panel goes above the composer, which is hidden while it asks (on a small terminal there is
room for one of them, and nothing can be sent meanwhile anyway); it has the focus, and gives it
back to the composer when every call is decided. Stopping the turn (Escape elsewhere, quitting)
cancels ``approve``: the panel goes away and the calls are saved as cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from glm_tui.store import StoreError
from glm_tui.tools.approval import ApprovalRequest, Decision

if TYPE_CHECKING:
    from glm_tui.ui.screens.approval_panel import ApprovalPanel
    from glm_tui.ui.screens.main import MainScreen


class PanelApprover:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self._one_at_a_time = asyncio.Lock()
        self.panel: ApprovalPanel | None = None
        """The panel asking now (None: none)."""
        self._asking_in: int | None = None
        """The conversation whose calls the panel asks about."""

    def conversation_shown(self) -> None:
        """Another conversation is shown: the panel names the one it asks for, if not it."""
        panel = self.panel
        if panel is not None and panel.is_mounted:
            panel.where = self._where(self._asking_in)
            panel.refresh_request()

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        async with self._one_at_a_time:
            return await self._ask(requests)

    def _conversation_of(self, requests: Sequence[ApprovalRequest]) -> int | None:
        wanted = {request.call.id for request in requests}
        for cid, live in self.screen.session.live.items():
            if wanted & set(live.tool_calls):
                return cid
        return None

    def _where(self, cid: int | None) -> str:
        """The conversation's title when it is not the one shown ('' when it is)."""
        session = self.screen.session
        if cid is None or cid == session.current_id:
            return ""
        try:
            return session.title(cid)
        except StoreError:  # gone, or unreadable: the panel still asks
            return "another conversation"

    async def _ask(self, requests: Sequence[ApprovalRequest]) -> list[Decision]:
        screen = self.screen
        answered: asyncio.Future[list[Decision]] = asyncio.get_running_loop().create_future()

        def done(decisions: list[Decision]) -> None:
            if not answered.done():
                answered.set_result(decisions)

        from glm_tui.ui.screens.approval_panel import ApprovalPanel  # (not at start: 1 ms)

        self._asking_in = self._conversation_of(requests)
        panel = ApprovalPanel(requests, done, where=self._where(self._asking_in))
        composer = screen.composer
        self.panel = panel
        try:
            await screen.query_one("#chat").mount(panel, before=composer)
            composer.display = False
            panel.focus_panel()
            screen.pane.anchor()
            return await answered
        finally:
            self.panel = None
            composer.display = True
            dialog = panel.dialog
            if dialog is not None and dialog.is_current:
                dialog.dismiss(None)  # the turn was stopped while the arguments were edited
            focused = screen.focused
            if panel.is_attached:
                panel.remove()
            if focused is None or panel in focused.ancestors_with_self:
                composer.focus()
