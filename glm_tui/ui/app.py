"""The Textual app: sidebar, message pane, composer, status line; one worker per turn.

``create_app`` is the one factory, used by ``run_app`` (the CLI) and by the tests.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen

from glm_tui.api.events import Usage
from glm_tui.chat import ChatService
from glm_tui.config import Settings, config_permission_warning
from glm_tui.store import Conversation, NotFound, Store, StoreError
from glm_tui.ui.live import LiveTurn
from glm_tui.ui.memory import Collector
from glm_tui.ui.screen_keys import ScreenKeysApp
from glm_tui.ui.themes import setup_themes, watch_themes
from glm_tui.ui.widgets.composer import Composer
from glm_tui.ui.widgets.key_footer import KeyFooter
from glm_tui.ui.widgets.message_pane import MessagePane
from glm_tui.ui.widgets.messages import AssistantMessage, MissingReply
from glm_tui.ui.widgets.sidebar import HIGHLIGHT, Sidebar
from glm_tui.ui.widgets.sidebar import PAGE_SIZE as SIDEBAR_PAGE
from glm_tui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.command import Provider

    from glm_tui.api.client import GLMClient
    from glm_tui.ui.screens.welcome import WelcomeChoice

SIDEBAR_LIMIT = 10_000
SEARCH_LIMIT = 200
POLL_SECONDS = 2.0
"""How often the app looks for changes made by other processes (``glm-tui ask``...)."""

Clock = Callable[[], datetime]

_SIDEBAR_KEYS = Binding.Group("Sidebar")


# Screens, palette providers and the HTTP client are imported when first used, not at start-up:
# the first screen needs none of them, and each import is tens of milliseconds.
def _action_commands() -> type[Provider]:
    from glm_tui.ui.commands import ActionCommands

    return ActionCommands


def _conversation_commands() -> type[Provider]:
    from glm_tui.ui.commands import ConversationCommands

    return ConversationCommands


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#composer"
    """The composer has the focus from the start. Textual's default ("*") focused the search
    box first, and moving the focus restyled both."""

    _shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's handler. A screen restyles every widget when it is shown again,
        # in case the CSS changed while it was hidden; the first time, its widgets were just
        # styled as they mounted, and doing it again was a twentieth of the first screen.
        if not self._shown:
            self._shown = True
            event.refresh_styles = False


class GLMApp(ScreenKeysApp):
    CSS_PATH = "app.tcss"
    TITLE = "glm-tui"
    COMMANDS = App.COMMANDS | {_action_commands, _conversation_commands}
    BINDINGS = [
        Binding("escape", "stop", "Stop"),
        Binding("ctrl+n", "new_conversation", "New", priority=True),
        # Ctrl+B is tmux's prefix: Ctrl+L does the same inside tmux and screen (README, Keys).
        # Two actions ("...()" is the same one) so that the footer shows both keys as a group.
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", priority=True, group=_SIDEBAR_KEYS),
        Binding("ctrl+l", "toggle_sidebar()", "Sidebar", priority=True, group=_SIDEBAR_KEYS),
        Binding("ctrl+f", "search", "Search", priority=True),
        Binding("ctrl+r", "regenerate", "Regenerate", priority=True),
        Binding("ctrl+t", "toggle_thinking", "Thinking", priority=True),
        Binding("f2", "rename", "Rename", priority=True),
        # The conversation scrolls from anywhere; check_action leaves a key to the focused
        # widget when it has a use for it (the list, a field holding text).
        Binding("pageup", "page(-1)", "Page up", priority=True, show=False),
        Binding("pagedown", "page(1)", "Page down", priority=True, show=False),
        Binding("home", "conversation_top", "Top", priority=True, show=False),
        Binding("end", "conversation_end", "End", priority=True, show=False),
        Binding("ctrl+home", "conversation_top(True)", "Top", priority=True, show=False),
        Binding("ctrl+end", "conversation_end(True)", "End", priority=True, show=False),
        Binding("f1", "help", "Help", priority=True),
        Binding("f3", "settings", "Settings", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, settings: Settings, *, store: Store, service: ChatService, now: Clock
    ) -> None:
        super().__init__()
        self.settings = settings
        self._theme_problems = setup_themes(self)
        self.store = store
        self.service = service
        self.now = now
        self.thinking = settings.thinking is not False
        """Ask the model to think on the next request (Ctrl+T)."""
        self.current_id: int | None = None
        self.live: dict[int, LiveTurn] = {}
        """Replies being written, by conversation id."""
        self._data_version: int | None = None
        self.collector = Collector(self)

    def seconds(self) -> float:
        return self.now().timestamp()

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield Sidebar(now=self.now, id="sidebar")
            with Vertical(id="chat"):
                yield MessagePane(clock=self.seconds, empty_text=self._empty_text(), id="messages")
                yield Composer(
                    id="composer",
                    placeholder="Message GLM · Enter: send · Ctrl+J: new line · F1: help",
                )
                yield StatusLine(id="status-line")
        yield KeyFooter(keep=("f1",))

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(id="_default")

    def _empty_text(self) -> Content:
        return Content.assemble(
            ("New conversation", "bold"),
            "\n\n",
            f"Model: {self.settings.model_label}\n\n",
            "Type below and press Enter to send. Ctrl+J adds a line, Ctrl+T turns thinking on "
            "or off, Ctrl+B (or Ctrl+L) hides the sidebar, F1 lists every key.",
        )

    @property
    def pane(self) -> MessagePane:
        return self.query_one("#messages", MessagePane)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one("#sidebar", Sidebar)

    @property
    def composer(self) -> Composer:
        return self.query_one("#composer", Composer)

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_screen_drawn)
        watch_themes(self, self._theme_problems)
        if warning := config_permission_warning(self.settings):
            self.notify(warning, title="Config file", severity="warning", markup=False, timeout=15)
        # The first screen needs the first page of the sidebar; the whole list (which the search
        # box filters) is read just after it is drawn: 10,000 conversations take ~40 ms.
        if self.refresh_sidebar(limit=SIDEBAR_PAGE) >= SIDEBAR_PAGE:
            self.call_after_refresh(self.refresh_sidebar)
        self.update_status()
        self.composer.focus()
        self._data_version = self._safe(self.store.data_version)
        self.set_interval(POLL_SECONDS, self._poll_store)
        if self.settings.request_problem() and not self.settings.is_demo:
            self._welcome()

    def _first_screen_drawn(self) -> None:
        self.collector.started()

    async def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            await self.service.aclose()

    # -- refreshing ---------------------------------------------------------------------------

    def _safe(self, func: Callable[[], object]) -> object:
        """Run a store call; a failure becomes a notification instead of a crash."""
        try:
            return func()
        except StoreError as exc:
            self.notify(str(exc), title="History database", severity="error", markup=False)
            return None

    def refresh_sidebar(self, limit: int = SIDEBAR_LIMIT) -> int:
        """Show the newest ``limit`` conversations in the sidebar; returns how many there were."""
        summaries = self._safe(lambda: self.store.list_conversations(limit=limit)) or []
        self.sidebar.set_conversations(
            summaries,  # type: ignore[arg-type]
            live_ids=set(self.live),
            current_id=self.current_id,
        )
        return len(summaries)  # type: ignore[arg-type]

    def update_status(self) -> None:
        usage: Usage | None = None
        conversation: Conversation | None = None
        if self.current_id is not None:
            try:
                conversation = self.store.get_conversation(self.current_id)
                usage = self.store.conversation_usage(self.current_id)
            except NotFound:
                pass  # deleted by another program: the app notices it on its next look
            except StoreError as exc:
                self.notify(str(exc), title="History database", severity="error", markup=False)
        self.query_one(StatusLine).show(
            self.settings,
            model=self.service.model_for(conversation),
            thinking=self.thinking,
            usage=usage,
            writing=len(self.live),
        )

    # -- conversations ------------------------------------------------------------------------

    async def open_conversation(self, cid: int | None, message_id: int | None = None) -> None:
        self.current_id = cid
        if cid is not None and message_id is not None:
            self.branch_through(cid, message_id)  # a search hit may be on another branch
        path = [] if cid is None else self._safe(lambda: self.store.current_path(cid)) or []
        await self.pane.show(cid, path, self.live.get(cid) if cid else None)  # type: ignore[arg-type]
        self.sidebar.select(cid)
        self.update_status()
        self.collector.later()
        if message_id is not None:
            await self.select_message(message_id)

    @on(Sidebar.Opened)
    async def _sidebar_opened(self, event: Sidebar.Opened) -> None:
        await self.open_conversation(event.conversation_id, event.message_id)
        if self.narrow:
            self._show_sidebar(False)  # it was over the pane
        if event.message_id is None:
            self.composer.focus()

    @on(Sidebar.FullTextSearch)
    def _full_text_search(self, event: Sidebar.FullTextSearch) -> None:
        try:
            hits = self.store.search(event.query, limit=SEARCH_LIMIT, highlight=HIGHLIGHT)
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), title="Search", severity="error", markup=False)
            return
        self.sidebar.show_hits(event.query, hits)
        self.sidebar.option_list.focus()

    @on(Composer.Submitted)
    def _send(self, event: Composer.Submitted) -> None:
        event.stop()
        problem = self.settings.request_problem()
        if problem:
            self.cannot_send(problem)
            self._welcome()
            return
        text = event.text
        cid = self.current_id
        thinking = self.thinking
        if cid is not None and self._busy(cid):
            return
        if cid is None:
            new_id = self._safe(lambda: self.service.new_conversation(text))
            if not isinstance(new_id, int):
                return
            cid = self.current_id = new_id
            self.pane.conversation_id = cid
            self.sidebar.select(cid)
        target = cid
        # After the branch this window shows, wherever another window has moved since.
        after = self.pane.leaf_id if self.pane.conversation_id == cid else None
        if self.start_turn(
            cid,
            lambda: self.service.send(text, conversation_id=target, thinking=thinking, after=after),
        ):
            self.composer.clear()

    @on(AssistantMessage.Retry)
    def _retry(self, event: AssistantMessage.Retry) -> None:
        self.regenerate(event.message_id)

    @on(MissingReply.Retry)
    def _reply_again(self, event: MissingReply.Retry) -> None:
        self.reply_again(event.user_message_id)

    # -- actions ------------------------------------------------------------------------------

    async def action_stop(self) -> None:
        cid = self.current_id
        if cid is not None and cid in self.live:
            await self._cancel_turn(cid)
            return
        sidebar = self.sidebar
        if sidebar.hits is not None or sidebar.search_input.value:
            sidebar.clear_search()
            self.composer.focus()
        elif self.narrow and sidebar.display:
            self._show_sidebar(False)
        elif self.focused is not None and (
            sidebar in self.focused.ancestors or self.pane in self.focused.ancestors_with_self
        ):
            self.composer.focus()

    async def action_new_conversation(self) -> None:
        await self.open_conversation(None)
        self.composer.focus()

    def action_regenerate(self) -> None:
        if self.current_id is None:
            return
        cid = self.current_id
        path = self._safe(lambda: self._window_path(cid)) or []  # the branch this window shows
        replies = [m for m in path if m.role == "assistant"]  # type: ignore[attr-defined]
        if path and path[-1].role == "user":  # type: ignore[index]
            self.reply_again(path[-1].id)  # type: ignore[index]
        elif replies:
            self.regenerate(replies[-1].id)

    def action_toggle_thinking(self) -> None:
        self.thinking = not self.thinking
        self.update_status()
        state = "on" if self.thinking else "off"
        self.notify(f"Thinking {state} for the next request.", timeout=2)

    def action_help(self) -> None:
        from glm_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings))

    def action_settings(self) -> None:
        from glm_tui.ui.screens.settings import SettingsScreen

        conversation = None
        if self.current_id is not None:
            cid = self.current_id
            conversation = self._safe(lambda: self.store.get_conversation(cid))
        self.push_screen(
            SettingsScreen(self.settings, list(self.available_themes), conversation)  # type: ignore[arg-type]
        )

    async def action_quit(self) -> None:
        # Stop replies being written so they are saved as stopped, then leave.
        await self.cancel_all_turns()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self.settings.is_demo:
            yield SystemCommand(
                "Use the demo model", "Switch to the offline demo model", self.use_demo
            )

    # -- first run ----------------------------------------------------------------------------

    def _welcome(self) -> None:
        from glm_tui.ui.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen(self.settings), self._welcome_done)

    def _welcome_done(self, choice: WelcomeChoice | None) -> None:
        if choice == "quit":
            self.exit()
        elif choice == "demo":
            self.use_demo()
        self.composer.focus()
        if choice == "settings":
            self.action_settings()

    def cannot_send(self, problem: str) -> None:
        from glm_tui.ui.screens.welcome import cannot_send_text

        self.notify(cannot_send_text(problem), title="Cannot send", severity="error", markup=False)

    def use_demo(self) -> None:
        self.apply_settings(self.settings.with_values(provider="demo", base_url=None, model=None))
        self.notify("Using the offline demo model.", timeout=3)

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings from now on (the demo switch, the settings screen)."""
        old_width, self.settings = self.settings.max_prose_width, settings
        if settings.max_prose_width != old_width:
            self.refresh_css(animate=False)
        self.service.update_settings(settings)
        self.pane.empty_text = self._empty_text()
        with contextlib.suppress(NoMatches):
            self.pane.query_one(".empty-state").update(self.pane.empty_text)  # type: ignore[attr-defined]
        self.update_status()


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    client: GLMClient | None = None,
    now: Clock | None = None,
) -> GLMApp:
    """The app, for ``run_app`` and for tests (which pass their own store, client or clock)."""
    if store is None:
        store = Store.open(settings.db_path)
    service = ChatService(store, settings, client=client)
    return GLMApp(settings, store=store, service=service, now=now or _utc_now)


def exit_status(app: App[object]) -> int:
    """The process's exit status after the app ran: never 0 when it ended on an unhandled error
    (Textual prints the traceback and leaves ``return_code`` at 1)."""
    return app.return_code or 0


def run_app(settings: Settings) -> None:
    try:
        store = Store.open(settings.db_path)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    app = create_app(settings, store=store)
    try:
        app.run()
    finally:
        store.close()
    if status := exit_status(app):
        raise SystemExit(status)
