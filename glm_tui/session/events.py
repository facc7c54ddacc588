"""What the session tells its listeners: each event carries the rows it concerns, so that a
listener never reads the store again to show it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from glm_tui.api.events import Usage
from glm_tui.records import record
from glm_tui.session.live import LiveToolCall, LiveTurn
from glm_tui.store import Conversation, ConversationSummary, MatchHighlight, Message

if TYPE_CHECKING:
    from glm_tui.attachments import Attachment
    from glm_tui.budget import BudgetState
    from glm_tui.session.compare import LiveCompare
    from glm_tui.session.model_choice import ModelChoices
    from glm_tui.store.compactions import Compaction
    from glm_tui.tools.toolbox import ServerStatus


@record
class Status:
    """What the status line says: where the next request goes, and what the conversation cost."""

    provider: str
    """The provider's name ("" for the demo model, whose model name says it all)."""
    model: str
    """The model the next request is sent to (the open conversation's own, perhaps)."""
    thinking: bool
    usage: Usage | None
    """The open conversation's tokens and cost, all branches."""
    writing: int
    """Replies being written, in any conversation."""
    tools: int = 0
    """Tools the next request offers (built-in and MCP)."""
    context_used: int | None = None
    """Tokens the branch shown fills of the model's window when sent (the provider's count
    for the last reply plus an estimate of what came since); None: no conversation yet."""
    context_window: int | None = None
    """The model's window in tokens (200K for GLM-4.7)."""

    @property
    def context_fraction(self) -> float | None:
        if self.context_used is None or not self.context_window:
            return None
        return self.context_used / self.context_window

    @property
    def context_warning(self) -> bool:
        """Past 80 % of the window: show the figure in a warning colour."""
        fraction = self.context_fraction
        return fraction is not None and fraction >= 0.8

    @property
    def context_label(self) -> str:
        """``ctx 12.4k/200k`` ('' with no conversation)."""
        if self.context_used is None or not self.context_window:
            return ""
        from glm_tui.context.estimate import format_tokens

        return f"ctx {format_tokens(self.context_used)}/{format_tokens(self.context_window)}"

    budget: BudgetState | None = None
    """This month's spend against ``budget_usd`` (None: no budget). ``budget.level`` is
    ``warning`` past 80 %, ``over`` past 100 %; ``budget.sentence()`` says it."""


@record
class ConversationsLoaded:
    """The whole list, newest first (at the start, and after other programs wrote)."""

    summaries: Sequence[ConversationSummary]
    complete: bool = True
    """False for the first page only (the rest follows in another ConversationsLoaded)."""


@record
class ConversationTouched:
    """One conversation was added or changed here (a turn, a rename): it moves to the top."""

    summary: ConversationSummary


@record
class ConversationRemoved:
    conversation_id: int
    elsewhere: bool
    """Deleted by another program (the open one then says so)."""


@record
class ConversationOpened:
    """The window shows another conversation (None: a new, empty one)."""

    conversation: Conversation | None
    path: Sequence[Message]
    """The branch shown, root first."""
    live: LiveTurn | None
    """The reply being written in it, if any."""
    message_id: int | None = None
    """The message to put the cursor on (a search hit, a bookmark)."""
    compaction: Compaction | None = None
    """The compaction that applies to ``path``: fold its messages up to ``through_id``."""
    compare: LiveCompare | None = None
    """The compare being written in it, if any (its replies stream into its columns)."""
    highlight: MatchHighlight | None = None
    """A search hit's matched words in that message, to highlight (``terms``)."""


@record
class BranchChanged:
    """The branch shown left ``replaced_id`` for its sibling ``path[0]``, down to ``path[-1]``."""

    conversation_id: int
    replaced_id: int
    path: Sequence[Message]
    live: LiveTurn | None


@record
class ChangedElsewhere:
    """Another program added to the open conversation: ``path`` is the branch to show now."""

    conversation_id: int
    path: Sequence[Message]


@record
class TurnQueued:
    """A prompt is on its way (saved, or being saved): the reply will be written here."""

    live: LiveTurn


@record
class TurnBegan:
    """The prompt and the reply's row are saved; the reply streams into ``live``."""

    live: LiveTurn
    user: Message
    reply: Message


