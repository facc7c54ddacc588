"""The Textual app: the settings, the themes, the command palette, the one place that says what a
failed worker did, and the factory. What the window shows and does is the main screen's
(``screens/main.py``), which asks the session (``glm_tui/session``) for everything.

``create_app`` is the one factory, used by ``run_app`` (the CLI) and by the tests.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import platformdirs
from textual import events
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from glm_tui.chat import ChatService
from glm_tui.config import (
    APP_NAME,
    ConfigError,
    Settings,
    config_permission_warning,
    save_config,
)
from glm_tui.session import Session
from glm_tui.store import Store, StoreError
from glm_tui.ui import keys
from glm_tui.ui.browser import opens
from glm_tui.ui.memory import Collector
from glm_tui.ui.screens.main import MainScreen
from glm_tui.ui.textual_private import css_cache, style_cache
from glm_tui.ui.themes import remember_theme, report_problems, setup_themes

if TYPE_CHECKING:
    from textual.command import Provider

    from glm_tui.api.client import GLMClient
    from glm_tui.tools.toolbox import Toolbox
    from glm_tui.ui.screens.settings_form import FormResult

Clock = Callable[[], datetime]


# The palette's providers, the screens and the HTTP client are imported when first used, not at
# start-up: the first screen needs none of them, and each import is tens of milliseconds.
def _action_commands() -> type[Provider]:
    from glm_tui.ui.commands import ActionCommands

    return ActionCommands


def _conversation_commands() -> type[Provider]:
    from glm_tui.ui.commands import ConversationCommands

    return ConversationCommands


def _tool_commands() -> type[Provider]:
    from glm_tui.ui.tool_commands import ToolServerCommands

    return ToolServerCommands


def _utc_now() -> datetime:
    return datetime.now(UTC)


class GLMApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "glm-tui"
    COMMANDS = App.COMMANDS | {_action_commands, _conversation_commands, _tool_commands}
    BINDINGS = keys.bindings("app")

    def __init__(self, settings: Settings, *, session: Session, now: Clock) -> None:
        self.settings = settings
        self.key_table = keys.KeyTable.for_settings(settings)
        """The keys in force (``[keys]`` and ``keymap`` applied): every binding, F1, the palette."""
        palette_keys = self.key_table.action_keys("command_palette")
        # The footer finds the palette's key by this name (none: a key no terminal sends).
        self.COMMAND_PALETTE_BINDING = palette_keys[0] if palette_keys else "glm-tui-no-key"  # type: ignore[misc]
        super().__init__()
        keys.install(self, "app")
        self._theme_problems = setup_themes(self, settings)
        self.session = session
        self.now = now
        self.collector = Collector(self)
        self.style_cache: style_cache.StyleCache | None = None
        """Kept styling, from the first frame on (``style_cache.py``)."""

    @property
    def main(self) -> MainScreen:
        """The main screen (under any dialog)."""
        screen = self.screen_stack[0] if self.screen_stack else None
        assert isinstance(screen, MainScreen)
        return screen

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The palette's commands act on the main screen: not from a dialog.
        return not (action == "command_palette" and len(self.screen_stack) > 1)

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        # A widget not in the DOM yet is styled when it is mounted (the stylesheet is applied
        # to each widget as it is registered), so a class set before (a Button sets three in its
        # __init__, each restyling it) is work thrown away: 4-8 of the 73-81 applications of
        # the stylesheet in opening a conversation.
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.session, now=self.now, collector=self.collector)

    def get_css_variables(self) -> dict[str, str]:
        # $prose-width caps paragraphs, lists, headings and quotes in replies (app.tcss).
        settings: Settings | None = getattr(self, "settings", None)
        width = settings.max_prose_width if settings is not None else 0
        return {**super().get_css_variables(), "prose-width": str(width) if width else "100%"}

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame)
        report_problems(self, self._theme_problems)
        self.watch(self, "theme", self._theme_chosen, init=False)
        if problems := self.settings.key_problems:
            self.notify(
                "\n".join(problems), title="Keys", severity="warning", markup=False, timeout=15
            )
        if warning := config_permission_warning(self.settings):
            self.notify(warning, title="Config file", severity="warning", markup=False, timeout=15)

    def _first_frame(self) -> None:
        self.collector.started()
        # Nodes styled from now on are mostly of kinds styled before (style_cache.py).
        self.style_cache = style_cache.install(self.stylesheet)
        # What was parsed for it is kept now: a terminal closed under the app never quits it.
        css_cache.save_active()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input_seen()  # a garbage collection waits for a pause
        await super().on_event(event)

    def on_app_focus(self) -> None:
        # Back from another window (perhaps another glm-tui): look now, not at the next tick.
        self.run_worker(self.session.look_elsewhere(), group="look-elsewhere")

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        # Links come from model output: only web and mail ones open (see browser.py).
        if opens(url):
            super().open_url(url, new_tab=new_tab)
        else:
            shown = url if len(url) <= 80 else f"{url[:79]}…"
            self.notify(
                f"Not opened: {shown} (only web and mail links open)",
                severity="warning",
                markup=False,
            )

    async def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            await self.session.service.aclose()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place that handles a worker's failure: say it, keep the app running."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.log.error(event.worker, error)
            if isinstance(error, StoreError):  # its message is one clear line already
                self.notify(str(error), title="History database", severity="error", markup=False)
                return
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Something went wrong",
                severity="error",
                timeout=10,
                markup=False,
            )

    # -- settings ------------------------------------------------------------------------------

    def _theme_chosen(self, name: str) -> None:
        self.settings, problem = remember_theme(self.settings, name)
        if problem:
            self.notify(problem, title="Theme", severity="error", markup=False)

    async def apply_settings(self, settings: Settings) -> None:
        """Use new settings from now on (the demo switch, the settings screen)."""
        old_width, self.settings = self.settings.max_prose_width, settings
        if settings.max_prose_width != old_width:
            self.refresh_css(animate=False)
        await self.session.apply_settings(settings)
        self.main.settings_changed()

    async def action_toggle_web_search(self) -> None:
        """Z.ai's web search on or off, saved in config.toml like the settings screen does."""
        on = not self.settings.web_search
        try:
            save_config(self.settings.config_path, {"web_search": on})
        except (OSError, ConfigError) as error:
            self.notify(f"Web search not changed: {error}", severity="error", markup=False)
            return
        await self.apply_settings(self.settings.with_values(web_search=on))
        where = "" if self.settings.provider == "zai" else " (it works with the zai provider only)"
        self.notify(f"Web search {'on' if on else 'off'}{where}.", timeout=3, markup=False)

    async def action_use_demo(self) -> None:
        await self.apply_settings(
            self.settings.with_values(provider="demo", base_url=None, model=None)
        )
        self.notify("Using the offline demo model.", timeout=3)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self.settings.is_demo:
            yield SystemCommand(
                "Use the demo model",
                "Switch to the offline demo model",
                lambda: self.run_action("use_demo"),
            )

    def action_settings(self) -> None:
        from glm_tui.ui.screens.settings import SettingsScreen

        conversation = None
        if (cid := self.session.current_id) is not None:
            with contextlib.suppress(StoreError):
                conversation = self.session.conversation(cid)
        screen = SettingsScreen(
            self.settings, list(self.available_themes), conversation, self.session
        )
        self.push_screen(screen, self._settings_saved)

    async def _settings_saved(self, result: FormResult | None) -> None:
        from glm_tui.ui.screens.settings_form import new_settings, saved_message

        if result is None:
            return
        new = new_settings(self.settings, result)
        if result.settings:
            await self.apply_settings(new)
            if "thinking" in result.settings:
                self.session.thinking = new.thinking is not False
                await self.session.status_changed()
            if "theme" in result.settings and new.theme in self.available_themes:
                self.theme = new.theme
        text, warn = saved_message(new, result)
        self.notify(text, severity="warning" if warn else "information", markup=False)

    def action_help(self) -> None:
        from glm_tui.ui.screens.help import HelpScreen

        # F1 is a priority key of the app: it reaches the help screen before the help does.
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.settings, self.key_table))

    def action_welcome(self) -> None:
        from glm_tui.ui.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen(self.settings), self._welcome_done)

    async def _welcome_done(self, choice: str | None) -> None:
        if choice == "quit":
            self.exit()
            return
        if choice == "demo":
            await self.action_use_demo()
        self.main.composer.focus()
        if choice == "settings":
            self.action_settings()

    async def action_quit(self) -> None:
        # Stop replies being written so they are saved as stopped, then leave.
        await self.main.turns.cancel_all()
        self.exit()


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    client: GLMClient | None = None,
    now: Clock | None = None,
    toolbox: Toolbox | None = None,
) -> GLMApp:
    """The app, for ``run_app`` and for tests (which pass their own store, client, clock or
    toolbox). The toolbox's MCP servers start once the first screen is up."""
    if store is None:
        store = Store.open(settings.db_path)
    clock = now or _utc_now
    if toolbox is None:
        from glm_tui.tools.toolbox import Toolbox

        toolbox = Toolbox(settings)
    service = ChatService(store, settings, client=client, toolbox=toolbox)
    session = Session(store, service, clock=lambda: clock().timestamp())
    return GLMApp(settings, session=session, now=clock)


def exit_status(app: App[Any]) -> int:
    """The process's exit status after the app ran: never 0 when it ended on an unhandled error
    (Textual prints the traceback and leaves ``return_code`` at 1)."""
    return app.return_code or 0


def run_app(settings: Settings) -> None:
    try:
        store = Store.open(settings.db_path)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    # Textual's parse of the stylesheet, kept between starts (13-15 ms of the first frame's).
    styles = css_cache.install(platformdirs.user_cache_path(APP_NAME) / css_cache.FILE_NAME)
    app = create_app(settings, store=store)
    try:
        app.run()
    finally:
        store.close()
        styles.save()  # what a theme chosen since needed
    if status := exit_status(app):
        raise SystemExit(status)
