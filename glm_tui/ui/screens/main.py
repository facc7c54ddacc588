"""The main screen: the sidebar, the message pane, the composer and the status line.

It is put together from parts, each a plain object it owns: the session (what is open, every
store call), ``SessionView`` (what the screen shows when the session tells it something),
``TurnRunner`` (a worker per reply), ``ConversationActions`` and ``BranchActions`` (what the keys
and the widgets' requests do) and ``ScreenKeys`` (the sidebar on narrow terminals, the scroll
keys). Its keys come from ``ui/keys.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content

from glm_tui.session import Session
from glm_tui.ui import keys
from glm_tui.ui.browser import connect_browser, export_current
from glm_tui.ui.memory import Collector
from glm_tui.ui.screens.approvals import PanelApprover
from glm_tui.ui.screens.attach_actions import AttachActions
from glm_tui.ui.screens.branch_actions import BranchActions
from glm_tui.ui.screens.context_actions import ContextActions
from glm_tui.ui.screens.conversation_actions import ConversationActions
from glm_tui.ui.screens.mention_completion import MentionCompletion
from glm_tui.ui.screens.model_actions import ModelActions
from glm_tui.ui.screens.organize_actions import OrganizeActions
from glm_tui.ui.screens.problems import attempt
from glm_tui.ui.screens.screen_keys import ScreenKeys
from glm_tui.ui.screens.session_view import SessionView
from glm_tui.ui.screens.slash_actions import SlashActions
from glm_tui.ui.screens.turn_runner import TurnRunner
from glm_tui.ui.textual_private import FirstResumeScreen, QuietVertical
from glm_tui.ui.widgets.attachment_chips import AttachmentBar
from glm_tui.ui.widgets.composer import Composer
from glm_tui.ui.widgets.key_footer import KeyFooter
from glm_tui.ui.widgets.message_actions import MessageActions
from glm_tui.ui.widgets.message_pane import MessagePane
from glm_tui.ui.widgets.messages import AssistantMessage, MissingReply
from glm_tui.ui.widgets.path_completion import PathCompletion
from glm_tui.ui.widgets.selection import MessageCursor
from glm_tui.ui.widgets.sidebar import PAGE_SIZE as SIDEBAR_PAGE
from glm_tui.ui.widgets.sidebar import ConversationList, Sidebar
from glm_tui.ui.widgets.slash_list import SlashList
from glm_tui.ui.widgets.status_line import StatusLine
from glm_tui.ui.widgets.thinking import import_markdown

POLL_SECONDS = 2.0
"""How often the screen looks for changes made by other processes (``glm-tui ask``...)."""

Clock = Callable[[], datetime]


class MainScreen(FirstResumeScreen):
    AUTO_FOCUS = "#composer"
    """The composer has the focus from the start. Textual's default ("*") focused the search
    box first, and moving the focus restyled both."""
    BINDINGS = keys.bindings("screen")

    def __init__(self, session: Session, *, now: Clock, collector: Collector) -> None:
        super().__init__(id="_default")
        keys.install(self, "screen")
        self.key_table = keys.table_of(self)
        self.session = session
        self.now = now
        self.collector = collector
        self.turns = TurnRunner(self, session)
        self.conversations = ConversationActions(self, session)
        self.branches = BranchActions(self, session)
        self.models = ModelActions(self, session)
        self.screen_keys = ScreenKeys(self)
        self.organize = OrganizeActions(self, session)
        self.slash = SlashActions(self, session)
        self.approver = PanelApprover(self)
        session.approver = self.approver  # tool calls are asked about in the approval panel
        self.attaching = AttachActions(self, session)
        self.mentions = MentionCompletion(self, session)
        self.context = ContextActions(self, session)
        self.started = False
        """The first screen is up: the history listed, the status line filled."""

    def seconds(self) -> float:
        return self.now().timestamp()

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield Sidebar(now=self.now, id="sidebar")
            with QuietVertical(id="chat"):
                yield MessagePane(clock=self.seconds, empty_text=self.empty_text(), id="messages")
                yield SlashList(id="slash-list")
                yield PathCompletion(id="path-completion")
                yield AttachmentBar(id="attachments")
                yield Composer(id="composer", placeholder=self.key_table.composer_hint())
                yield StatusLine(id="status-line")
        yield KeyFooter(keep=("f1",))

    def empty_text(self) -> Content:
        table = self.key_table
        sidebar = [keys.key_name(key) for key in table.action_keys("toggle_sidebar")]
        said = [
            (table.first("toggle_thinking"), "turns thinking on or off"),
            (sidebar[0] + (f" (or {' or '.join(sidebar[1:])})" if sidebar[1:] else "")
             if sidebar else "", "hides the sidebar"),
            (table.first("help"), "lists every key"),
        ]  # fmt: skip
        tips = "".join(f", {key} {what}" for key, what in said if key)
        return Content.assemble(
            ("New conversation", "bold"),
            "\n\n",
            f"Model: {self.session.settings.model_label}\n\n",
            f"Type below and press Enter to send. Ctrl+J adds a line{tips}.",
        )

    def settings_changed(self) -> None:
        """The settings changed (the demo switch, the settings screen): the empty pane's text."""
        self.pane.set_empty_text(self.empty_text())

    @property
    def pane(self) -> MessagePane:
        return self.query_one("#messages", MessagePane)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one("#sidebar", Sidebar)

    @property
    def composer(self) -> Composer:
        return self.query_one("#composer", Composer)

    @property
    def attachment_bar(self) -> AttachmentBar:
        return self.query_one("#attachments", AttachmentBar)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one("#status-line", StatusLine)

    def _conversation_shown(self) -> bool:
        """Whether the conversation opened last is all on the screen: the collector waits for
        it. Asked after each layout of the screen, so also while the app closes, its pane
        already removed (nothing to wait for then)."""
        for pane in self.query("#messages").results(MessagePane):
            return pane.settled
        return True

    async def on_mount(self) -> None:
        session = self.session
        view = SessionView(self)
        session.subscribe(view)
        connect_browser(self.app, session)
        self.composer.key_hook = self.mentions.key
        self.composer.paste_hook = self.attaching.paste
        self.pane.branch_info = session.branch_positions
        self.pane.image_loader = self._image_bytes
        self.collector.shown = self._conversation_shown
        self.collector.busy = self.turns.writing
        self.screen_layout_refresh_signal.subscribe(self, self.collector.laid_out, immediate=True)
        self.composer.completion = self.slash
        self.screen_keys.fit(self.app.size.width)
        # The first screen needs the first page of the sidebar; the whole list (which the search
        # box filters) is read just after it is drawn: 10,000 conversations take ~40 ms.
        if (await attempt(self.app, session.load_conversations(SIDEBAR_PAGE)) or 0) >= SIDEBAR_PAGE:
            self.call_after_refresh(self._load_all_conversations)
        await session.status_changed()
        self.composer.focus()
        await session.look_elsewhere()  # the first look notes where the history is
        self.set_interval(POLL_SECONDS, self.conversations.look_elsewhere)
        self.started = True
        self.call_after_refresh(self.slash.load)
        self.call_after_refresh(view.tools.start)  # MCP servers: never before the first screen
        self.call_after_refresh(self._start_warm_up)
        if session.settings.request_problem() and not session.settings.is_demo:
            await self.welcome()

    def _start_warm_up(self) -> None:
        # After the first paint, as its docstring says, not at mount: the thread's imports hold
        # the interpreter in turns with the event loop while it lays out and draws the first
        # frame. Measured inside the app, that frame came 5 ms sooner (median of ten
        # interleaved starts, 9 ms at the fastest); from outside, within the noise.
        self.run_worker(self._warm_up, thread=True, group="warm-up", exit_on_error=False)

    def _warm_up(self) -> None:
        """In a thread, once the first screen is up: what the first reply needs and the first
        screen does not (the HTTP client; Textual's Markdown, markdown-it and Pygments), so
        that the event loop does not stop for them when the reply starts. (Compiling the
        lexers of a dozen common languages here too made keys typed while the first reply
        streamed slower, not faster: the thread held the interpreter meanwhile.)"""
        self.session.service.warm_up()
        import_markdown()

    def _image_bytes(self, sha256: str) -> bytes | None:
        content = self.session.attachments.content(sha256)
        return content.data if content is not None else None

    async def _load_all_conversations(self) -> None:
        await attempt(self.app, self.session.load_conversations())

    def on_resize(self, event: events.Resize) -> None:
        self.screen_keys.fit(event.size.width)

    async def welcome(self) -> None:
        """The first-run screen (the app's: it owns the settings)."""
        await self.app.run_action("welcome")

    async def open_conversation(self, cid: int | None, message_id: int | None = None) -> None:
        """Show a conversation (None: a new one), as the sidebar and the palette do."""
        await self.conversations.open(cid, message_id)

    # -- what the widgets ask for --------------------------------------------------------------

    @on(Composer.Submitted)
    async def _send(self, event: Composer.Submitted) -> None:
        event.stop()
        if event.composer is self.composer:
            if event.text.startswith("/"):
                await self.slash.submit(event.text)
            else:
                await self.conversations.send(event.text)

    @on(Composer.Changed, "#composer")
    def _composer_changed(self, event: Composer.Changed) -> None:
        text = self.composer.text
        if text.startswith("/") or self.query_one(SlashList).shown:
            self.slash.text_changed(text)

    @on(Composer.Changed)
    @on(Composer.SelectionChanged)
    def _composer_moved(self, event: Composer.Changed | Composer.SelectionChanged) -> None:
        if event.text_area is self.composer:
            self.mentions.update()

    @on(AttachmentBar.RemoveRequested)
    async def _remove_attachment(self, event: AttachmentBar.RemoveRequested) -> None:
        event.stop()
        await self.attaching.remove(event.index, event.attachment)

    @on(AttachmentBar.OpenRequested)
    def _open_attachment(self, event: AttachmentBar.OpenRequested) -> None:
        event.stop()
        self.attaching.open_pending(event.attachment)

    @on(AttachmentBar.Left)
    def _left_chips(self, event: AttachmentBar.Left) -> None:
        event.stop()
        self.composer.focus()

    @on(Composer.SelectMessages)
    def _up_from_composer(self, event: Composer.SelectMessages) -> None:
        if event.composer is self.composer:
            event.stop()
            self.pane.select_last()

    @on(MessageCursor.LeftBottom)
    def _down_from_messages(self, event: MessageCursor.LeftBottom) -> None:
        event.stop()
        self.composer.focus()

    @on(Sidebar.Opened)
    async def _sidebar_opened(self, event: Sidebar.Opened) -> None:
        if event.message_id is not None and event.query:
            organizer = self.session.organizer
            await attempt(
                self.app, organizer.open_hit(event.conversation_id, event.message_id, event.query)
            )
        else:
            await self.conversations.open(event.conversation_id, event.message_id)
        self.screen_keys.opened()
        if event.message_id is None:
            self.composer.focus()

    @on(Sidebar.FullTextSearch)
    def _full_text_search(self, event: Sidebar.FullTextSearch) -> None:
        self.conversations.full_text_search(event.query)

    @on(ConversationList.DeleteRequested)
    def _delete_requested(self, event: ConversationList.DeleteRequested) -> None:
        self.conversations.confirm_delete(event.conversation_id)

    @on(ConversationList.PinRequested)
    async def _pin_requested(self, event: ConversationList.PinRequested) -> None:
        await self.organize.toggle_pin(event.conversation_id)

    @on(ConversationList.TagRequested)
    def _tag_requested(self, event: ConversationList.TagRequested) -> None:
        self.organize.tag(event.conversation_id)

    @on(AssistantMessage.Retry)
    async def _retry(self, event: AssistantMessage.Retry) -> None:
        await self.conversations.retry(event.message_id)

    @on(AssistantMessage.CompactAndRetry)
    def _compact_and_retry(self, event: AssistantMessage.CompactAndRetry) -> None:
        self.context.compact_and_retry(event.message_id)

    @on(MissingReply.Retry)
    async def _reply_again(self, event: MissingReply.Retry) -> None:
        await self.conversations.reply_again(event.user_message_id)

    @on(MessageActions.Requested)
    async def _message_requested(self, event: MessageActions.Requested) -> None:
        event.stop()
        if not self.is_active:
            return
        if event.kind == "attachments":
            widget = self.pane.widget_for(event.message_id)
            if widget is not None:
                self.attaching.open_sent(widget.message)
            return
        await self.branches.requested(event)

    # -- the keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.screen_keys.allows(action, parameters)

    async def action_stop(self) -> None:
        cid = self.session.current_id
        if cid is not None and cid in self.session.live:
            await self.turns.cancel(cid)
            return
        if self.context.cancel():
            return
        sidebar = self.sidebar
        focused = self.focused
        if sidebar.hits is not None or sidebar.search_input.value:
            sidebar.clear_search()
            self.composer.focus()
        elif self.screen_keys.narrow and sidebar.display:
            self.screen_keys.show_sidebar(False)
        elif focused is not None and (
            sidebar in focused.ancestors
            or self.pane in focused.ancestors_with_self
            or self.attachment_bar in focused.ancestors
        ):
            self.composer.focus()

    async def action_new_conversation(self) -> None:
        await self.conversations.new()

    def action_toggle_sidebar(self) -> None:
        self.screen_keys.toggle_sidebar()

    def action_search(self) -> None:
        self.screen_keys.search()

    async def action_regenerate(self) -> None:
        await self.conversations.regenerate_last()

    async def action_toggle_web_search(self) -> None:
        await self.app.run_action("toggle_web_search")  # the app owns the settings

    async def action_toggle_thinking(self) -> None:
        await self.conversations.toggle_thinking()

    def action_rename(self) -> None:
        self.conversations.rename()

    def action_delete_current(self) -> None:
        if self.session.current_id is not None:
            self.conversations.confirm_delete(self.session.current_id)

    async def action_pin_current(self) -> None:
        if self.session.current_id is not None:
            await self.organize.toggle_pin(self.session.current_id)

    def action_tag_current(self) -> None:
        if self.session.current_id is not None:
            self.organize.tag(self.session.current_id)

    def action_bookmarks(self) -> None:
        self.organize.show_bookmarks()

    def action_new_with_role(self) -> None:
        self.organize.new_with_role()

    def action_group_by_tag(self) -> None:
        self.organize.group_by_tag()

    def action_export(self, fmt: str = "md") -> None:
        export_current(self, fmt)

    async def action_fork(self) -> None:
        if self.session.current_id is not None:
            await self.conversations.fork()

    def action_page(self, step: int) -> None:
        self.screen_keys.page(step)

    def action_conversation_top(self, always: bool = False) -> None:
        self.screen_keys.top()

    def action_conversation_end(self, always: bool = False) -> None:
        self.screen_keys.end()

    async def action_quit(self) -> None:
        await self.app.run_action("quit")

    def on_screen_suspend(self) -> None:
        self.query_one(KeyFooter).refresh_keys()  # a dialog is over it: the app's keys only

    def on_screen_resume(self) -> None:
        self.query_one(KeyFooter).refresh_keys()

    def action_attach_file(self) -> None:
        self.attaching.pick_file()

    def action_compact(self) -> None:
        self.context.compact()

    async def action_undo_compaction(self) -> None:
        await self.context.undo()

    def action_compact_and_retry(self) -> None:
        self.context.compact_and_retry()

    async def action_settings(self) -> None:
        await self.app.run_action("settings")  # the app owns the settings

    def action_pick_model(self) -> None:
        self.models.pick()

    def action_usage(self) -> None:
        self.models.usage()

    def action_compare(self) -> None:
        self.models.compare()