@record
class TurnFinished:
    """The reply is final (``message`` None: it never began, or it is gone with its
    conversation)."""

    live: LiveTurn
    message: Message | None


@record
class ToolCallChanged:
    """A call of a live turn was proposed, decided, started or finished: show ``call``."""

    live: LiveTurn
    call: LiveToolCall


@record
class ReplyContinued:
    """The tool results went back to the model: the turn goes on in ``reply``, a new row
    (streaming) below the results; ``live.assistant_id`` is now its id."""

    live: LiveTurn
    reply: Message


@record
class ToolsChanged:
    """An MCP server started, failed or stopped. ``failures`` holds one line per problem
    (naming the server and why); ``new_failures`` those not told before (notify them)."""

    tools: int
    servers: Sequence[ServerStatus]
    failures: Sequence[str]
    new_failures: Sequence[str]


@record
class ConversationChanged:
    """A conversation changed in place: its title (an automatic title arrived, or the user's),
    its pin or its tags. Its row keeps its place among the pinned or the others (see
    conversation_filter.with_changed); pinned or unpinned, it moves between them."""

    summary: ConversationSummary
    what: str
    """``title``, ``pinned`` or ``tags``."""


@record
class BookmarkChanged:
    """A message was bookmarked (``bookmarked``) or its bookmark removed."""

    conversation_id: int
    message_id: int
    bookmarked: bool


@record
class StatusChanged:
    status: Status


@record
class AttachmentsChanged:
    """The attachments waiting for the next prompt changed (the chips above the composer)."""

    pending: Sequence[Attachment]
    tokens: int
    """Their estimate together."""
    note: str = ""
    """What the last attaching left out or changed (a folder's summary, a downscaled image),
    for a notification ('' if nothing)."""


@record
class CompactionChanged:
    """A compaction was made or undone on the branch shown: fold the messages up to
    ``compaction.through_id`` ("12 earlier messages summarised"), or unfold (None)."""

    conversation_id: int
    compaction: Compaction | None
    """The compaction that now applies to the branch shown (None: none)."""
    undone: Compaction | None = None
    """The one just undone, if that was the change."""


@record
class ContextOverflowed:
    """A reply failed because the conversation no longer fits the model's window: offer
    "Compact and retry" (``Session.compact_and_retry(message.id)``)."""

    live: LiveTurn
    message: Message


@record
class CompareBegan:
    """A prompt went to several models at once: ``user`` is its row, ``replies`` the rows of
    the replies (streaming, siblings), in the order of ``compare.models``; each streams into
    ``compare.replies[i]`` (set its ``listener`` to follow the text)."""

    compare: LiveCompare
    user: Message
    replies: Sequence[Message]


@record
class CompareReplyChanged:
    """Reply ``index`` of a compare connected, began its answer (the thinking ended), got its
    usage, or continued after tool calls: show ``live`` again (time, tokens, cost)."""

    compare: LiveCompare
    index: int
    live: LiveTurn


@record
class CompareReplyFinished:
    """Reply ``index`` of a compare is final (``message`` None: it is gone with its
    conversation); the others may still stream."""

    compare: LiveCompare
    index: int
    live: LiveTurn
    message: Message | None


@record
class CompareFinished:
    """Every reply of a compare is final; ``path`` is the branch shown now (through the reply
    chosen with ``continue_with``, else the first model's)."""

    compare: LiveCompare
    path: Sequence[Message]


@record
class ModelsChanged:
    """The provider's model list was fetched (or confirmed, or found unreachable): the
    picker's ``choices`` are new."""

    choices: ModelChoices


SessionEvent = (
    ConversationsLoaded
    | ConversationTouched
    | ConversationRemoved
    | ConversationOpened
    | BranchChanged
    | ChangedElsewhere
    | TurnQueued
    | TurnBegan
    | TurnFinished
    | ToolCallChanged
    | ReplyContinued
    | ToolsChanged
    | ConversationChanged
    | BookmarkChanged
    | StatusChanged
    | AttachmentsChanged
    | CompactionChanged
    | ContextOverflowed
    | CompareBegan
    | CompareReplyChanged
    | CompareReplyFinished
    | CompareFinished
    | ModelsChanged
)
