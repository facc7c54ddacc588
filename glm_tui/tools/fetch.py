"""The built-in ``fetch_url`` tool: GET an http(s) page, give back its text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from glm_tui import __version__
from glm_tui.tools.spec import ToolError

FETCH_LIMIT = 1_000_000
"""Bytes of a page read (the model is told when there was more)."""
FETCH_TIMEOUT = 20.0
"""Seconds to connect, and at most between two pieces of the page."""
MAX_REDIRECTS = 5
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml+xml")
_TEXT_SUFFIXES = ("+json", "+xml")


class _TextOfHTML(HTMLParser):
    """The words of an HTML page: no tags, scripts or styles; a line per block."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "pre"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHTML()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return not kind or kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


async def fetch_url(root: Path, arguments: dict[str, Any]) -> str:
    """GET the page; its text (HTML made plain), at most FETCH_LIMIT bytes of it."""
    url = str(arguments["url"]).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ToolError(f"{url}: only http:// and https:// URLs can be fetched")
    from glm_tui.api._httpx import httpx

    timeout = httpx.Timeout(FETCH_TIMEOUT)
    headers = {"User-Agent": f"glm-tui/{__version__}", "Accept": "text/*, application/json"}
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            content_type = response.headers.get("content-type", "")
            if not _is_text(content_type):
                raise ToolError(f"{url}: not text ({content_type.split(';')[0]})")
            data = bytearray()
            async for piece in response.aiter_bytes():
                data += piece
                if len(data) > FETCH_LIMIT:
                    break
            status = response.status_code
            encoding = response.charset_encoding or "utf-8"
    except httpx.HTTPError as exc:
        raise ToolError(f"{url}: {exc or type(exc).__name__}") from None
    try:
        text = bytes(data[:FETCH_LIMIT]).decode(encoding, errors="replace")
    except LookupError:
        text = bytes(data[:FETCH_LIMIT]).decode("utf-8", errors="replace")
    if "html" in content_type.lower():
        text = html_to_text(text)
    head = f"HTTP {status} {url}\n\n" if status >= 400 else ""
    tail = ""
    if len(data) > FETCH_LIMIT:
        tail = f"\n[glm-tui: the page is longer; only the first {FETCH_LIMIT:,} bytes were read]"
    return head + text + tail
