"""Branches in the TUI: edit a prompt, ask again, switch between siblings, fork.

The message widgets post :class:`MessageActions.Requested`; this part of the app carries it out
with the store and the chat service. Nothing is ever deleted: an edited prompt and a new reply
are siblings of the old ones, and ``[`` / ``]`` walk between siblings. The branch shown is the
conversation's current leaf, saved in the store, so it is the same after a restart.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work

from glm_tui.store import Message, StoreError
from glm_tui.ui.turns import TurnsApp
from glm_tui.ui.widgets.composer import Composer
from glm_tui.ui.widgets.message_actions import MessageActions
from glm_tui.ui.widgets.selection import MessageCursor


class BranchesApp(TurnsApp):
    """The part of the app that acts on one message; GLMApp builds the screen around it."""

    def on_mount(self) -> None:
        self.pane.branch_info = self.branch_positions

    def branch_positions(self, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        try:
            return self.store.branch_positions(ids)
        except StoreError:
            return {}  # the indicator is a nicety: the messages still show without it

    # -- moving the focus in and out of the messages ------------------------------------------

    @on(Composer.SelectMessages)
    def _up_from_composer(self, event: Composer.SelectMessages) -> None:
        if event.composer is self.composer:
            event.stop()
            self.pane.select_last()

    @on(MessageCursor.LeftBottom)
    def _down_from_messages(self, event: MessageCursor.LeftBottom) -> None:
        event.stop()
        self.composer.focus()

    async def select_message(self, message_id: int) -> None:
        """Put the cursor on a message of the pane, loading older pages until it is there."""
        pane = self.pane
        while (widget := pane.widget_for(message_id)) is None and pane.has_older:
            await pane.load_older()
        if widget is not None:
            pane.select(widget)

    def branch_through(self, cid: int, message_id: int) -> None:
        """Show the branch through a message (its newest below it) unless it is shown already."""
        try:
            if all(m.id != message_id for m in self.store.current_path(cid)):
                self.store.set_current_leaf(cid, self.store.newest_leaf_under(message_id))
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)

    # -- the actions --------------------------------------------------------------------------

    @on(MessageActions.Requested)
    async def _requested(self, event: MessageActions.Requested) -> None:
        event.stop()
        if len(self.screen_stack) != 1:
            return
        if event.kind == "edit":
            self.edit_prompt(event.message_id)
        elif event.kind == "fork":
            await self.fork_at(event.message_id)
        elif event.kind == "branch":
            await self.switch_branch(event.message_id, event.step)
        elif event.kind == "reply":
            self.reply_again(event.message_id)

    async def switch_branch(self, message_id: int, step: int) -> None:
        """Show the previous (-1) or next (+1) sibling of a message, and the newest branch
        below it; the cursor stays on the sibling, so the key can be pressed again."""
        cid = self.current_id
        if cid is None or self._busy(cid):
            return
        try:
            siblings = [m.id for m in self.store.siblings(message_id)]
            index = siblings.index(message_id) + step
            if not 0 <= index < len(siblings):
                self.bell()
                return
            target = siblings[index]
            leaf = self.store.newest_leaf_under(target)
            self.store.set_current_leaf(cid, leaf)
            path = self.store.path_to(leaf)
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        await self.show_branch(cid, path, message_id, target)
        await self.select_message(target)

    async def show_branch(
        self, cid: int, path: list[Message], replaced_id: int, sibling_id: int
    ) -> None:
        """Show ``path``, which leaves the branch shown at ``replaced_id`` for ``sibling_id``.

        Only the messages from there down are mounted again (all of them, if need be).
        """
        start = [m.id for m in path].index(sibling_id)
        if self.pane.conversation_id != cid or not await self.pane.show_branch(
            replaced_id, path[start:], self.live.get(cid)
        ):
            await self.open_conversation(cid)

    async def fork_at(self, message_id: int) -> None:
        """A new conversation with the branch up to this message, opened."""
        try:
            message = self.store.get_message(message_id)
            live = self.live.get(message.conversation_id)
            if live is not None and live.assistant_id == message_id:
                self.notify("This reply is still being written: fork it once it is done.")
                return
            new_id = self.store.fork(message_id)
            title = self.store.get_conversation(new_id).title
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.refresh_sidebar()
        await self.open_conversation(new_id)
        self.composer.focus()
        self.notify(f"Forked into “{title}”; the original is unchanged.", markup=False, timeout=4)

    async def action_fork(self) -> None:
        """Fork at the selected message, or at the end of the branch shown (the palette)."""
        cid = self.current_id
        if cid is None:
            return
        selected = self.pane.selected
        if selected is not None:
            await self.fork_at(selected.message.id)
            return
        path = self.store.current_path(cid)
        if path:
            await self.fork_at(path[-1].id)

    @work(group="dialogs")
    async def edit_prompt(self, message_id: int) -> None:
        """Ask for the new text of a prompt; send it as a sibling of the old one."""
        from glm_tui.ui.screens.edit_dialog import EditScreen

        try:
            message = self.store.get_message(message_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        cid = message.conversation_id
        if message.role != "user" or self._busy(cid):
            return
        problem = self.settings.request_problem()
        if problem:
            from glm_tui.ui.screens.welcome import cannot_send_text

            self.notify(
                cannot_send_text(problem), title="Cannot send", severity="error", markup=False
            )
            return
        text = await self.push_screen_wait(EditScreen(message.content))
        if text is None:
            return
        if text == message.content:
            self.notify("The prompt is unchanged (r on it asks for a new reply).", timeout=4)
            return
        thinking = self.thinking
        if self.start_turn(cid, lambda: self.service.edit(message_id, text, thinking=thinking)):
            # The edited prompt is the new leaf: show its branch before the reply comes in.
            path = self._safe(lambda: self.store.current_path(cid))
            if isinstance(path, list) and path:
                await self.show_branch(cid, path, message_id, path[-1].id)
