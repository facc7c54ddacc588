"""The incremental SSE decoder against the spec's rules, split reads and garbage."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glm_tui.api.errors import APIError, ProtocolError
from glm_tui.api.sse import MAX_BUFFER, SSEDecoder, SSEEvent


def decode(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


def datas(*chunks: bytes) -> list[str]:
    return [e.data for e in decode(*chunks)]


def test_simple_events() -> None:
    assert datas(b"data: one\n\ndata: two\n\n") == ["one", "two"]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(eol: bytes) -> None:
    stream = b"data: a" + eol + eol + b"data: b" + eol + b"data: c" + eol + eol
    assert datas(stream) == ["a", "b\nc"]


def test_mixed_line_endings() -> None:
    assert datas(b"data: a\r\ndata: b\rdata: c\n\r\n") == ["a\nb\nc"]


def test_comments_are_ignored() -> None:
    assert datas(b": keep-alive\n\n:\ndata: x\n: in between\n\n") == ["x"]


def test_event_id_and_retry_fields() -> None:
    events = decode(b"event: delta\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n")
    assert events[0] == SSEEvent("x", "delta", "7", 1500)
    # the event type resets after dispatch; the last event id persists (spec)
    assert events[1] == SSEEvent("y", "message", "7", 1500)


def test_bad_id_and_retry_values_are_ignored() -> None:
    events = decode(b"id: a\0b\nretry: 12s\ndata: x\n\n")
    assert events == [SSEEvent("x")]


def test_unknown_fields_are_ignored() -> None:
    assert datas(b"foo: bar\nbaz\ndata: x\n\n") == ["x"]


def test_only_one_leading_space_is_stripped() -> None:
    assert datas(b"data:x\n\ndata:  y\n\ndata\n\n") == ["x", " y", ""]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\n\nevent: ping\n\n\n") == []


def test_event_type_without_data_does_not_leak_into_next_event() -> None:
    assert decode(b"event: ping\n\ndata: x\n\n") == [SSEEvent("x")]


def test_incomplete_event_at_end_is_discarded() -> None:
    assert datas(b"data: done\n\ndata: partial\n") == ["done"]
    assert datas(b"data: done\n\ndata: partial") == ["done"]


def test_event_split_across_reads() -> None:
    stream = b'data: {"a": 1}\n\n'
    assert datas(*[stream[i : i + 1] for i in range(len(stream))]) == ['{"a": 1}']


def test_crlf_split_across_reads_is_one_line_end() -> None:
    # A CR ending one read and the LF starting the next are a single CRLF, not two line ends
    # (two would make a blank line and dispatch too early).
    assert datas(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == ["a\nb"]


def test_utf8_split_mid_character() -> None:
    raw = "data: héllo → 世界 🎉\n\n".encode()
    for cut in range(len(raw)):
        assert datas(raw[:cut], raw[cut:]) == ["héllo → 世界 🎉"]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert datas(b"data: a\xffb\n\n") == ["a\ufffdb"]


def test_too_long_line_is_a_protocol_error() -> None:
    decoder = SSEDecoder()
    piece = b"x" * (1024 * 1024)
    with pytest.raises(ProtocolError):
        for _ in range(MAX_BUFFER // len(piece) + 2):
            decoder.feed(piece)


def test_too_large_event_is_a_protocol_error() -> None:
    decoder = SSEDecoder()
    line = b"data: " + b"x" * (1024 * 1024) + b"\n"
    with pytest.raises(ProtocolError):
        for _ in range(MAX_BUFFER // len(line) + 2):
            decoder.feed(line)


def test_forty_thousand_events_parse_fast() -> None:
    event = (
        b'data: {"id":"x","object":"chat.completion.chunk","model":"glm-4.7","choices":'
        b'[{"index":0,"delta":{"role":"assistant","content":"tok "}}]}\n\n'
    )
    blob = event * 40_000
    decoder = SSEDecoder()
    start = time.perf_counter()
    count = 0
    for i in range(0, len(blob), 4096):
        count += len(decoder.feed(blob[i : i + 4096]))
    elapsed = time.perf_counter() - start
    assert count == 40_000
    assert elapsed < 0.5


# --- properties ------------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\0"),
    max_size=30,
)
_eol = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, list[SSEEvent]]:
    """A valid stream built from random events, and the events it must decode to."""
    out: list[str] = []
    expected: list[SSEEvent] = []
    last_id: str | None = None
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            out.append(":" + draw(_text) + draw(_eol))
        name = draw(st.sampled_from(["", "delta", "error"]))
        if name:
            out.append(f"event: {name}" + draw(_eol))
        if draw(st.booleans()):
            last_id = draw(_text)
            out.append(f"id: {last_id}" + draw(_eol))
        lines = draw(st.lists(_text, min_size=1, max_size=3))
        for line in lines:
            out.append(f"data: {line}" + draw(_eol))
        blank = draw(_eol)
        if out[-1].endswith("\r") and blank == "\n":
            blank = "\r"  # CR then LF is one CRLF, not a line end plus a blank line
        out.append(blank)
        expected.append(SSEEvent("\n".join(lines), name or "message", last_id))
    return "".join(out).encode(), expected


@given(streams(), st.lists(st.integers(0, 10_000), max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_split_gives_the_same_events(
    stream: tuple[bytes, list[SSEEvent]], cuts: list[int]
) -> None:
    raw, expected = stream
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    assert decode(*pieces) == expected
    assert decode(raw) == expected


@given(st.lists(st.binary(max_size=64), max_size=20))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_raise_untyped_errors(chunks: list[bytes]) -> None:
    try:
        decode(*chunks)
    except APIError:
        pass
