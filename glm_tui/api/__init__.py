"""The GLM API layer: streaming client, SSE parser, typed events and errors, offline demo.

Never imports Textual. Names are loaded on first use, so importing ``glm_tui.api.events``
(as the store does) does not pull in httpx: ``list``, ``show`` and ``search`` start faster.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "client": ("GLMClient",),
    "errors": (
        "APIError",
        "AuthError",
        "BadRequestError",
        "ConnectionLost",
        "CreditsError",
        "NetworkError",
        "ProtocolError",
        "RateLimitError",
        "ServerError",
        "StreamError",
        "TimeoutError",
    ),
    "events": (
        "Connected",
        "ContentDelta",
        "Finished",
        "ReasoningDelta",
        "StreamEvent",
        "ToolCall",
        "ToolCalls",
        "Usage",
        "WebSearchResults",
        "WebSource",
        "status_for_finish",
    ),
    "request": ("build_request_body",),
    "sse": ("SSEDecoder", "SSEEvent"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'glm_tui.api' has no attribute {name!r}")
    return getattr(importlib.import_module(f"glm_tui.api.{module}"), name)
