"""A conversation's current branch as Markdown, for people (the JSON export is for restoring).

The outline of the document is the conversation's: its title is the one ``#`` heading, each
message a ``##`` heading. Headings inside a message (a model's ``# Title`` or ``## Answer``) move
down so that the highest of them is a ``###``, below its message; code blocks are left as they
are, and one the text leaves open is closed where the message ends, so it cannot take in the
messages after it. Escape codes are removed (the document is for reading; the JSON export keeps
the text as it was sent), and a reply that did not complete says why, as the TUI does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from glm_tui.reply_status import describe_reply
from glm_tui.terminal_text import strip_controls

from .models import Conversation, Message

_ROLE_HEADINGS = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}
_TOOL_STATUS_WORDS = {
    "ok": "ok",
    "error": "error",
    "denied": "denied",
    "timed_out": "timed out",
    "cancelled": "cancelled",
}
TOP_INNER_LEVEL = 3
"""The level a message's highest heading gets: under the message's own ``##``."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# A line a setext underline can turn into a heading: paragraph text, not a list item, a quote,
# a table row, indented code or a heading of its own.
_NOT_PARAGRAPH = re.compile(r"^(?: {4}|\t| {0,3}(?:[-+*>|#]|\d{1,9}[.)])(?:[ \t]|$))")


def _fence_safe(text: str) -> str:
    # A stray "</details>" in the reasoning would close the fold early.
    return text.replace("</details>", "&lt;/details&gt;")


def _usage_line(message: Message) -> str:
    usage = message.usage
    if usage is None:
        return ""
    parts = []
    if usage.prompt_tokens is not None:
        parts.append(f"{usage.prompt_tokens} prompt tokens")
    if usage.completion_tokens is not None:
        parts.append(f"{usage.completion_tokens} completion tokens")
    if usage.reasoning_tokens:
        parts.append(f"{usage.reasoning_tokens} reasoning tokens")
    if usage.usd is not None:
        parts.append(f"${usage.usd:.6f}")
    return ", ".join(parts)


def _prose_lines(lines: list[str]) -> tuple[list[bool], str]:
    """For each line, whether it is Markdown (not in a fenced code block nor one of its fences);
    and the fence that closes a block the text leaves open ('' if none)."""
    prose: list[bool] = []
    fence = ""
    for line in lines:
        found = _FENCE.match(line)
        marker, rest = found.groups() if found else ("", "")
        if not fence:
            # A backtick fence's info string has no backtick (else it is inline code).
            if marker and not (marker[0] == "`" and "`" in rest):
                fence = marker
            prose.append(not fence)
            continue
        if marker[:1] == fence[0] and len(marker) >= len(fence) and not rest.strip():
            fence = ""
        prose.append(False)
    return prose, fence


def _heading(lines: list[str], prose: list[bool], index: int) -> tuple[int, bool]:
    """The level of the heading on line ``index`` (0: none), and whether it is a setext one
    (its text on the line above, this line the ``===`` or ``---`` under it)."""
    if not prose[index]:
        return 0, False
    atx = _ATX.match(lines[index])
    if atx:
        return len(atx.group(2)), False
    underline = _SETEXT.match(lines[index])
    if underline and index > 0 and prose[index - 1]:
        above = lines[index - 1]
        if above.strip() and not _NOT_PARAGRAPH.match(above) and not _SETEXT.match(above):
            return (1 if underline.group(1)[0] == "=" else 2), True
    return 0, False


def message_body(text: str) -> str:
    """A message's text as part of the document: escape codes removed, its headings below the
    message's own, a code block it leaves open closed."""
    lines = strip_controls(text).strip("\n").split("\n")
    prose, open_fence = _prose_lines(lines)
    headings = {i: _heading(lines, prose, i) for i in range(len(lines))}
    levels = [level for level, _ in headings.values() if level]
    shift = max(0, TOP_INNER_LEVEL - min(levels)) if levels else 0
    out: list[str] = []
    for index, line in enumerate(lines):
        level, setext = headings[index]
        if level and shift:
            hashes = "#" * min(6, level + shift)
            if setext:
                out[-1] = f"{hashes} {out[-1].strip()}"
                continue
            indent = len(line) - len(line.lstrip(" "))
            line = line[:indent] + hashes + line[indent + level :]
        out.append(line)
    if open_fence:
        out.append(open_fence)
    return "\n".join(out)


