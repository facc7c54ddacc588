"""One MCP server, through the official ``mcp`` SDK: started in the background, its tools
listed, calls made, stopped (no process left behind), restarted.

Each server lives in a task of its own (the SDK's connections must be opened and closed in
one task); calls are made from any task. The SDK is imported in a thread the first time a
server starts: importing it takes most of a second, which the first screen or ``ask``'s start
never waits for.

A stdio server gets only the SDK's short list of variables (HOME, PATH, USER...) and its own
``env``: not our environment (so not the API key), and not another server's ``env``. What it
writes on stderr goes to a file of its own; the last line says why it failed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import IO, Any

from glm_tui import __version__
from glm_tui.records import record
from glm_tui.tools.mcp_config import McpConfigError, ServerConfig
from glm_tui.tools.spec import ToolOutput

START_TIMEOUT = 30.0
"""Seconds a server has to start and list its tools (``npx`` may be downloading it)."""
LIST_PAGES = 20
"""Pages of ``tools/list`` read at most (a server that pages forever cannot hang us)."""
_STDERR_TAIL = 4096


class ServerState(StrEnum):
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"
    DISABLED = "disabled"


@record
class McpTool:
    """A tool as the server lists it."""

    name: str
    description: str
    input_schema: dict[str, Any]


def _import_sdk() -> Any:
    import logging

    import mcp
    import mcp.client.stdio
    import mcp.client.streamable_http
    import mcp.shared._httpx_utils

    # The SDK logs through `logging`: never onto the TUI's screen or ask's stderr.
    sdk_log = logging.getLogger("mcp")
    sdk_log.addHandler(logging.NullHandler())
    sdk_log.propagate = False
    return mcp


async def _load_sdk() -> Any:
    return await asyncio.to_thread(_import_sdk)


def _root_cause(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


class McpServer:
    """One configured server. ``start`` returns at once; ``state`` tells how it goes, and
    ``on_change`` (if given) is called at each change."""

    def __init__(
        self,
        config: ServerConfig,
        *,
        environ: Mapping[str, str] | None = None,
        start_timeout: float = START_TIMEOUT,
        on_change: Callable[[McpServer], None] | None = None,
    ) -> None:
        self.config = config
        self.environ = environ
        self.start_timeout = start_timeout
        self.on_change = on_change
        self.state = ServerState.DISABLED if config.disabled else ServerState.STOPPED
        self.error: str | None = None
        """Why it is not running (one line naming the server), when it failed."""
        self.tools: tuple[McpTool, ...] = ()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._settled: asyncio.Event | None = None
        self._stderr: IO[str] | None = None

    @property
    def name(self) -> str:
        return self.config.name

    def _set(self, state: ServerState, error: str | None = None) -> None:
        self.state = state
        self.error = error
        if state is not ServerState.READY:
            self.tools = ()
        if self.on_change is not None:
            self.on_change(self)

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start it in the background (nothing to do if it is disabled or running)."""
        if self.config.disabled or (self._task is not None and not self._task.done()):
            return
        self._stop = asyncio.Event()
        self._settled = asyncio.Event()
        self._set(ServerState.STARTING)
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"mcp server {self.name}"
        )

    async def wait_started(self, timeout: float | None = None) -> None:
        """Until it is ready or failed (at most ``timeout`` seconds)."""
        if self._settled is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._settled.wait()

    async def stop(self) -> None:
        """Stop it: its process (and any process it started) ends."""
        task = self._task
        if task is None:
            return
        if self._stop is not None:
            self._stop.set()
        if self.state is ServerState.STARTING:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        self._task = None
        if self.state in (ServerState.READY, ServerState.STARTING):
            self._set(ServerState.STOPPED)

    async def restart(self) -> None:
        await self.stop()
        self.start()

    async def _run(self) -> None:
        assert self._stop is not None and self._settled is not None
        import tempfile

        # Closed in the finally below (a `with` would close it before the server stops).
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        try:
            async with contextlib.AsyncExitStack() as stack:
                try:
                    async with asyncio.timeout(self.start_timeout):
                        client = await self._connect(stack)
                        self.tools = await self._list_tools(client)
                except TimeoutError:
                    self._fail(f"did not start within {self.start_timeout:g} s")
                    return
                self._client = client
                self._set(ServerState.READY)
                self._settled.set()
                await self._stop.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self.state is ServerState.STARTING:
                self._fail("could not start", self._describe(exc))
            elif self.state is ServerState.READY and not self._stop.is_set():
                self._fail("stopped", self._describe(exc))
        finally:
            self._client = None
            self._settled.set()
            self._stderr.close()
            self._stderr = None

    async def _connect(self, stack: contextlib.AsyncExitStack) -> Any:
        mcp = await _load_sdk()
        config = self.config
        if config.command is not None:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            params = StdioServerParameters(
                command=config.command,
                args=list(config.args),
                env=config.resolved_env(self.environ),
                cwd=config.cwd,
            )
            transport = stdio_client(params, errlog=self._stderr)  # type: ignore[arg-type]
        else:
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            http = await stack.enter_async_context(
                create_mcp_http_client(headers=config.resolved_headers(self.environ))
            )
            assert config.url is not None
            transport = streamable_http_client(config.url, http_client=http)
        client = mcp.Client(
            transport,
            client_info=mcp.types.Implementation(name="glm-tui", version=__version__),
            cache=None,
        )
        return await stack.enter_async_context(client)

    async def _list_tools(self, client: Any) -> tuple[McpTool, ...]:
        tools: list[McpTool] = []
        cursor: str | None = None
        for _ in range(LIST_PAGES):
            listing = await client.list_tools(cursor=cursor)
            for tool in listing.tools:
                schema = tool.input_schema if isinstance(tool.input_schema, dict) else {}
                tools.append(McpTool(tool.name, tool.description or "", dict(schema)))
            cursor = listing.next_cursor
            if not cursor:
                break
        return tuple(tools)

    # -- failures ------------------------------------------------------------------------------

    def _stderr_tail(self) -> str | None:
        handle = self._stderr
        if handle is None:
            return None
        try:
            handle.flush()
            size = handle.seek(0, 2)
            handle.seek(max(0, size - _STDERR_TAIL))
            text = handle.read()
        except (OSError, ValueError):
            return None
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:300] if lines else None

    def _describe(self, exc: BaseException) -> str:
        cause = _root_cause(exc)
        if isinstance(cause, McpConfigError):
            return str(cause)
        if isinstance(cause, FileNotFoundError) and self.config.command is not None:
            return f"no program {self.config.command!r} to run"
        if isinstance(cause, PermissionError) and self.config.command is not None:
            return f"{self.config.command!r} cannot be run (permission denied)"
        text = str(cause).strip() or type(cause).__name__
        return " ".join(text.split())[:300]

    def _fail(self, what: str, reason: str | None = None) -> None:
        """Failed: ``what`` happened, and why: the last line the server wrote on stderr (its
        own words are the best reason), else ``reason``."""
        why = self._stderr_tail() or reason
        self._set(
            ServerState.FAILED, f"MCP server {self.name} {what}" + (f": {why}" if why else "")
        )

    # -- calls ---------------------------------------------------------------------------------

    async def call(self, tool: str, arguments: dict[str, Any]) -> ToolOutput:
        """Run one of its tools. A server that went away fails the call (and is marked
        failed, with the last line it wrote); cancel the task to cancel the call."""
        client = self._client
        if client is None or self.state is not ServerState.READY:
            return ToolOutput(self.error or f"MCP server {self.name} is not running", "error")
        from mcp.shared.exceptions import MCPError

        try:
            result = await client.call_tool(tool, arguments)
        except MCPError as exc:
            if exc.code == -32000:  # CONNECTION_CLOSED: the process ended
                self._fail("stopped while running a call", "its connection closed")
                if self._stop is not None:
                    self._stop.set()
                return ToolOutput(self.error or "the server stopped", "error")
            return ToolOutput(f"MCP error {exc.code}: {exc.message}", "error")
        return ToolOutput(result_text(result), "error" if result.is_error else "ok")


def result_text(result: Any) -> str:
    """A ``CallToolResult`` as text for the model: text blocks as they are, other blocks
    named, structured content as JSON when there is no text."""
    parts: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind in ("image", "audio"):
            parts.append(f"[{kind}: {getattr(block, 'mime_type', '?')}, not shown]")
        elif kind == "resource":
            resource = block.resource
            text = getattr(resource, "text", None)
            parts.append(text if isinstance(text, str) else f"[resource: {resource.uri}]")
        elif kind == "resource_link":
            parts.append(f"[resource: {getattr(block, 'uri', '?')}]")
    structured = getattr(result, "structured_content", None)
    if not parts and structured is not None:
        import json

        parts.append(json.dumps(structured, ensure_ascii=False))
    return "\n".join(parts)
