"""Where Markdown may be cut into segments, and how tall a segment will be, from its text alone.

A cut goes before a line that surely starts a new top-level block, after a blank line outside a
code fence: rendering the parts one under the other looks as the whole would (see
segmented.py). No Textual here: these run on every piece of a streamed reply.
"""

from __future__ import annotations

import math

SEAL_BLOCKS = 15
"""Blocks (paragraphs, list items, fences...) in a segment before it is sealed at a boundary."""

_BLOCK_START = frozenset("#`~_") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
"""First characters of a line, after a blank one, that surely start a new top-level block (not a
list item, a continuation, a quote or a table row, whose split would change the rendering)."""


class BoundaryScanner:
    """Finds the safe places to cut Markdown, fed a piece at a time.

    ``feed`` returns the lines that start a new top-level block, each reported once, as soon as
    its first character has arrived: (offset from the start of everything fed, blocks before
    it). ``weight`` counts the blocks seen (each non-blank line outside a fence, each fence).
    """

    def __init__(self) -> None:
        self.pos = 0
        self.weight = 0
        self._line = ""
        self._checked = False
        self._after_break = False
        self._fence: tuple[str, int] | None = None

    def feed(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        buf = self._line + text
        base = self.pos - len(self._line)
        start = 0
        while True:
            end = buf.find("\n", start)
            line = buf[start:] if end < 0 else buf[start:end]
            if line and not self._checked:
                self._checked = True
                if self._after_break and self._fence is None and line[0] in _BLOCK_START:
                    found.append((base + start, self.weight))
            if end < 0:
                self._line = line
                break
            self._complete(line)
            self._checked = False
            start = end + 1
        self.pos += len(text)
        return found

    def _complete(self, line: str) -> None:
        stripped = line.strip()
        if self._fence is not None:
            char, size = self._fence
            if stripped.startswith(char * size) and not stripped.strip(char):
                self._fence = None
                self._after_break = True
            else:
                self._after_break = False
            return
        if stripped[:3] in ("```", "~~~"):
            char = stripped[0]
            self._fence = (char, len(stripped) - len(stripped.lstrip(char)))
            self.weight += 1
            self._after_break = False
        elif not stripped:
            self._after_break = True
        else:
            self.weight += 1
            self._after_break = False


def split_segments(text: str, seal_blocks: int = SEAL_BLOCKS) -> list[str]:
    """Cut a whole document as a stream of it would have been cut."""
    parts: list[str] = []
    last = 0
    weight_at_cut = 0
    for boundary, weight in BoundaryScanner().feed(text):
        if weight - weight_at_cut >= seal_blocks:
            parts.append(text[last:boundary])
            last = boundary
            weight_at_cut = weight
    parts.append(text[last:])
    return parts


def estimate_rows(text: str, width: int) -> int:
    """Rows a Markdown text takes at ``width``, roughly: wrapped paragraphs and items, code
    lines, and a blank row after each block. A placeholder is mounted before it is seen, so the
    error only moves the scroll bar a little."""
    width = max(10, width)
    rows = 0
    paragraph = 0
    fence = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped[:3] in ("```", "~~~"):
            if paragraph:
                rows += math.ceil(paragraph / width) + 1
                paragraph = 0
            rows += 3 if fence else 0  # padding above and below, and the margin
            fence = not fence
        elif fence:
            rows += 1
        elif not stripped:
            if paragraph:
                rows += math.ceil(paragraph / width) + 1
                paragraph = 0
        elif stripped[0] in "-*+#|>" or stripped[:1].isdigit():
            rows += math.ceil(len(stripped) / max(10, width - 4))
        else:
            paragraph += len(stripped) + 1
    if paragraph:
        rows += math.ceil(paragraph / width) + 1
    return max(1, rows)
