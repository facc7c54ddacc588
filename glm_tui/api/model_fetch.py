"""Fetching the provider's model list: one GET, with the ETag of the copy in hand.

What the list says is read by ``models.py``; keeping it is ``models_cache.py``'s job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from glm_tui.api.models import ModelListError, decode
from glm_tui.records import record

FETCH_TIMEOUT = 20.0
"""Seconds the list may take (it is a few hundred kilobytes on the AI/ML API)."""


@record
class FetchedList:
    """What the server answered: the list's JSON and its ETag, or ``not_modified``."""

    body: Any = None
    etag: str | None = None
    not_modified: bool = False


async def fetch_model_list(
    url: str,
    *,
    api_key: str | None,
    etag: str | None = None,
    transport: Any = None,
    timeout: float = FETCH_TIMEOUT,
) -> FetchedList:
    """GET the list (with ``If-None-Match`` when an ETag is known). The key is sent when there
    is one (Z.ai wants it; the AI/ML API's list is public). ModelListError on any failure."""
    # Imported here: `glm-tui list` and the others never fetch models.
    from glm_tui import __version__
    from glm_tui.api._httpx import httpx

    headers = {"Accept": "application/json", "User-Agent": f"glm-tui/{__version__}"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if etag:
        headers["If-None-Match"] = etag
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
            response = await client.get(url, headers=headers, follow_redirects=True)
    except httpx.HTTPError as exc:
        detail = _scrub(str(exc) or type(exc).__name__, api_key)
        raise ModelListError(f"cannot fetch the model list from {url} ({detail})") from None
    if response.status_code == 304:
        return FetchedList(etag=response.headers.get("etag") or etag, not_modified=True)
    if response.status_code != 200:
        raise ModelListError(
            f"the model list at {url} answered HTTP {response.status_code}"
            + _reason(response.content, api_key)
        )
    return FetchedList(decode(response.content), response.headers.get("etag"))


def _reason(raw: bytes, api_key: str | None) -> str:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return ""
    message: Any = None
    if isinstance(body, Mapping):
        error = body.get("error")
        message = error.get("message") if isinstance(error, Mapping) else error
        message = message or body.get("message") or body.get("detail")
    if not isinstance(message, str) or not message.strip():
        return ""
    words = " ".join(_scrub(message, api_key).split())[:200].rstrip(" .")
    return f" ({words})"


def _scrub(text: str, api_key: str | None) -> str:
    return text.replace(api_key, "[redacted]") if api_key and len(api_key) >= 4 else text
