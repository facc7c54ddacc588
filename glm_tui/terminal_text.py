"""Text as it may be shown on a terminal: whole control sequences removed.

A model (or a provider's error) can send escape codes. Written to a terminal they would recolour
it, retitle the window or worse; drawn by Textual, only their ESC byte vanishes and the rest
(``[31m``, ``]0;title``) shows. So every place that shows such text removes whole sequences
(ECMA-48: CSI, OSC, DCS, SOS, PM, APC, the two- and three-character ESC codes, and their C1
forms) and every other control character but tab and newline. The history keeps what the
provider sent; only what is shown is cleaned.

:class:`ControlStripper` does it piece by piece, for text that streams: a sequence split across
two pieces is held back (its state is kept, nothing is buffered) and removed whole. Never
imports Textual: ``ask`` and ``show`` use it too.
"""

from __future__ import annotations

import re

_ESC, _BEL, _CAN, _SUB, _C1_ST = "\x1b", "\x07", "\x18", "\x1a", "\x9c"
_CANCEL = (_CAN, _SUB)
_STRING_OPENERS = "]PX^_"  # after ESC: OSC, DCS, SOS, PM, APC
_C1_STRING_OPENERS = "\x9d\x90\x98\x9e\x9f"
_C1_CSI = "\x9b"

# Every control character but tab and newline; text without one needs no work.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What can end a control string. A newline ends an unterminated one too: a window title or a
# hyperlink never spans lines, and a stray opener should not hide the rest of a reply.
_STRING_END = re.compile(r"[\x07\x9c\x1b\x18\x1a\n]")

_GROUND, _ESCAPE, _ESCAPE_INTERMEDIATE, _CSI, _STRING, _STRING_ESCAPE = range(6)


class ControlStripper:
    """Removes control sequences from text that arrives in pieces (one instance per stream).

    ``feed`` returns what can be shown of each piece; the part of a sequence that is not
    finished yet is held back and removed once it is. A sequence still open when the stream
    ends is dropped: it was never shown.
    """

    def __init__(self) -> None:
        self._state = _GROUND

    def feed(self, text: str) -> str:
        if self._state == _GROUND and not _CONTROL.search(text):
            return text
        out: list[str] = []
        state = self._state
        i, end = 0, len(text)
        while i < end:
            if state == _GROUND:
                match = _CONTROL.search(text, i)
                if match is None:
                    out.append(text[i:])
                    break
                out.append(text[i : match.start()])
                state = _after_control(match.group())
                i = match.end()
            elif state == _STRING:
                match = _STRING_END.search(text, i)
                if match is None:
                    break  # the whole rest is inside the string
                state, i = _string_end(match.group(), match.start())
            else:
                state, consumed = _inside_escape(state, text[i])
                if consumed:
                    i += 1
        self._state = state
        return "".join(out)


def strip_controls(text: str) -> str:
    """``text`` without control sequences or control characters (tab and newline stay)."""
    return ControlStripper().feed(text)


def _after_control(char: str) -> int:
    """The state after a control character met between sequences (the character is dropped)."""
    if char == _ESC:
        return _ESCAPE
    if char == _C1_CSI:
        return _CSI
    if char in _C1_STRING_OPENERS:
        return _STRING
    return _GROUND


def _string_end(char: str, at: int) -> tuple[int, int]:
    """The state after what ended a control string at ``at``, and where to go on reading."""
    if char == _ESC:
        return _STRING_ESCAPE, at + 1
    if char == "\n":
        return _GROUND, at  # the newline itself is text
    return _GROUND, at + 1  # BEL, ST, CAN, SUB


def _inside_escape(state: int, char: str) -> tuple[int, bool]:
    """One character of an escape sequence: the next state, and whether the character was part
    of the sequence (if not, it is read again as text: a broken sequence loses only itself)."""
    code = ord(char)
    if state == _STRING_ESCAPE:
        if char == "\\":
            return _GROUND, True  # ST
        return _ESCAPE, False  # the ESC ended the string and starts a sequence of its own
    if char in _CANCEL:
        return _GROUND, True
    if char == _ESC:
        return _ESCAPE, True
    if state == _ESCAPE:
        if char == "[":
            return _CSI, True
        if char in _STRING_OPENERS:
            return _STRING, True
        if 0x20 <= code <= 0x2F:
            return _ESCAPE_INTERMEDIATE, True
        if 0x30 <= code <= 0x7E:
            return _GROUND, True
        return _GROUND, False
    if state == _ESCAPE_INTERMEDIATE:
        if 0x20 <= code <= 0x2F:
            return state, True
        if 0x30 <= code <= 0x7E:
            return _GROUND, True
        return _GROUND, False
    # CSI: parameters and intermediates, then one final byte.
    if 0x20 <= code <= 0x3F:
        return state, True
    if 0x40 <= code <= 0x7E:
        return _GROUND, True
    return _GROUND, False
