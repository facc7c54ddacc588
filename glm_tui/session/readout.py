"""What the window reads to show its figures (``session.readout``): the status line, how full
the model's window is, what a draft would cost, and which model the next request goes to.

Nothing here changes anything or tells the listeners; ``Session.status_changed`` sends
``status()`` to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session.events import Status
from glm_tui.store import NotFound, StoreError

if TYPE_CHECKING:
    from glm_tui.api.events import Usage
    from glm_tui.context.history import ContextUse
    from glm_tui.session.attaching import DraftEstimate
    from glm_tui.session.session import Session


class Readout:
    """The window's figures, read from the session and the store; see the module's docstring."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def status(self) -> Status:
        """``Session.status``: what the status line shows now."""
        session = self._session
        settings = session.settings
        usage: Usage | None = None
        if session.current_id is not None:
            try:
                usage = session.store.conversation_usage(session.current_id)
            except NotFound:
                pass  # deleted by another program: noticed on the next look
        context = self.context() if session.current_id is not None else None
        toolbox = session.toolbox
        return Status(
            provider="" if settings.is_demo else settings.provider_info.label,
            model=settings.model_label if settings.is_demo else self.next_model(),
            thinking=session.thinking,
            usage=usage,
            writing=len(session.live) + sum(c.writing for c in session.compares.running.values()),
            tools=len(toolbox.offered()) if toolbox is not None else 0,
            context_used=context.used if context is not None else None,
            context_window=context.window if context is not None else None,
            budget=session.budget(),
        )

    def context(self) -> ContextUse | None:
        """``Session.context``: how full the model's window is with the branch shown."""
        from glm_tui.context.history import context_use
        from glm_tui.context.window import context_window

        session = self._session
        cid = session.current_id
        model = session.service.model_for(None)
        if cid is None:
            return None
        try:
            conversation = session.store.get_conversation(cid)
            model = session.service.model_for(conversation)
            path = session.window_path(cid)
            compactions = session.store.compactions(cid)
        except StoreError:
            return None
        if not path:
            from glm_tui.context.history import ContextUse

            return ContextUse(0, context_window(model, session.settings))
        prompt = conversation.system_prompt
        return context_use(path, prompt, compactions, model, session.settings)

    def estimate(self, text: str) -> DraftEstimate:
        """``Session.estimate``: what sending ``text`` would cost, and the window after it."""
        from glm_tui.context.history import ContextUse
        from glm_tui.context.window import context_window

        session = self._session
        context = self.context()
        if context is None:
            model = session.service.model_for(None)
            context = ContextUse(0, context_window(model, session.settings))
        return session.attachments.estimate(text, context)

    def next_model(self) -> str:
        """``Session.next_model``: the model the next request of the window goes to."""
        session = self._session
        if session.current_id is None:
            pending = session.next_conversation
            if pending is not None and pending.model:
                return pending.model
            return session.pending_model or session.settings.effective_model or ""
        try:
            conversation = session.store.get_conversation(session.current_id)
        except NotFound:
            conversation = None
        return session.service.model_for(conversation)

    def conversation_model(self) -> str | None:
        """``Session.conversation_model``: the open conversation's own model, if it applies."""
        session = self._session
        if session.current_id is None:
            return session.pending_model
        try:
            conversation = session.store.get_conversation(session.current_id)
        except NotFound:
            return None
        if conversation.model and conversation.provider == session.settings.provider:
            return conversation.model
        return None
