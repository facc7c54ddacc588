"""Just enough of a terminal to tell when a program's screen stops changing.

Keeps the characters of each cell (not their colours) as a program writes text, moves the
cursor and clears. A change of colour only, such as a blinking cursor, is not a change of the
screen; a character drawn in a new place is. Escape sequences it does not know are skipped.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-character escapes.
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
_ESCAPE_START = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*)?$")


def _width(ch: str) -> int:
    if unicodedata.combining(ch) or ch == "\u200b":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    """The text of a ``cols`` x ``rows`` terminal, fed the bytes a program writes."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = cols
        self.rows = rows
        self.cells = [[" "] * cols for _ in range(rows)]
        self.x = 0
        self.y = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.cells)

    def feed(self, data: bytes) -> bool:
        """Apply ``data``; True when any cell's character changed."""
        text = self._pending + self._decoder.decode(data)
        tail = _ESCAPE_START.search(text)
        if tail is not None:
            # An escape sequence cut off at the end of this read: finish it with the next one.
            self._pending = text[tail.start() :]
            text = text[: tail.start()]
        else:
            self._pending = ""
        changed = False
        position = 0
        for match in _ESCAPE.finditer(text):
            changed |= self._write(text[position : match.start()])
            changed |= self._control(match.group())
            position = match.end()
        changed |= self._write(text[position:])
        return changed

    def _put(self, ch: str) -> bool:
        width = _width(ch)
        if width == 0:
            return False
        if self.x + width > self.cols:
            self.x = 0
            self.y = min(self.y + 1, self.rows - 1)
        changed = self.cells[self.y][self.x] != ch
        self.cells[self.y][self.x] = ch
        if width == 2 and self.x + 1 < self.cols:
            changed |= self.cells[self.y][self.x + 1] != ""
            self.cells[self.y][self.x + 1] = ""
        self.x += width
        return changed

    def _write(self, text: str) -> bool:
        changed = False
        for ch in text:
            if ch == "\r":
                self.x = 0
            elif ch == "\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif ch == "\b":
                self.x = max(0, self.x - 1)
            elif ch >= " ":
                changed |= self._put(ch)
        return changed

    def _control(self, sequence: str) -> bool:
        if not sequence.startswith("\x1b["):
            return False
        final = sequence[-1]
        body = sequence[2:-1]
        if body.startswith("?"):
            return False  # modes: alternate screen, cursor shown, mouse, synchronized output
        numbers = [int(part) if part.isdigit() else 0 for part in body.split(";")]
        first = numbers[0] if numbers else 0
        if final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y = min(max(row, 1), self.rows) - 1
            self.x = min(max(col, 1), self.cols) - 1
        elif final == "A":
            self.y = max(0, self.y - max(first, 1))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + max(first, 1))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + max(first, 1))
        elif final == "D":
            self.x = max(0, self.x - max(first, 1))
        elif final == "G":
            self.x = min(max(first, 1), self.cols) - 1
        elif final == "J":
            return self._clear_screen(first)
        elif final == "K":
            return self._clear_line(first)
        return False

    def _blank(self, row: int, start: int, end: int) -> bool:
        cells = self.cells[row]
        changed = any(cell != " " for cell in cells[start:end])
        cells[start:end] = [" "] * (end - start)
        return changed

    def _clear_line(self, mode: int) -> bool:
        if mode == 0:
            return self._blank(self.y, self.x, self.cols)
        if mode == 1:
            return self._blank(self.y, 0, self.x + 1)
        return self._blank(self.y, 0, self.cols)

    def _clear_screen(self, mode: int) -> bool:
        if mode == 0:
            rows = range(self.y + 1, self.rows)
            changed = self._blank(self.y, self.x, self.cols)
        elif mode == 1:
            rows = range(self.y)
            changed = self._blank(self.y, 0, self.x + 1)
        else:
            rows = range(self.rows)
            changed = False
        for row in rows:
            changed |= self._blank(row, 0, self.cols)
        return changed
