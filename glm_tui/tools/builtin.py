"""The tools glm-tui ships: reading, never writing or running anything.

``read_file``, ``list_directory`` and ``search_files`` see only the directory glm-tui was
started in (the *root*): a path with ``..``, or one that leads out of the root through a
symbolic link, is refused. ``fetch_url`` GETs an http or https page and gives its text. Each is
off until enabled (``tools = [...]`` in config.toml), and each call is approved like any other.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePath
from typing import Any

from glm_tui.records import record
from glm_tui.tools.spec import BUILT_IN, ToolError, ToolSpec

READ_LIMIT = 1_000_000
"""Bytes of a file ``read_file`` reads (the model is told when there is more)."""
LIST_LIMIT = 1_000
"""Entries ``list_directory`` lists."""
SEARCH_LIMIT = 200
"""Matching lines ``search_files`` reports."""
SEARCH_FILE_LIMIT = 2_000_000
"""Files larger than this are not searched."""
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", ".venv", "node_modules", "__pycache__"})
"""Directories ``search_files`` does not go into (they are huge and rarely what is meant)."""

Runner = Callable[[Path, dict[str, Any]], Awaitable[str]]


@record
class BuiltinTool:
    spec: ToolSpec
    run: Runner


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_PATH = {"type": "string", "description": "A path relative to the working directory."}


def inside(root: Path, path: str) -> Path:
    """``path`` (relative to the root, or absolute inside it) resolved, or ToolError when it
    is not in the root: ``..`` is refused outright, and so is a symbolic link out of it."""
    if not path or not path.strip():
        path = "."
    if "\x00" in path:
        raise ToolError("the path holds a NUL character")
    pure = PurePath(path)
    if ".." in pure.parts:
        raise ToolError(f"{path}: '..' is not allowed (only the working directory is readable)")
    base = root.resolve()
    target = (base / pure).resolve()
    if not target.is_relative_to(base):
        raise ToolError(f"{path}: outside the working directory (only {base} is readable)")
    return target


def _shown(root: Path, target: Path) -> str:
    relative = target.relative_to(root.resolve())
    return str(relative) if str(relative) != "." else "."


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _read_file(root: Path, arguments: dict[str, Any]) -> str:
    target = inside(root, arguments["path"])
    if target.is_dir():
        raise ToolError(f"{arguments['path']}: a directory (use list_directory)")
    try:
        with target.open("rb") as handle:
            data = handle.read(READ_LIMIT + 1)
    except FileNotFoundError:
        raise ToolError(f"{arguments['path']}: no such file") from None
    except OSError as exc:
        raise ToolError(f"{arguments['path']}: cannot read it ({exc.strerror})") from None
    if _looks_binary(data):
        raise ToolError(f"{arguments['path']}: a binary file, not text")
    text = data[:READ_LIMIT].decode("utf-8", errors="replace")
    if len(data) > READ_LIMIT:
        text += f"\n[glm-tui: the file is longer; only the first {READ_LIMIT:,} bytes are shown]"
    return text


def _list_directory(root: Path, arguments: dict[str, Any]) -> str:
    given = arguments.get("path") or "."
    target = inside(root, given)
    if not target.is_dir():
        raise ToolError(f"{given}: not a directory" if target.exists() else f"{given}: not found")
    try:
        entries = sorted(os.scandir(target), key=lambda e: e.name)
    except OSError as exc:
        raise ToolError(f"{given}: cannot list it ({exc.strerror})") from None
    lines = []
    for entry in entries[:LIST_LIMIT]:
        if entry.is_symlink():
            lines.append(f"{entry.name} -> (link)")
        elif entry.is_dir():
            lines.append(entry.name + "/")
        else:
            try:
                size = entry.stat().st_size
            except OSError:
                size = 0
            lines.append(f"{entry.name}  ({size:,} bytes)")
    if len(entries) > LIST_LIMIT:
        lines.append(f"[glm-tui: {len(entries) - LIST_LIMIT:,} more entries not shown]")
    header = f"{_shown(root, target)}: {len(entries)} entries"
    return "\n".join([header, *lines])


def _search_files(root: Path, arguments: dict[str, Any]) -> str:
    text = arguments["text"]
    if not text:
        raise ToolError("the text to search for is empty")
    start = inside(root, arguments.get("path") or ".")
    base = root.resolve()
    needle = text.casefold()
    hits: list[str] = []
    for folder, directories, files in os.walk(start):
        directories[:] = sorted(d for d in directories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            path = Path(folder) / name
            try:
                real = path.resolve()
                if not real.is_relative_to(base) or real.stat().st_size > SEARCH_FILE_LIMIT:
                    continue
                data = real.read_bytes()
            except OSError:
                continue
            if _looks_binary(data):
                continue
            for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if needle in line.casefold():
                    hits.append(f"{path.relative_to(base)}:{number}: {line.strip()[:300]}")
                    if len(hits) >= SEARCH_LIMIT:
                        hits.append(f"[glm-tui: stopped at {SEARCH_LIMIT} matching lines]")
                        return "\n".join(hits)
    return "\n".join(hits) if hits else f"no file under {_shown(root, start)} contains {text!r}"


def _threaded(function: Callable[[Path, dict[str, Any]], str]) -> Runner:
    async def run(root: Path, arguments: dict[str, Any]) -> str:
        return await asyncio.to_thread(function, root, arguments)

    return run


def _spec(name: str, description: str, parameters: dict[str, Any]) -> ToolSpec:
    return ToolSpec(name, description, parameters, BUILT_IN, name)


async def _fetch_url(root: Path, arguments: dict[str, Any]) -> str:
    # fetch.py (html.parser and its 20 regular expressions: 6 ms) is loaded by the first fetch,
    # not by every start.
    from glm_tui.tools.fetch import fetch_url

    return await fetch_url(root, arguments)


def builtin_tools() -> dict[str, BuiltinTool]:
    """Every built-in tool by name (enabling them is the settings' business)."""
    tools = [
        BuiltinTool(
            _spec(
                "read_file",
                "Read a text file in the working directory (at most 1 MB).",
                _object({"path": _PATH}, ["path"]),
            ),
            _threaded(_read_file),
        ),
        BuiltinTool(
            _spec(
                "list_directory",
                "List the files and directories in a directory of the working directory.",
                _object({"path": {**_PATH, "default": "."}}, []),
            ),
            _threaded(_list_directory),
        ),
        BuiltinTool(
            _spec(
                "search_files",
                "Find the lines that contain a text (case-insensitive) in the files under a"
                " directory of the working directory.",
                _object(
                    {
                        "text": {"type": "string", "description": "The text to look for."},
                        "path": {**_PATH, "default": "."},
                    },
                    ["text"],
                ),
            ),
            _threaded(_search_files),
        ),
        BuiltinTool(
            _spec(
                "fetch_url",
                "GET a web page (http or https) and return its text (at most 1 MB).",
                _object({"url": {"type": "string", "description": "An http(s) URL."}}, ["url"]),
            ),
            _fetch_url,
        ),
    ]
    return {tool.spec.name: tool for tool in tools}
