"""The JSON body of a streaming chat request (docs/architecture.md, "The wire")."""

from __future__ import annotations

from typing import Any

MAX_TOOLS = 128
"""The most tools one request may offer (OpenAI's limit, and Z.ai's)."""


def build_request_body(
    model: str,
    messages: list[dict[str, Any]],
    *,
    thinking: bool | None,
    temperature: float | None,
    top_p: float | None,
    max_tokens: int | None,
    tools: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON body of a streaming chat request; unset options are left to the server.

    ``tools`` (OpenAI's function format, plus Z.ai's ``web_search``) go with
    ``tool_choice: "auto"``, the only choice Z.ai accepts.
    """
    body: dict[str, Any] = {
        "model": model,
        "messages": [dict(m) for m in messages],
        "stream": True,
    }
    if thinking is not None:
        body["thinking"] = {"type": "enabled" if thinking else "disabled"}
    options = {"temperature": temperature, "top_p": top_p, "max_tokens": max_tokens}
    body.update((name, value) for name, value in options.items() if value is not None)
    if tools:
        if len(tools) > MAX_TOOLS:
            raise ValueError(f"at most {MAX_TOOLS} tools can be offered, not {len(tools)}")
        body["tools"] = [dict(tool) for tool in tools]
        body["tool_choice"] = "auto"
    return body
