"""Reading what a server says when it refuses: the error fields of the JSON bodies the providers
send, a short snippet of anything else (an HTML page's title), and ``Retry-After``."""

from __future__ import annotations

import json
import re
import time
from typing import Any

# A server asking us to wait longer than this is better reported than waited for.
RETRY_AFTER_CAP = 60.0


def loads(raw: bytes) -> Any:
    """The JSON of a body, or None when it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def error_fields(body: Any) -> tuple[str | None, str | None]:
    """(code, message) from Z.ai ``{"error": {...}}``, OpenAI ``{"error": {...}}``, AI/ML API
    ``{"message": ...}`` or FastAPI ``{"detail": ...}`` bodies."""
    if not isinstance(body, dict):
        return None, None
    source: dict[str, Any] = body
    err = body.get("error")
    if isinstance(err, dict):
        source = err
    elif isinstance(err, str) and err:
        return None, err
    code = source.get("code")
    message = source.get("message")
    if message is None:
        message = source.get("detail")
    if isinstance(message, list):  # validation errors come as a list of objects or strings
        message = "; ".join(
            str(m.get("msg", m)) if isinstance(m, dict) else str(m) for m in message
        )
    elif message is not None and not isinstance(message, str):
        message = json.dumps(message)
    code_text = str(code) if code is not None and code != "" else None
    return code_text, message or None


def text_snippet(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    return snippet(text)


def snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # here: an HTTP date is rare, and the import costs every `ask`

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)
