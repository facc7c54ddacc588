"""What a tool is, as the loop and the UI see it, and what running it gives back."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Literal

from glm_tui.records import record

BUILT_IN = "built-in"
"""The source of the tools glm-tui ships (any other source is an MCP server's name)."""

Policy = Literal["ask", "always"]
"""``always``: the call runs without asking (``alwaysAllow`` in mcp.json, ``always_allow`` in
config.toml, or ``ask --yes``); ``ask``: the user approves each call."""

ToolStatus = Literal["ok", "error", "denied", "timed_out", "cancelled"]

RESULT_CAP = 100_000
"""Characters of a result the model is sent (and the history keeps); more is cut, with a note."""


@record
class ToolSpec:
    """One tool the model can be offered."""

    name: str
    """The name the model calls it by (``SERVER__tool`` for an MCP server's tool)."""
    description: str
    parameters: dict[str, Any] = field(hash=False)
    """Its arguments' JSON schema (an object schema)."""
    source: str
    """``built-in``, or the name of the MCP server that provides it."""
    tool_name: str
    """Its own name: the built-in's, or the one the MCP server knows it by."""

    def to_wire(self) -> dict[str, Any]:
        """The tool in OpenAI's function format, as a request's ``tools`` lists it."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@record
class ToolOutput:
    """What a call gave: the text the model is sent, and how it ended."""

    text: str
    status: ToolStatus = "ok"


class ToolError(Exception):
    """A tool failed in a way worth telling the model in one line (a missing file...)."""


def cap_result(text: str, limit: int = RESULT_CAP) -> str:
    """The text, or its first ``limit`` characters and a note saying how much was left out
    (the model is told, so it can ask for less)."""
    if len(text) <= limit:
        return text
    return (
        text[:limit]
        + f"\n\n[glm-tui: the result was {len(text):,} characters; only the first {limit:,}"
        " are shown. Ask for a smaller part if you need more.]"
    )
