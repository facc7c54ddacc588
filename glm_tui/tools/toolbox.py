"""The toolbox: every tool the model can be offered, where each comes from, its approval
policy, and running it.

Built-in tools are the ones named in ``tools`` (config.toml); MCP servers come from mcp.json.
An MCP tool is offered as ``SERVER__tool``: the server's name, two underscores, the tool's own
name, each with any character other than a letter, a digit, ``_`` or ``-`` made ``_`` (the
names a provider accepts); a name longer than 64 characters, or one two tools would share,
ends in a short hash instead. Built-in names have no double underscore, so they never clash.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from glm_tui.config import Settings, save_config
from glm_tui.records import record
from glm_tui.tools import mcp_config
from glm_tui.tools.builtin import BuiltinTool, builtin_tools
from glm_tui.tools.mcp_client import START_TIMEOUT, McpServer, ServerState
from glm_tui.tools.mcp_config import McpConfigError
from glm_tui.tools.spec import BUILT_IN, Policy, ToolError, ToolOutput, ToolSpec

MAX_OFFERED = 128
"""The most tools one request may carry (Z.ai's web_search counts as one)."""
WEB_SEARCH_TOOL: dict[str, Any] = {
    "type": "web_search",
    "web_search": {"enable": True, "search_engine": "search-prime", "search_result": True},
}
"""Z.ai's own search: it runs on Z.ai's side, and the pages it used come back with the reply."""
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")
_NAME_LIMIT = 64


def offered_name(server: str, tool: str, taken: set[str]) -> str:
    """``SERVER__tool``, made a valid and unique function name (see the module's docstring)."""
    name = f"{_NAME_OK.sub('_', server)}__{_NAME_OK.sub('_', tool)}"
    if len(name) > _NAME_LIMIT or name in taken:
        digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()[:8]
        name = f"{name[: _NAME_LIMIT - 9]}_{digest}"
    return name


@record
class ServerStatus:
    """How one MCP server is doing (``glm-tui tools``, the palette, notifications)."""

    name: str
    state: ServerState
    error: str | None
    tools: int


class Toolbox:
    """The tools of one run. ``start()`` starts the MCP servers in the background;
    ``offered()`` is what the next request offers; ``run()`` runs one call."""

    def __init__(
        self,
        settings: Settings,
        *,
        root: Path | None = None,
        environ: Mapping[str, str] | None = None,
        use_mcp: bool = True,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.root = root if root is not None else Path.cwd()
        self.mcp_path = mcp_config.config_path(settings.config_path)
        all_builtins = builtin_tools()
        self.builtins: dict[str, BuiltinTool] = {
            name: all_builtins[name] for name in settings.tools if name in all_builtins
        }
        self.config_error: str | None = None
        """Why mcp.json could not be used (None: it is fine, or there is none)."""
        self.servers: dict[str, McpServer] = {}
        self._listeners: list[Callable[[Toolbox], None]] = []
        if use_mcp:
            try:
                configs = mcp_config.load(self.mcp_path)
            except McpConfigError as exc:
                self.config_error = str(exc)
                configs = []
            for config in configs:
                self.servers[config.name] = McpServer(
                    config,
                    environ=environ,
                    start_timeout=start_timeout,
                    on_change=self._server_changed,
                )
        self._always: set[str] = set(settings.always_allow)

    # -- listeners -----------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Toolbox], None]) -> None:
        """``listener(toolbox)`` is called whenever a server starts, fails or stops."""
        self._listeners.append(listener)

    def _server_changed(self, server: McpServer) -> None:
        for listener in list(self._listeners):
            listener(self)

    # -- servers -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start every enabled server, in the background (returns at once)."""
        for server in self.servers.values():
            server.start()

    async def wait_started(self, timeout: float | None = None) -> None:
        """Until no server is still starting (each is bounded by its own start timeout)."""
        waits = [s.wait_started(timeout) for s in self.servers.values()]
        if waits:
            await asyncio.gather(*waits)

    async def restart(self, name: str) -> None:
        """Stop and start one server again (the palette's "Restart MCP server")."""
        server = self.servers.get(name)
        if server is None:
            raise KeyError(name)
        await server.restart()

    async def aclose(self) -> None:
        """Stop every server (each one's processes end)."""
        stops = [server.stop() for server in self.servers.values()]
        if stops:
            await asyncio.gather(*stops)

    def statuses(self) -> list[ServerStatus]:
        return [ServerStatus(s.name, s.state, s.error, len(s.tools)) for s in self.servers.values()]

    def failures(self) -> list[str]:
        """One line per server that failed (naming it, and why)."""
        problems = [self.config_error] if self.config_error else []
        return problems + [s.error for s in self.servers.values() if s.error]

    # -- the tools -----------------------------------------------------------------------------

    def offered(self) -> list[ToolSpec]:
        """The tools the next request offers: the built-ins enabled, then each ready server's
        tools (at most MAX_OFFERED in all; the rest are left out)."""
        specs = [tool.spec for tool in self.builtins.values()]
        taken = {spec.name for spec in specs}
        for server in self.servers.values():
            if server.state is not ServerState.READY:
                continue
            for tool in server.tools:
                name = offered_name(server.name, tool.name, taken)
                taken.add(name)
                schema = tool.input_schema or {"type": "object", "properties": {}}
                specs.append(ToolSpec(name, tool.description, schema, server.name, tool.name))
        return specs[:MAX_OFFERED]

    def wire_tools(self, *, web_search: bool) -> list[dict[str, Any]]:
        """The request's ``tools``: the functions, and Z.ai's web search when asked for."""
        tools = [spec.to_wire() for spec in self.offered()]
        if web_search:
            tools = [*tools[: MAX_OFFERED - 1], WEB_SEARCH_TOOL]
        return tools

    def find(self, name: str) -> ToolSpec | None:
        return next((spec for spec in self.offered() if spec.name == name), None)

    def policy(self, spec: ToolSpec) -> Policy:
        if spec.source == BUILT_IN:
            return "always" if spec.tool_name in self._always else "ask"
        server = self.servers.get(spec.source)
        if server is not None and spec.tool_name in server.config.always_allow:
            return "always"
        return "ask"

    def always_allow(self, spec: ToolSpec) -> None:
        """Allow every later call of this tool, and save it: ``always_allow`` in config.toml
        for a built-in tool, the server's ``alwaysAllow`` in mcp.json for an MCP one. Raises
        ConfigError or McpConfigError (one line) when the file cannot be written."""
        if spec.source == BUILT_IN:
            self._always.add(spec.tool_name)
            names = sorted(self._always)
            save_config(self.settings.config_path, {"always_allow": names})
            self.settings = self.settings.with_values(always_allow=tuple(names))
            return
        server = self.servers.get(spec.source)
        if server is None:
            raise McpConfigError(f"no MCP server named {spec.source}")
        mcp_config.add_always_allow(self.mcp_path, server.name, spec.tool_name)
        config = server.config
        server.config = replace(config, always_allow=config.always_allow | {spec.tool_name})

    async def run(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutput:
        """Run a call whose arguments are checked. A tool's own failure is an ``error``
        result (the model reads why); cancel the task to cancel the call."""
        if spec.source == BUILT_IN:
            tool = self.builtins.get(spec.tool_name)
            if tool is None:
                return ToolOutput(f"the built-in tool {spec.tool_name} is not enabled", "error")
            try:
                return ToolOutput(await tool.run(self.root, arguments))
            except ToolError as exc:
                return ToolOutput(str(exc), "error")
        server = self.servers.get(spec.source)
        if server is None:
            return ToolOutput(f"no MCP server named {spec.source}", "error")
        return await server.call(spec.tool_name, arguments)
