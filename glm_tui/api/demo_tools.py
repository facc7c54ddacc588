"""The demo model's tool use: asked to list files, read a file or fetch a page, it calls the
matching built-in tool (when the request offers it), then answers from the result. Offline,
like the rest of the demo: only the choice of call and the wording are made up here.
"""

from __future__ import annotations

import json
import re
from typing import Any

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.[A-Za-z0-9]{1,8})(?![\w/])")
SHOWN_LINES = 40


def _offered(body: dict[str, Any]) -> set[str]:
    names = set()
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return names


def plan_call(prompt: str, body: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(reasoning, tool name, arguments) when the prompt asks for what a tool offered does."""
    offered = _offered(body)
    lower = prompt.lower()
    url = _URL.search(prompt)
    if url and "fetch_url" in offered and re.search(r"\b(fetch|open|get|download|page)", lower):
        return (
            f"The user wants the page at {url.group(0)}. I can fetch it with fetch_url.",
            "fetch_url",
            {"url": url.group(0)},
        )
    file = _FILE.search(prompt)
    if file and "read_file" in offered and re.search(r"\b(read|show|open|cat|what)", lower):
        return (
            f"The user asks about the file {file.group(1)}. Let me read it with read_file.",
            "read_file",
            {"path": file.group(1)},
        )
    if "list_directory" in offered and re.search(
        r"\b(list|which|what)\b.*\b(files?|folder|director)", lower
    ):
        return (
            "The user wants to see the files here. list_directory will show them.",
            "list_directory",
            {"path": "."},
        )
    return None


def answer_from_results(messages: Any) -> tuple[str, str] | None:
    """(reasoning, answer) when the conversation ends with tool results."""
    if not isinstance(messages, list) or not messages:
        return None
    results: list[str] = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        content = message.get("content")
        results.append(content if isinstance(content, str) else "")
    if not results:
        return None
    text = "\n\n".join(reversed(results)).strip("\n")
    lines = text.splitlines()
    shown = "\n".join(lines[:SHOWN_LINES])
    more = (
        f"\n\n*({len(lines) - SHOWN_LINES} more lines not shown.)*"
        if len(lines) > SHOWN_LINES
        else ""
    )
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    reasoning = "The tool answered. I will show the result and sum it up in a line."
    answer = (
        f"Here is what the tool gave back ({len(lines)} line{'s' * (len(lines) != 1)}):\n\n"
        f"{fence}text\n{shown}\n{fence}{more}\n\n"
        "That is the result as it came: ask me about any part of it."
    )
    return reasoning, answer


def call_chunk(name: str, arguments: dict[str, Any], call_id: str) -> dict[str, Any]:
    """The delta of a whole tool call, as Z.ai sends one without ``tool_stream``."""
    return {
        "tool_calls": [
            {
                "index": 0,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ]
    }
