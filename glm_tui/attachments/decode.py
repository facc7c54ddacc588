"""Telling text from binary by content, and decoding text in the encoding it is in.

UTF-8 (with or without a byte order mark) and UTF-16 / UTF-32 (with one, or UTF-16 told by its
zero bytes) first; anything else goes to charset-normalizer, which knows the legacy encodings
(GBK, Shift-JIS, Windows-1252...). Bytes that no encoding reads as text with few control
characters are binary.
"""

from __future__ import annotations

import codecs

# Control characters in text: tab, newlines, form feed, escape (ANSI colours in logs) are fine.
_TEXT_CONTROLS = frozenset("\t\n\r\f\x1b\x0b")
_MAX_CONTROL_SHARE = 0.01
_SAMPLE = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A legacy single-byte encoding charset-normalizer picks for Latin text is most often really
# Windows-1252 (short texts are ambiguous between the Windows code pages).
_LATIN_FAMILY = ("cp125", "latin_", "iso8859", "mac_", "cp850", "cp437")


def _mostly_printable(text: str) -> bool:
    sample = text[:_SAMPLE]
    if not sample:
        return True
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS)
    controls += sample.count("\x7f")
    return controls <= len(sample) * _MAX_CONTROL_SHARE


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte order mark: a zero byte in every other place (ASCII text)."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SAMPLE]
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_zeros > half * 0.6 and even_zeros < half * 0.1:
        encoding = "utf-16-le"
    elif even_zeros > half * 0.6 and odd_zeros < half * 0.1:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(the text, the encoding it was read in), or None when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return (text, encoding) if _mostly_printable(text) else None
    if b"\x00" in data:
        text_or_none = _utf16_without_bom(data)
        if text_or_none is not None and _mostly_printable(text_or_none):
            return text_or_none, "utf-16"
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return (text, "utf-8") if _mostly_printable(text) else None
    return _legacy(data)


def _legacy(data: bytes) -> tuple[str, str] | None:
    # Imported here: it is needed only for the rare file that is not UTF-8.
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    encoding = best.encoding
    if encoding.startswith(_LATIN_FAMILY):
        try:
            return _checked(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    return _checked(str(best), encoding)


def _checked(text: str, encoding: str) -> tuple[str, str] | None:
    return (text, encoding) if _mostly_printable(text) else None
