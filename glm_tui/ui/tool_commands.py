"""The palette's "Restart tool server: NAME", one for each MCP server of mcp.json that is not
disabled (a server that failed or stopped says why in the command's help)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from glm_tui.terminal_text import strip_controls
from glm_tui.tools.mcp_client import ServerState
from glm_tui.ui.commands import highlight_plain
from glm_tui.ui.screens.main import MainScreen
from glm_tui.ui.screens.tool_view import RESTART_COMMAND


class ToolServerCommands(Provider):
    def _main(self) -> MainScreen | None:
        main = self._main_screen()
        if main is None or self.screen is not main:
            return None  # from a dialog the command would act behind it
        return main

    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[Any]]]]:
        main = self._main()
        toolbox = main.session.toolbox if main is not None else None
        if main is None or toolbox is None:
            return []
        commands: list[tuple[str, str, Callable[[], Awaitable[Any]]]] = []
        for status in toolbox.statuses():
            if status.state is ServerState.DISABLED:
                continue
            name = strip_controls(status.name)
            if status.error:
                help_text = strip_controls(status.error)
            else:
                tools = f"{status.tools} tool{'' if status.tools == 1 else 's'}"
                help_text = f"{status.state.value}: {tools}"
            # The palette reads a command's help as markup: the server's words are escaped.
            commands.append(
                (
                    f"{RESTART_COMMAND}: {name}",
                    escape(help_text),
                    partial(self._restart, status.name),
                )
            )
        return commands

    async def _restart(self, name: str) -> None:
        main = self._main_screen()
        if main is None:
            return
        main.notify(f"Restarting the tool server {strip_controls(name)}…", markup=False)
        main.run_worker(
            self._restart_and_tell(main, name),
            group="restart-tool-server",
            exit_on_error=False,  # the app's one handler says what failed; the app goes on
        )

    def _main_screen(self) -> MainScreen | None:
        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        return screen if isinstance(screen, MainScreen) else None

    @staticmethod
    async def _restart_and_tell(main: MainScreen, name: str) -> None:
        session = main.session
        try:
            await session.restart_server(name)
        except KeyError:
            main.notify(f"There is no tool server named {name}.", severity="error", markup=False)
            return
        if session.toolbox is not None:
            await session.toolbox.wait_started()
            status = next((s for s in session.toolbox.statuses() if s.name == name), None)
            if status is not None and status.state is ServerState.READY:
                tools = f"{status.tools} tool{'' if status.tools == 1 else 's'}"
                main.notify(
                    f"The tool server {strip_controls(name)} is running ({tools}).", markup=False
                )

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(Content(title), run, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, highlight_plain(matcher, title), run, text=title, help=help_text)
