"""What the main screen does with attachments: the file picker (Ctrl+O), pastes that become
attachments, removing a chip, opening one. Each goes through ``session.attachments``; the chips
change when the session says so (``AttachmentsChanged``, ``context_view.py``).

A file that cannot be attached (too big, unreadable, a binary) is said in one line naming it;
nothing is added and the draft stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content

from glm_tui.attachments import Attachment, AttachmentError, size_text
from glm_tui.session import Session
from glm_tui.store import StoreError

if TYPE_CHECKING:
    from glm_tui.store import Message
    from glm_tui.ui.screens.main import MainScreen


class AttachActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session

    async def attach(self, path: str | Path) -> list[Attachment]:
        """Attach a file or folder; a problem is one notification naming it."""
        try:
            return await self.session.attachments.attach(path)
        except AttachmentError as problem:
            self.screen.notify(str(problem), title="Cannot attach", severity="error", markup=False)
        except OSError as problem:
            self.screen.notify(
                f"{path}: {problem.strerror or problem}",
                title="Cannot attach",
                severity="error",
                markup=False,
            )
        return []

    # -- the picker ----------------------------------------------------------------------------

    def pick_file(self) -> None:
        self.screen.run_worker(self._pick_file(), group="dialogs")

    async def _pick_file(self) -> None:
        from glm_tui.ui.screens.attach_file import AttachFileScreen

        screen = self.screen
        chosen = await screen.app.push_screen_wait(AttachFileScreen(self.session.attachments))
        if chosen:
            await self.attach(chosen)
        screen.composer.focus()

    # -- pastes --------------------------------------------------------------------------------

    def paste(self, text: str) -> bool:
        """A paste in the composer: a path to an existing file or folder offers to attach it, a
        long text is attached as "pasted text"; True if the composer should not insert it."""
        desk = self.session.attachments
        kind = desk.paste_kind(text)
        if kind == "long":
            self.screen.run_worker(self._attach_paste(text), group="attach")
            return True
        if kind == "path":
            path = desk.pasted_path(text)
            if path is not None:
                self.screen.run_worker(self._offer_path(path, text), group="dialogs")
                return True
        return False

    async def _attach_paste(self, text: str) -> None:
        attachment = await self.session.attachments.attach_paste(text)
        self.screen.notify(
            f"The paste ({len(text):,} characters) is attached as “{attachment.name}”; "
            "Shift+Tab then Delete removes it.",
            markup=False,
            timeout=4,
        )

    async def _offer_path(self, path: Path, text: str) -> None:
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        screen = self.screen
        question = Content.assemble(
            "Attach ", (str(path), "bold"), "?\nNo: the path goes in the message as text."
        )
        if await screen.app.push_screen_wait(ConfirmScreen(question, yes="Attach")):
            await self.attach(path)
        else:
            screen.composer.insert(text)
        screen.composer.focus()

    # -- chips ---------------------------------------------------------------------------------

    async def remove(self, index: int, attachment: Attachment) -> None:
        desk = self.session.attachments
        if index < len(desk.pending) and desk.pending[index] is attachment:
            await desk.remove(index)
            self.screen.notify(f"Removed {attachment.name}.", markup=False, timeout=2)

    def open_pending(self, attachment: Attachment) -> None:
        from glm_tui.ui.screens.attachment_view import AttachmentScreen, Shown

        shown = Shown(
            attachment.name,
            attachment.kind,
            attachment.mime,
            attachment.size,
            attachment.text,
            attachment.width,
            attachment.height,
        )
        self.screen.app.push_screen(AttachmentScreen([shown]))

    def open_sent(self, message: Message) -> None:
        """``o`` on a sent prompt: its attachments, as the history keeps them."""
        from glm_tui.ui.screens.attachment_view import AttachmentScreen, Shown

        if not message.attachments:
            self.screen.notify("This message has no attachment.", timeout=2)
            return
        shown: list[Shown] = []
        for ref in message.attachments:
            try:
                content = self.session.attachments.content(ref.sha256)
            except StoreError as problem:
                self.screen.notify(str(problem), title="History database", severity="error")
                return
            if content is None:
                text = f"The history no longer holds {ref.name} ({size_text(ref.size)})."
                shown.append(Shown(ref.name, "text", ref.mime, ref.size, text, None, None))
            else:
                shown.append(
                    Shown(
                        ref.name,
                        content.kind,
                        ref.mime,
                        ref.size,
                        content.text,
                        content.width,
                        content.height,
                    )
                )
        self.screen.app.push_screen(AttachmentScreen(shown))
