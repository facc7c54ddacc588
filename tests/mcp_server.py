"""A small real MCP server for the tests (stdio, the official SDK).

    python tests/mcp_server.py [--fail-start | --hang-start]

Its pid is appended to the file named by $PID_FILE (if set), so a test can check that no
process is left behind. Tools: ``echo``, ``env`` (reads one of its environment variables),
``add``, ``hang`` (never returns), ``crash`` (writes a line on stderr and exits).
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    pid_file = os.environ.get("PID_FILE")
    if pid_file:
        with open(pid_file, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    if "--fail-start" in sys.argv:
        print("starting the test server", file=sys.stderr)
        print("fatal: cannot open the database /nowhere/db.sqlite", file=sys.stderr, flush=True)
        sys.exit(3)
    if "--hang-start" in sys.argv:
        while True:  # never speaks MCP: a server stuck at start
            time.sleep(3600)

    from mcp.server.mcpserver import MCPServer

    server = MCPServer("test-server")

    @server.tool()
    def echo(text: str) -> str:
        """Say the text back."""
        return text

    @server.tool()
    def env(name: str) -> str:
        """The value of one of this server's environment variables ("<unset>" if none)."""
        return os.environ.get(name, "<unset>")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two whole numbers."""
        return a + b

    @server.tool()
    async def hang() -> str:
        """Never return."""
        import anyio

        await anyio.sleep_forever()
        return "never"

    @server.tool()
    def crash() -> str:
        """Exit at once, mid-call."""
        print("panic: the test server crashed on purpose", file=sys.stderr, flush=True)
        os._exit(7)

    server.run()


if __name__ == "__main__":
    main()
