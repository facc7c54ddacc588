"""Conversations changed here (deleted, renamed, each after a dialog) or by other processes
(another TUI, ``glm-tui ask``), which the app looks for on a timer and when it gets the focus."""

from __future__ import annotations

from textual import on, work
from textual.content import Content

from glm_tui.store import Message, NotFound, StoreError
from glm_tui.ui.branches import BranchesApp
from glm_tui.ui.widgets.sidebar import ConversationList


class ConversationsApp(BranchesApp):
    """The part of the app that deletes and renames conversations, and follows other writers."""

    _data_version: int | None
    """The store's ``data_version`` when the app last looked."""

    def _poll_store(self) -> None:
        """Show what other processes wrote (another TUI, ``glm-tui ask``): one cheap PRAGMA
        when nothing changed, the sidebar reloaded when something did."""
        try:
            version = self.store.data_version()
        except StoreError:
            return  # tried again on the next tick: a notification every two seconds helps no one
        if version != self._data_version:
            self._data_version = version
            self.refresh_sidebar()
            self.call_later(self._catch_up)

    async def _catch_up(self) -> None:
        """The open conversation, as another process may have changed it."""
        await self._notice_deletions()
        cid = self.current_id
        if cid is None or cid in self.live:
            return
        path = self._safe(lambda: self._window_path(cid))
        if path is None or cid != self.current_id:
            return
        if not await self.pane.catch_up(path):  # type: ignore[arg-type]
            await self.open_conversation(cid)
        self.update_status()  # tokens and cost of what was added

    def _window_path(self, cid: int) -> list[Message]:
        """The branch to show: the conversation's current one when it goes through what this
        window shows (another program added to it); else this window's own, with what was
        added below it (another window sent on another branch: each keeps its own)."""
        path = self.store.current_path(cid)
        leaf = self.pane.leaf_id if self.pane.conversation_id == cid else None
        if leaf is None or any(m.id == leaf for m in path):
            return path
        try:
            return self.store.path_to(self.store.newest_leaf_under(leaf))
        except NotFound:
            return path

    def _exists(self, cid: int) -> bool:
        try:
            self.store.get_conversation(cid)
        except NotFound:
            return False
        except StoreError:
            return True  # unknown for now: looked at again on the next tick
        return True

    async def _notice_deletions(self) -> None:
        """Conversations another program deleted (``glm-tui rm``, another TUI): a reply being
        written into one is stopped, and the open one says so (what is typed is kept)."""
        watched = set(self.live) | ({self.current_id} if self.current_id is not None else set())
        for cid in sorted(watched):
            if self._exists(cid):
                continue
            if cid in self.live:
                await self._cancel_turn(cid)
            if cid == self.current_id:
                await self.show_deleted()
            else:
                self.notify(
                    "A conversation was deleted by another program; its reply was stopped.",
                    severity="warning",
                )

    async def show_deleted(self) -> None:
        """The open conversation no longer exists: say so; the next message starts a new one."""
        self.current_id = None
        await self.pane.show_notice(
            Content.assemble(
                ("This conversation was deleted by another program.", "bold"),
                "\n\nWhat you send now starts a new conversation.",
            )
        )
        self.sidebar.select(None)
        self.refresh_sidebar()
        self.update_status()

    def on_app_focus(self) -> None:
        # Back from another window (perhaps another glm-tui): catch up now, not at the next tick.
        self._poll_store()

    @on(ConversationList.DeleteRequested)
    def _delete_requested(self, event: ConversationList.DeleteRequested) -> None:
        self.confirm_delete(event.conversation_id)

    @work(group="dialogs")
    async def confirm_delete(self, cid: int) -> None:
        try:
            title = self.store.get_conversation(cid).title
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        question = Content.assemble(
            "Delete the conversation ", (title, "bold"), "?\nIts messages are removed for good."
        )
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        if not await self.push_screen_wait(ConfirmScreen(question)):
            return
        if cid in self.live:
            await self._cancel_turn(cid)
        if self._safe(lambda: self.store.delete_conversation(cid) or True) is None:
            return
        self.notify(f"Deleted “{title}”.", markup=False)
        if self.current_id == cid:
            await self.open_conversation(None)
        self.refresh_sidebar()

    @work(group="dialogs")
    async def action_rename(self) -> None:
        cid = self.current_id
        if cid is None:
            self.notify("Send a message first: a new conversation has no title yet.")
            return
        try:
            title = self.store.get_conversation(cid).title
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        from glm_tui.ui.screens.dialogs import RenameScreen

        new_title = await self.push_screen_wait(RenameScreen(title))
        if new_title and new_title != title:
            self._safe(lambda: self.store.rename_conversation(cid, new_title))
            self.refresh_sidebar()
