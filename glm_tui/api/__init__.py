"""The GLM API layer: streaming client, SSE parser, typed events and errors, offline demo.

Never imports Textual, so the CLI and the tests stay fast.
"""

from glm_tui.api.client import GLMClient, build_request_body
from glm_tui.api.errors import (
    APIError,
    AuthError,
    BadRequestError,
    ConnectionLost,
    CreditsError,
    NetworkError,
    ProtocolError,
    RateLimitError,
    ServerError,
    StreamError,
    TimeoutError,
)
from glm_tui.api.events import (
    ContentDelta,
    Finished,
    ReasoningDelta,
    StreamEvent,
    Usage,
    status_for_finish,
)
from glm_tui.api.sse import SSEDecoder, SSEEvent

__all__ = [
    "APIError",
    "AuthError",
    "BadRequestError",
    "ConnectionLost",
    "ContentDelta",
    "CreditsError",
    "Finished",
    "GLMClient",
    "NetworkError",
    "ProtocolError",
    "RateLimitError",
    "ReasoningDelta",
    "SSEDecoder",
    "SSEEvent",
    "ServerError",
    "StreamError",
    "StreamEvent",
    "TimeoutError",
    "Usage",
    "build_request_body",
    "status_for_finish",
]
