"""The conversation service: one turn = persist the prompt, stream the reply (and run the
approved tool calls, and stream the reply that follows them), persist it all.

The TUI and ``glm-tui ask`` both go through :class:`ChatService`, so there is one code path for
a turn. Each reply is written while it streams (``reply_stream.py``); each tool call's result
is a message of its own (``tools/loop.py``). A cancelled turn is saved as ``stopped``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from glm_tui.config import Settings
from glm_tui.model_history import history_for
from glm_tui.reply_loop import ROUNDS_EXCEEDED, ReplyLoop
from glm_tui.reply_stream import CONVERSATION_DELETED, NETWORK_ERROR
from glm_tui.store import UNSET, Conversation, Message, Store
from glm_tui.store.store import Unset
from glm_tui.terminal_text import strip_controls
from glm_tui.turn_events import TurnEnded, TurnEvent, TurnStarted, TurnStream

if TYPE_CHECKING:
    from glm_tui.api.client import GLMClient
    from glm_tui.attachments.model import Attachment
    from glm_tui.tools.approval import Approver
    from glm_tui.tools.toolbox import Toolbox

__all__ = [
    "CONVERSATION_DELETED",
    "NETWORK_ERROR",
    "ROUNDS_EXCEEDED",
    "ChatService",
    "TurnEnded",
    "TurnEvent",
    "TurnStarted",
    "TurnStream",
    "history_for",
    "title_from_prompt",
]

TITLE_LENGTH = 60
_FIRST_REQUEST_MODULES = ("anyio._backends._asyncio", "anyio.streams.tls", "encodings.idna")
"""What httpx's first request imports (see ``ChatService.warm_up``)."""
NO_APPROVER = "no one was there to approve it"


