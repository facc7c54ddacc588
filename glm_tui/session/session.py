"""The session of one window: the open conversation, the branch shown, the replies being written.

Every method that changes what the window shows tells the listeners (awaited in turn, in the
order of the changes) with an event from ``events.py``. Store failures are raised as the
store's one-line ``StoreError``; the window says them. A turn is two steps: ``send`` (or
``regenerate``, ``edit``...) saves the prompt and returns a :class:`Turn`; ``run(turn)`` streams
the reply; the caller runs it as a task it can cancel (the TUI: a worker per conversation).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glm_tui.chat import ChatService
from glm_tui.config import Settings
from glm_tui.session.attaching import AttachmentDesk, DraftEstimate
from glm_tui.session.branching import BranchDesk
from glm_tui.session.compacting import CompactionDesk
from glm_tui.session.compare import Comparer, CompareTurn
from glm_tui.session.elsewhere import ElsewhereWatch
from glm_tui.session.events import (
    ConversationOpened,
    ConversationRemoved,
    ConversationsLoaded,
    ConversationTouched,
    SessionEvent,
    Status,
    StatusChanged,
)
from glm_tui.session.live import LiveTurn
from glm_tui.session.model_choice import ModelChoices, ModelPicker
from glm_tui.session.readout import Readout
from glm_tui.session.spend import Spend
from glm_tui.session.tool_watch import ToolWatch
from glm_tui.session.turns import Turn, TurnDesk
from glm_tui.store import (
    Conversation,
    MatchHighlight,
    Message,
    NotFound,
    SearchHit,
    Store,
    StoreError,
)
from glm_tui.tools.approval import Approver, DenyAll

if TYPE_CHECKING:
    from glm_tui.budget import BudgetState
    from glm_tui.context.history import ContextUse
    from glm_tui.session.auto_title import AutoTitler
    from glm_tui.session.organizer import NewConversation, Organizer
    from glm_tui.tools.toolbox import Toolbox
    from glm_tui.usage_report import UsageReport

Listener = Callable[[SessionEvent], Awaitable[None]]
Clock = Callable[[], float]

SIDEBAR_LIMIT = 10_000
"""The conversations the window lists (the most recently updated)."""
NO_PANEL = "this window has no approval panel"


class Session:
    """What one window has open and does; see the module's docstring."""

    def __init__(
        self, store: Store, service: ChatService, *, clock: Clock, cwd: Path | None = None
    ) -> None:
        self.store = store
        self.service = service
        self.clock = clock
        self.current_id: int | None = None
        """The open conversation (None: a new one, not saved until its first prompt)."""
        self.shown_leaf: int | None = None
        """The last message of the branch the window shows: a prompt follows it."""
        self.live: dict[int, LiveTurn] = {}
        """Replies being written, by conversation."""
        self.thinking = service.settings.thinking is not False
        """Ask the model to think on the next request."""
        self.approver: Approver = DenyAll(NO_PANEL)
        """Decides about tool calls that are not allowed always (the TUI: its approval
        panel); set it before the first turn."""
        self.wall_clock: Clock = time.time
        """The time of day (the model list's age); ``clock`` times replies."""
        self.pending_model: str | None = None
        """The model chosen for the new conversation the next prompt makes."""
        self.compares = Comparer(self)
        """Prompts sent to several models at once (``compare``)."""
        self.model_picker = ModelPicker(self)
        """The provider's model list and the choice of a model."""
        self.spend = Spend(self)
        """This month's spend against the budget; the usage screen's figures."""
        self._listeners: list[Listener] = []
        self._background: set[asyncio.Task[None]] = set()
        self.next_conversation: NewConversation | None = None
        """What the next new conversation starts with (a role, ``/system``, ``/model`` typed
        before its first prompt); None: the settings' model and system prompt."""
        self.tool_watch = ToolWatch(self)
        """The MCP servers started, restarted, and their changes told (``ToolsChanged``)."""
        self.attachments = AttachmentDesk(self._emit, Path.cwd() if cwd is None else cwd, store)
        """The attachments waiting for the next prompt, and ``@`` path completion."""
        self.readout = Readout(self)
        """The status line, the context window's use, a draft's estimate, the next model."""
        self.branches = BranchDesk(self)
        """Switching to a sibling's branch, forking."""
        self.turns = TurnDesk(self)
        """Starting turns and streaming their replies into ``live``."""
        self.elsewhere = ElsewhereWatch(self)
        """Noticing what other programs wrote to the history (``look_elsewhere``)."""
        self.compaction = CompactionDesk(self)
        """Compacting the open conversation, undoing it, compact-and-retry."""
        from glm_tui.session.auto_title import AutoTitler
        from glm_tui.session.organizer import Organizer

        self.organizer: Organizer = Organizer(self)
        """Pins, tags, bookmarks, opening a search hit or a bookmark, roles."""
        self.titler: AutoTitler = AutoTitler(self)
        """Asks for a title after a conversation's first reply (``auto_title``)."""

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            await listener(event)

    async def emit(self, event: SessionEvent) -> None:
        """Tell the listeners (for the session's parts: organizer.py, auto_title.py)."""
        await self._emit(event)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` as a task of the session's (``settle`` waits for them, ``close`` stops
        them); a failure of it is its own to handle."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settle(self) -> None:
        """Wait until the session's background work (titles being asked for, tools being
        told) is done."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def close(self) -> None:
        """Stop the background work (the window is closing)."""
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- reading -----------------------------------------------------------------------------

    async def load_conversations(self, limit: int = SIDEBAR_LIMIT) -> int:
        """Tell the listeners the newest ``limit`` conversations; returns how many there were."""
        summaries = self.store.list_conversations(limit=limit)
        await self._emit(ConversationsLoaded(summaries, complete=len(summaries) < limit))
        return len(summaries)

    def titles(self, limit: int) -> list[tuple[int, str]]:
        """(id, title) of the newest ``limit`` conversations (the command palette)."""
        return [(s.id, s.title) for s in self.store.list_conversations(limit=limit)]

    def search(
        self, query: str, limit: int, *, highlight: tuple[str, str] = ("[", "]")
    ) -> list[SearchHit]:
        """Full-text search; ``tag:NAME`` terms keep the conversations with that tag (a query
        of tags alone finds no messages: the list filtered by ``parse_filter`` shows them)."""
        from glm_tui.conversation_filter import parse_filter

        query_filter = parse_filter(query)
        return self.store.search(
            query_filter.text, limit=limit, highlight=highlight, tags=query_filter.tags
        )

    def branch_positions(self, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Place among the siblings of each message (for ``‹ 2/3 ›``); {} when it cannot be
        read: the messages still show without it."""
        try:
            return self.store.branch_positions(ids)
        except StoreError:
            return {}

    def message(self, message_id: int) -> Message:
        return self.store.get_message(message_id)

    def conversation(self, cid: int) -> Conversation:
        return self.store.get_conversation(cid)

    def status(self) -> Status:
        """What the status line shows now."""
        return self.readout.status()

    def context(self) -> ContextUse | None:
        """How full the model's window is with the branch shown (None: nothing open, or it
        cannot be read now)."""
        return self.readout.context()

    def estimate(self, text: str) -> DraftEstimate:
        """What sending ``text`` (with the pending attachments and its ``@`` mentions) would
        cost, and the window after it: for the chips' figures and the overflow warning."""
        return self.readout.estimate(text)

    def next_model(self) -> str:
        """The model the next request of the window goes to: the open conversation's, or the
        one chosen for the next new conversation, or the settings' one."""
        return self.readout.next_model()

    def conversation_model(self) -> str | None:
        """The open conversation's own model (the one chosen for a new conversation), None if
        it has none that applies (it then gets the settings' one)."""
        return self.readout.conversation_model()

    def writing_in(self, cid: int) -> bool:
        """A reply (or a compare's replies) is being written in that conversation."""
        return cid in self.live or cid in self.compares.running

    async def status_changed(self) -> None:
        await self._emit(StatusChanged(self.status()))

    # -- opening -------------------------------------------------------------------------------

    async def open(
        self,
        cid: int | None,
        message_id: int | None = None,
        *,
        highlight: MatchHighlight | None = None,
    ) -> None:
        """Show a conversation (None: a new one); ``message_id``: the branch through it, with
        the cursor on it (a search hit may be on a branch not shown); ``highlight``: the words
        a search matched there (Organizer.open_hit)."""
        self.next_conversation = None
        conversation = None
        path: list[Message] = []
        if cid is not None:
            conversation = self.store.get_conversation(cid)
            if message_id is not None:
                self.branches.branch_through(cid, message_id)
            path = self.store.current_path(cid)
        self.current_id = cid
        self.shown_leaf = path[-1].id if path else None
        self.pending_model = None
        live = self.live.get(cid) if cid is not None else None
        compaction = self.compaction.applied() if path else None
        compare = self.compares.running.get(cid) if cid is not None else None
        await self._emit(
            ConversationOpened(
                conversation,
                path,
                live,
                message_id,
                compaction=compaction,
                compare=compare,
                highlight=highlight,
            )
        )
        await self.status_changed()

    def window_path(self, cid: int) -> list[Message]:
        """The branch the window shows: the conversation's current one when it goes through
        what the window shows (another program added to it), else the window's own, with what
        was added below it (another window sent on another branch: each keeps its own)."""
        path = self.store.current_path(cid)
        leaf = self.shown_leaf if cid == self.current_id else None
        if leaf is None or any(m.id == leaf for m in path):
            return path
        try:
            return self.store.path_to(self.store.newest_leaf_under(leaf))
        except NotFound:
            return path

    # -- turns ---------------------------------------------------------------------------------

    async def send(
        self, text: str, *, force: bool = False, thinking: bool | None = None
    ) -> Turn | None:
        """Save a prompt at the end of the branch shown (a new conversation if none is open),
        with the pending attachments and the files its ``@`` mentions name.

        Raises CannotSend (no key, an image and no vision model...), Busy, AttachmentError (a
        file that cannot go: nothing is sent, the draft and the chips stay), WouldOverflow
        (the estimate is over the window, unless ``force``), or a StoreError; None when the
        open conversation turned out to be deleted by another program (the listeners are told;
        nothing is lost: the caller keeps the text). ``thinking``: for this request only (a
        library prompt's own), instead of the window's.
        """
        return await self.turns.send(text, force=force, thinking=thinking)

    async def regenerate(self, message_id: int, *, model: str | None = None) -> Turn | None:
        """A new reply to the prompt of reply ``message_id``, beside it (also Retry);
        ``model``: from that model (a compare's column: ``message.model``), not the
        conversation's."""
        return await self.turns.regenerate(message_id, model=model)

    async def reply_again(self, user_message_id: int) -> Turn | None:
        """A reply to a prompt whose reply never got written."""
        return await self.turns.reply_again(user_message_id)

    async def regenerate_last(self) -> Turn | None:
        """Ctrl+R: a new reply to the last prompt of the branch shown."""
        return await self.turns.regenerate_last()

    async def edit(self, message_id: int, text: str) -> Turn | None:
        """The edited prompt becomes a sibling of the original (shown at once) with a reply."""
        return await self.turns.edit(message_id, text)

    async def run(self, turn: Turn) -> None:
        """Stream the reply into ``turn.live``; cancel the task running it to stop the reply
        (the service saves it as stopped)."""
        await self.turns.run(turn)

    async def touched(self, cid: int) -> None:
        """Tell the listeners the conversation's summary again (it changed); nothing if it is
        gone."""
        try:
            summary = self.store.conversation_summary(cid)
        except NotFound:
            return
        await self._emit(ConversationTouched(summary))

    # -- branches ------------------------------------------------------------------------------

    async def switch_branch(self, message_id: int, step: int) -> int | None:
        """Show the previous (-1) or next (+1) sibling of a message and the newest branch below
        it; returns the sibling's id (None: there is none that way)."""
        return await self.branches.switch(message_id, step)

    async def fork(self, message_id: int | None = None) -> int | None:
        """A new conversation with the branch up to ``message_id`` (None: all of the branch
        shown), opened; returns its id."""
        return await self.branches.fork(message_id)

    # -- conversations -------------------------------------------------------------------------

    def title(self, cid: int) -> str:
        return self.store.get_conversation(cid).title

    async def rename(self, cid: int, title: str) -> None:
        self.store.rename_conversation(cid, title)
        await self.touched(cid)

    async def update_conversation(self, cid: int, **fields: object) -> None:
        """The conversation's own model or system prompt (the settings screen)."""
        self.store.set_conversation_fields(cid, **fields)  # type: ignore[arg-type]
        await self.touched(cid)
        await self.status_changed()

    async def delete(self, cid: int) -> None:
        """Delete a conversation (stop its reply first); the open one is replaced by a new one."""
        self.store.delete_conversation(cid)
        await self._emit(ConversationRemoved(cid, elsewhere=False))
        if cid == self.current_id:
            await self.open(None)

    # -- tools -------------------------------------------------------------------------------

    @property
    def toolbox(self) -> Toolbox | None:
        return self.service.toolbox

    def start_tools(self) -> None:
        """Start the MCP servers in the background (after the first screen is drawn)."""
        self.tool_watch.start()

    async def restart_server(self, name: str) -> None:
        """Restart one MCP server (the palette's "Restart MCP server"); KeyError if unknown."""
        await self.tool_watch.restart(name)

    async def apply_settings(self, settings: Settings) -> None:
        self.service.update_settings(settings)
        await self.status_changed()

    async def toggle_thinking(self) -> bool:
        self.thinking = not self.thinking
        await self.status_changed()
        return self.thinking

    # -- compare -----------------------------------------------------------------------------

    async def compare(self, text: str, models: Sequence[str]) -> CompareTurn | None:
        """Save a prompt at the end of the branch shown, with a reply row from each of two or
        three ``models`` (siblings, in that order); run it with ``run_compare``. Raises
        ValueError (the models), CannotSend, Busy or a StoreError (see compare.py)."""
        return await self.compares.start(text, models)

    async def run_compare(self, turn: CompareTurn) -> None:
        """Stream every reply of a compare at once; cancel the task running this to stop all."""
        await self.compares.run(turn)

    async def continue_with(self, reply_id: int, *, adopt_model: bool = True) -> None:
        """ "Continue with this one": reply ``reply_id`` becomes the branch shown (during a
        compare: once its replies are done), and its model the conversation's."""
        await self.compares.continue_with(reply_id, adopt_model=adopt_model)

    # -- models and money ------------------------------------------------------------------------

    async def model_choices(self, *, refresh: bool = False) -> ModelChoices:
        """The model picker's list (cached for a day unless ``refresh``), current and default
        model; ``problem`` says why there is no list (offline, no cache)."""
        return await self.model_picker.choices(refresh=refresh)

    def refresh_models(self, *, force: bool = False) -> asyncio.Task[ModelChoices] | None:
        """Fetch the model list in the background if it is a day old (or ``force``): call it
        after the first screen; ModelsChanged follows. The fetch under way, if any."""
        return self.model_picker.refresh_in_background(force=force)

    async def set_conversation_model(self, model: str) -> None:
        """The open conversation's model, saved with it (a new conversation: made with it)."""
        await self.model_picker.set_conversation_model(model)

    async def set_default_model(self, model: str, *, save: bool = True) -> None:
        """The model of new conversations, saved as ``model`` in config.toml (ConfigError)."""
        await self.model_picker.set_default_model(model, save=save)

    def budget(self) -> BudgetState | None:
        """This month's spend against ``budget_usd`` (None: no budget); ``Status.budget``."""
        return self.spend.budget()

    def over_budget(self) -> bool:
        """Past 100 % of the monthly budget: the window asks before each send."""
        state = self.spend.budget()
        return state is not None and state.over

    def usage_report(self, days: int = 30) -> UsageReport:
        """The usage screen's figures for the last ``days`` days (StoreError). It reads the
        whole history: a worker should run it on a large one."""
        return self.spend.report(days)

    # -- other programs ------------------------------------------------------------------------

    async def look_elsewhere(self) -> None:
        """Show what other programs wrote (another glm-tui, ``glm-tui ask``, ``rm``): one cheap
        PRAGMA when nothing changed (elsewhere.py)."""
        await self.elsewhere.look()
