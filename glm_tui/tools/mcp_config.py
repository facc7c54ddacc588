"""``mcp.json``: the MCP servers, in the format Claude Desktop, Cursor and Cline use.

::

    {"mcpServers": {
        "files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."],
                  "env": {"TOKEN": "${MY_TOKEN}"}, "alwaysAllow": ["read_file"]},
        "remote": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer ${KEY}"},
                   "disabled": true}}}

The file lives next to config.toml. Reading it never imports the MCP SDK (that happens when a
server starts). A file that cannot be used is one :class:`McpConfigError` naming the file and
the place; ``${VAR}`` is taken from the environment when a server starts, and a variable that
is not set is that server's failure only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from glm_tui.records import record

FILE_NAME = "mcp.json"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KNOWN_KEYS = frozenset(
    {
        "command",
        "args",
        "env",
        "url",
        "headers",
        "disabled",
        "alwaysAllow",
        "type",
        "transport",
        "timeout",
        "cwd",
        "autoApprove",
    }
)


class McpConfigError(Exception):
    """mcp.json cannot be used: one line naming the file and the problem."""


@record(slots=False)
class ServerConfig:
    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    disabled: bool = False
    always_allow: frozenset[str] = frozenset()
    cwd: str | None = None

    @property
    def kind(self) -> str:
        return "stdio" if self.command is not None else "http"

    def resolved_env(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """``env`` with ``${VAR}`` filled in; McpConfigError names a variable not set."""
        return {key: expand(value, environ) for key, value in self.env.items()}

    def resolved_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        return {key: expand(value, environ) for key, value in self.headers.items()}


def expand(text: str, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise McpConfigError(f"the environment variable {name} is not set")
        return environ[name]

    return _VARIABLE.sub(value, text)


def config_path(config_toml: Path) -> Path:
    """mcp.json next to config.toml."""
    return config_toml.with_name(FILE_NAME)


def _fail(path: Path, where: str, what: str) -> McpConfigError:
    return McpConfigError(f"{path}: {where}: {what}")


def _strings(value: Any, path: Path, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, where, "expected a list of strings")
    return tuple(value)


def _table(value: Any, path: Path, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, where, "expected an object of strings")
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise _fail(path, f"{where}.{key}", "expected a string")
        out[key] = str(item)
    return out


def _server(name: str, entry: Any, path: Path) -> ServerConfig:
    where = f"mcpServers.{name}"
    if not name.strip():
        raise _fail(path, where, "a server needs a name")
    if not isinstance(entry, dict):
        raise _fail(path, where, "expected an object")
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise _fail(path, f"{where}.{unknown[0]}", "unknown setting")
    command, url = entry.get("command"), entry.get("url")
    if command is None and url is None:
        raise _fail(path, where, 'needs "command" (a local server) or "url" (a remote one)')
    if command is not None and url is not None:
        raise _fail(path, where, 'has both "command" and "url": give one')
    if command is not None and (not isinstance(command, str) or not command.strip()):
        raise _fail(path, f"{where}.command", "expected a program to run")
    if url is not None and (
        not isinstance(url, str) or not url.lower().startswith(("http://", "https://"))
    ):
        raise _fail(path, f"{where}.url", "expected an http:// or https:// URL")
    disabled = entry.get("disabled", False)
    if not isinstance(disabled, bool):
        raise _fail(path, f"{where}.disabled", "expected true or false")
    cwd = entry.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        raise _fail(path, f"{where}.cwd", "expected a directory")
    return ServerConfig(
        name=name,
        command=command,
        args=_strings(entry.get("args"), path, f"{where}.args"),
        env=_table(entry.get("env"), path, f"{where}.env"),
        url=url,
        headers=_table(entry.get("headers"), path, f"{where}.headers"),
        disabled=disabled,
        always_allow=frozenset(_strings(entry.get("alwaysAllow"), path, f"{where}.alwaysAllow")),
        cwd=cwd,
    )


def read_raw(path: Path) -> dict[str, Any]:
    """The file's JSON object ({} when there is no file); McpConfigError when broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise McpConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise McpConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise McpConfigError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise McpConfigError(f'{path}: expected an object with "mcpServers"')
    return data


def load(path: Path) -> list[ServerConfig]:
    """The servers of mcp.json, in the file's order ([] without a file)."""
    data = read_raw(path)
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        raise _fail(path, "mcpServers", "expected an object of servers")
    return [_server(name, entry, path) for name, entry in servers.items()]


def add_always_allow(path: Path, server: str, tool: str) -> None:
    """Add ``tool`` to the server's ``alwaysAllow`` in the file (written whole, atomically,
    keeping everything else in it)."""
    data = read_raw(path)
    entry = data.get("mcpServers", {}).get(server)
    if not isinstance(entry, dict):
        raise McpConfigError(f"{path}: no server named {server}")
    allowed = entry.setdefault("alwaysAllow", [])
    if not isinstance(allowed, list):
        raise _fail(path, f"mcpServers.{server}.alwaysAllow", "expected a list of strings")
    if tool not in allowed:
        allowed.append(tool)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise McpConfigError(f"{path}: cannot write it ({exc.strerror})") from None