def fenced(text: str, info: str = "") -> list[str]:
    """Lines of a fenced code block holding ``text`` as it is: the fence is longer than any run
    of backticks inside, so nothing in the text can close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *strip_controls(text).split("\n"), fence]


def pretty_arguments(arguments: str) -> tuple[str, str]:
    """A call's arguments for reading, with the fence's language: indented JSON when they
    parse, else the text as the model sent it."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return arguments, "text"
    return json.dumps(value, indent=2, ensure_ascii=False), "json"


def _tool_call_lines(message: Message) -> list[str]:
    lines: list[str] = []
    for call in message.tool_calls:
        arguments, language = pretty_arguments(call.arguments)
        name = " ".join(strip_controls(call.name).split()) or "?"
        lines += [f"**Tool call** `{name}`", "", *fenced(arguments, language), ""]
    return lines


def _tool_result_lines(message: Message) -> list[str]:
    tool = message.tool
    if tool is None:
        return []
    arguments, language = pretty_arguments(tool.arguments)
    return [
        "Arguments:",
        "",
        *fenced(arguments, language),
        "",
        "Result:",
        "",
        *fenced(message.content, "text"),
        "",
    ]


def _markdown_text(text: str) -> str:
    """Untrusted text inside a link's label: no brackets or backslashes to end it early."""
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(strip_controls(text).split()))


def _source_lines(message: Message) -> list[str]:
    if not message.sources:
        return []
    lines = ["Sources:", ""]
    for number, source in enumerate(message.sources, 1):
        link = strip_controls(source.link).replace(" ", "%20").replace(")", "%29")
        lines.append(f"{number}. [{_markdown_text(source.title)}]({link})")
    return [*lines, ""]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _attachment_lines(message: Message) -> list[str]:
    if not message.attachments:
        return []
    lines = ["Attachments:", ""]
    for ref in message.attachments:
        name = " ".join(strip_controls(ref.name).split()).replace("`", "'") or "?"
        lines.append(f"- `{name}` ({ref.mime}, {_size(ref.size)})")
    return [*lines, ""]


def to_markdown(conversation: Conversation, path: Sequence[Message]) -> str:
    title = " ".join(strip_controls(conversation.title).split())
    lines = [f"# {title or 'Untitled conversation'}", ""]
    lines.append(
        f"- Model: `{conversation.model}`"
        + (f" ({conversation.provider})" if conversation.provider else "")
    )
    lines.append(f"- Created: {conversation.created_at}")
    lines.append(f"- Updated: {conversation.updated_at}")
    lines.append("")
    if conversation.system_prompt and not any(m.role == "system" for m in path):
        lines += ["## System", "", message_body(conversation.system_prompt), ""]
    for message in path:
        heading = _ROLE_HEADINGS.get(message.role, message.role.title())
        details = [message.created_at]
        if message.role == "assistant" and message.model:
            details.insert(0, f"`{message.model}`")
        if message.tool is not None:
            heading += f" · `{' '.join(strip_controls(message.tool.name).split()) or '?'}`"
            if message.tool.status is not None:
                details.append(_TOOL_STATUS_WORDS.get(message.tool.status, message.tool.status))
            if message.duration is not None:
                details.append(f"{message.duration:.2f} s")
        if message.status != "complete":
            details.append(f"**{message.status}**")
        lines += [f"## {heading}", "", "*" + " · ".join(details) + "*", ""]
        if message.reasoning:
            lines += [
                "<details><summary>Thinking</summary>",
                "",
                _fence_safe(message_body(message.reasoning)),
                "",
                "</details>",
                "",
            ]
        if message.tool is not None:
            lines += _tool_result_lines(message)
        elif message.content:
            lines += [message_body(message.content), ""]
        lines += _attachment_lines(message)
        lines += _tool_call_lines(message)
        lines += _source_lines(message)
        note = describe_reply(message.status, message.error, answered=bool(message.content))
        if note is not None:
            lines += [f"> {note.line}", ""]
        usage = _usage_line(message)
        if usage:
            lines += [f"<sub>{usage}</sub>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