def title_from_prompt(prompt: str) -> str:
    """The first non-empty line, whitespace collapsed, cut at about 60 characters."""
    line = next((ln for ln in strip_controls(prompt).splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if len(line) > TITLE_LENGTH:
        cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0]
        line = (cut if len(cut) > TITLE_LENGTH // 2 else line[:TITLE_LENGTH]).rstrip() + "…"
    return line or "New conversation"


def make_client(settings: Settings) -> GLMClient:
    """The HTTP client for these settings (the demo provider gets the offline transport)."""
    # Imported here: httpx is a fair share of start-up, and the first screen does not need it.
    from glm_tui.api.client import GLMClient

    transport = None
    if settings.is_demo:
        from glm_tui.api.demo import DemoTransport

        transport = DemoTransport()
    return GLMClient(
        base_url=settings.effective_base_url or "",
        api_key=settings.api_key,
        model=settings.effective_model or "",
        read_timeout=settings.read_timeout,
        transport=transport,
    )


class ChatService:
    """Runs turns of a conversation against the model and keeps everything in the store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        client: GLMClient | None = None,
        flush_interval: float = 0.5,
        toolbox: Toolbox | None = None,
        approver: Approver | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._client = client
        self._client_lock = threading.Lock()  # made in a thread by warm_up, or at first use
        self.flush_interval = flush_interval
        self.toolbox = toolbox
        """The tools offered (None: none, and no web search either); closed by ``aclose``."""
        if approver is None:
            from glm_tui.tools.approval import DenyAll

            approver = DenyAll(NO_APPROVER)
        self.approver: Approver = approver
        """Who decides about a call, unless a turn is given its own."""
        self._replies = ReplyLoop(self)

    @property
    def client(self) -> GLMClient:
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.settings)
            return self._client

    async def ready_client(self) -> GLMClient:
        """``client``, made in a thread when it is not made yet: importing httpx and loading
        the certificates took the event loop 50-100 ms at the first send (and a prompt sent as
        the app starts waited for the warm-up thread's lock on the event loop)."""
        if self._client is not None:
            return self._client
        return await asyncio.to_thread(lambda: self.client)

    def warm_up(self) -> None:
        """Make the HTTP client now (for a thread, while nothing is asked of it): importing
        httpx and loading the certificates took the event loop 50-100 ms at the first send.
        Then import what the first request imports (anyio's asyncio backend and its TLS
        stream, the IDNA codec for the host's name): the event loop stopped for them too, 0.1-0.3
        s on a slow machine, and a key typed just after Enter waited."""
        self.client  # noqa: B018 (made and kept)
        for name in _FIRST_REQUEST_MODULES:
            with contextlib.suppress(ImportError):  # another httpx may need others
                importlib.import_module(name)

    def update_settings(self, settings: Settings) -> None:
        """Use new settings for the next turn (a new client if the endpoint changed)."""
        old = self.settings
        self.settings = settings
        if (old.provider, old.effective_base_url, old.api_key, old.read_timeout) != (
            settings.provider,
            settings.effective_base_url,
            settings.api_key,
            settings.read_timeout,
        ):
            self._client = None

    async def aclose(self) -> None:
        """Close the HTTP client and stop the toolbox's MCP servers."""
        if self._client is not None:
            await self._client.aclose()
        if self.toolbox is not None:
            await self.toolbox.aclose()

    def model_for(self, conversation: Conversation | None) -> str:
        """The model the next request of a conversation (None: a new one) is sent to: the
        conversation's own, unless it was made with another provider (its model would mean
        nothing there), else the one of the settings."""
        settings = self.settings
        if (
            conversation is not None
            and conversation.model
            and conversation.provider == settings.provider
        ):
            return conversation.model
        return settings.effective_model or ""

    def model_for_turn(self, conversation: Conversation | None, prompt: Message | None) -> str:
        """The model a turn answering ``prompt`` goes to: the vision model when the prompt
        carries an image and the conversation's model reads text only (NoVisionModel if
        there is none)."""
        model = self.model_for(conversation)
        if prompt is not None and any(ref.is_image for ref in prompt.attachments):
            from glm_tui.context.window import model_for_images

            return model_for_images(model, self.settings)
        return model

    def history(
        self, conversation: Conversation, parent_id: int, model: str
    ) -> list[dict[str, Any]]:
        """What is sent for a reply below ``parent_id``: the branch with its attachments, a
        compaction's summary in place of the turns it stands for."""
        from glm_tui.context.history import build_history

        return build_history(self.store, self.settings, conversation, parent_id, model)

    def new_conversation(
        self,
        prompt: str = "",
        *,
        model: str | None = None,
        system_prompt: str | Unset | None = UNSET,
    ) -> int:
        """A new conversation titled after its first prompt, with the settings' model and
        system prompt unless given others (a role; ``system_prompt=None``: none)."""
        settings = self.settings
        return self.store.create_conversation(
            title=title_from_prompt(prompt),
            provider=settings.provider,
            model=model or settings.effective_model or "",
            system_prompt=settings.system_prompt if system_prompt is UNSET else system_prompt,
        )

    # -- the three ways a turn starts ---------------------------------------------------------

    def send(
        self,
        prompt: str,
        *,
        conversation_id: int | None = None,
        thinking: bool | None = None,
        after: int | None = None,
        approver: Approver | None = None,
        attachments: Sequence[Attachment] = (),
        model: str | None = None,
    ) -> TurnStream:
        """A new prompt at the end of the conversation's current branch (a new one if None),
        or after the message ``after``: the end of the branch a window shows, which another
        program may have left for another branch since. ``model``: this reply's model, not
        the conversation's.

        ``attachments`` go with it (checked first: AttachmentError when they are too many or
        too big for a message or the conversation; NoVisionModel for an image with nowhere to
        go: nothing is saved then)."""
        if attachments:
            self.check_attachments(conversation_id, attachments)
        if conversation_id is None:
            conversation_id = self.new_conversation(prompt)
            parent_id = None
        elif after is not None:
            parent_id = after
        else:
            parent_id = self.store.get_conversation(conversation_id).current_leaf_id
        user_id = self.store.add_message(
            conversation_id,
            parent_id=parent_id,
            role="user",
            content=prompt,
            attachments=[a.ref() for a in attachments],
            contents=[a.content() for a in attachments],
        )
        return self._reply(conversation_id, user_id, thinking, approver, model=model)

    def model_for_prompt(self, user_message_id: int) -> str:
        """The model for a reply to this prompt, worked out before the turn starts (so that
        NoVisionModel is raised by ``send``, ``regenerate``... and not by the stream)."""
        prompt = self.store.get_message(user_message_id)
        return self.model_for_turn(self.store.get_conversation(prompt.conversation_id), prompt)

    def check_attachments(
        self, conversation_id: int | None, attachments: Sequence[Attachment]
    ) -> None:
        """Raise AttachmentError (or NoVisionModel) when these cannot go in a new prompt."""
        from glm_tui.attachments.checks import check_conversation, check_message

        check_message(attachments)
        if conversation_id is not None:
            check_conversation(
                self.store.conversation_attachment_bytes(conversation_id), attachments
            )
        if any(a.is_image for a in attachments):
            from glm_tui.context.window import model_for_images

            conversation = (
                None if conversation_id is None else self.store.get_conversation(conversation_id)
            )
            model_for_images(self.model_for(conversation), self.settings)

    def regenerate(
        self,
        assistant_message_id: int,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
        model: str | None = None,
    ) -> TurnStream:
        """A new reply to the same prompt, as a sibling of the old one (also used for Retry);
        ``model``: from that model rather than the conversation's (a compare's column).

        In a turn that used tools, any of its replies or results stands for the whole turn:
        the new reply answers the turn's prompt (and may call tools anew)."""
        old = self.store.get_message(assistant_message_id)
        if old.role not in ("assistant", "tool") or old.parent_id is None:
            raise ValueError("only a reply to a prompt can be regenerated")
        prompt = next(
            (m for m in reversed(self.store.path_to(old.parent_id)) if m.role == "user"), None
        )
        if prompt is None:
            raise ValueError("only a reply to a prompt can be regenerated")
        return self._reply(old.conversation_id, prompt.id, thinking, approver, model=model)

    def reply_to(
        self,
        user_message_id: int,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
    ) -> TurnStream:
        """A (new) reply to a saved prompt, e.g. one whose first reply never got written."""
        msg = self.store.get_message(user_message_id)
        return self._reply(msg.conversation_id, user_message_id, thinking, approver)

    def edit(
        self,
        user_message_id: int,
        new_text: str,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
    ) -> TurnStream:
        """The edited prompt becomes a sibling of the original, and gets a new reply."""
        old = self.store.get_message(user_message_id)
        if old.role != "user":
            raise ValueError("only a prompt can be edited")
        model = self.model_for_turn(self.store.get_conversation(old.conversation_id), old)
        user_id = self.store.add_message(
            old.conversation_id,
            parent_id=old.parent_id,
            role="user",
            content=new_text,
            attachments=old.attachments,  # an edit keeps the prompt's attachments
        )
        return self._reply(old.conversation_id, user_id, thinking, approver, model=model)

    async def compare(
        self,
        prompt: str,
        models: Sequence[str],
        *,
        conversation_id: int | None = None,
        thinking: bool | None = None,
        after: int | None = None,
        approver: Approver | None = None,
    ) -> list[tuple[TurnStarted, TurnStream]]:
        """One prompt, a reply from each of ``models``: the prompt is saved once (as ``send``
        does), then each reply's row, in the order of ``models`` (so that ``‹ 1/3 ›`` follows
        it), each with the stream of the rest of its turn; the first one is the branch shown.
        Run the streams at once: each is the one code path of a turn, with its own model."""
        if not models:
            raise ValueError("compare needs at least one model")
        first = self.send(
            prompt,
            conversation_id=conversation_id,
            thinking=thinking,
            after=after,
            approver=approver,
            model=models[0],
        )
        started: list[tuple[TurnStarted, TurnStream]] = []
        try:
            for index, model in enumerate(models):
                if index == 0:
                    stream = first
                else:
                    user_id = started[0][0].user_message_id
                    cid = started[0][0].conversation_id
                    stream = self._reply(cid, user_id, thinking, approver, model=model)
                begun = await anext(stream)  # the reply's row: nothing is sent before it
                assert isinstance(begun, TurnStarted)
                started.append((begun, stream))
        except BaseException:
            for begun, stream in started:
                with contextlib.suppress(Exception):
                    await stream.aclose()
                    self.store.update_message(begun.assistant_message_id, status="stopped")
            raise
        head = started[0][0]
        self.store.set_current_leaf(head.conversation_id, head.assistant_message_id)
        return started

    def _reply(
        self,
        conversation_id: int,
        user_message_id: int,
        thinking: bool | None,
        approver: Approver | None,
        *,
        model: str | None = None,
    ) -> TurnStream:
        """The one code path of a turn (reply_loop.py); nothing runs until the stream is
        iterated."""
        return self._replies.stream(
            conversation_id, user_message_id, thinking, approver, model=model
        )
