"""Automatic titles in a session: asked for in the background after a conversation's first reply.

The chat never waits for it: the title request starts once the turn has ended and been told,
as a task of the session's, and its answer arrives as ``ConversationChanged(summary, "title")``.
Any failure leaves the first-prompt title; a title the user gave is never replaced (the store
checks, in the same transaction that would write it).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from glm_tui.session.events import ConversationChanged
from glm_tui.store import Message, NotFound, StoreError
from glm_tui.titles import TITLE_PURPOSE, first_exchange, request_title

if TYPE_CHECKING:
    from glm_tui.session.session import Session


class AutoTitler:
    """Decides when a conversation gets an automatic title, and asks for it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: set[int] = set()
        """Conversations whose title is being asked for."""

    @property
    def enabled(self) -> bool:
        return self.session.settings.auto_title

    def after_reply(self, message: Message) -> None:
        """A reply ended: ask for a title when it was the first reply, it completed, the title
        is still the first prompt's, and ``auto_title`` is on."""
        cid = message.conversation_id
        if not self.enabled or message.status != "complete" or cid in self.pending:
            return
        store = self.session.store
        try:
            if store.get_conversation(cid).title_source != "prompt":
                return
            exchange = first_exchange(store.path_to(message.id))
        except StoreError:
            return
        if exchange is None:
            return
        prompt, reply = exchange
        self.pending.add(cid)
        self.session.in_background(self._title(cid, prompt.content, reply.content))

    async def _title(self, cid: int, prompt: str, reply: str) -> None:
        session = self.session
        try:
            try:
                conversation = session.store.get_conversation(cid)
                model = session.service.model_for(conversation)
                answer = await request_title(
                    session.service.client, model=model, prompt=prompt, reply=reply
                )
            except Exception:
                return
            if answer.usage is not None:
                with contextlib.suppress(StoreError):
                    session.store.add_side_request(
                        cid, purpose=TITLE_PURPOSE, model=model, usage=answer.usage
                    )
            if answer.title is None:
                return
            try:
                if not session.store.set_model_title(cid, answer.title):
                    return  # renamed meanwhile
                summary = session.store.conversation_summary(cid)
            except (NotFound, StoreError):
                return
            await session.emit(ConversationChanged(summary, "title"))
            if cid == session.current_id:
                await session.status_changed()  # its cost now counts the title's
        finally:
            self.pending.discard(cid)
