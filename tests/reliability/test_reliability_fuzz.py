"""Issue 8, item 6: the event-stream parser under fuzzing, where test_sse.py and
test_client_fuzz.py leave gaps.

- test_sse.py splits *valid* streams and feeds *random* bytes (which rarely look like SSE);
  here any byte string built from SSE's own pieces (field names, colons, CR, LF, NUL, broken
  UTF-8...) must decode to the same events however it is split, and raise nothing untyped.
- test_client_fuzz.py hands the client each body in one piece; here the body arrives in random
  reads through httpx, and a valid chat stream must give the same text, usage and finish reason
  whatever the reads; garbage in random reads gives only typed errors, without the key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glm_tui.api import APIError, ContentDelta, Finished, GLMClient, ReasoningDelta, Usage
from glm_tui.api.sse import SSEDecoder, SSEEvent

KEY = "sk-fuzz-SECRET-0123456789"

# -- the decoder: any bytes made of SSE's own pieces --------------------------------------------

_pieces = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"event:",
        b"event: error",
        b"id:",
        b"id: 7",
        b"retry: 100",
        b"retry: x",
        b":",
        b": comment",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"\x00",
        b"[DONE]",
        b'{"a": 1}',
        "é漢👍".encode(),
        "é漢👍".encode()[:-1],  # UTF-8 cut in the middle of a character
        b"\xff\xfe",
        b" ",
    ]
)
_raw = st.lists(_pieces | st.binary(max_size=6), max_size=40).map(b"".join)


def _decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


def _split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    return [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]


@given(_raw, st.lists(st.integers(0, 10_000), max_size=16))
@settings(max_examples=400, deadline=None)
def test_any_sse_like_bytes_decode_the_same_however_split(raw: bytes, cuts: list[int]) -> None:
    whole = _decode([raw])  # never an error: only absurd sizes are, and these are small
    assert _decode(_split(raw, cuts)) == whole
    assert _decode([bytes([b]) for b in raw]) == whole  # one byte per read


# -- the client: bodies arriving in random reads -----------------------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12
)  # any character a model may send, newlines and emoji included


@st.composite
def chat_streams(draw: st.DrawFn) -> tuple[bytes, str, str, str]:
    """A valid stream (Z.ai or OpenAI layout, LF or CRLF, comments, with or without [DONE]),
    and the reasoning, answer and finish reason it must give."""
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    events: list[bytes] = []
    reasoning: list[str] = []
    content: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            events.append(b": keep-alive" + eol + eol)
        key = draw(st.sampled_from(["reasoning_content", "content"]))
        piece = draw(_text)
        (reasoning if key == "reasoning_content" else content).append(piece)
        chunk = {"choices": [{"index": 0, "delta": {"role": "assistant", key: piece}}]}
        events.append(b"data: " + json.dumps(chunk, ensure_ascii=draw(st.booleans())).encode())
        events.append(eol + eol)
    finish = draw(st.sampled_from(["stop", "length", "sensitive"]))
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    if draw(st.booleans()):  # Z.ai: usage in the finish chunk
        last = {"choices": [{"index": 0, "finish_reason": finish, "delta": {}}], "usage": usage}
        events.append(b"data: " + json.dumps(last).encode() + eol + eol)
    else:  # OpenAI: a separate usage chunk
        last = {"choices": [{"index": 0, "finish_reason": finish, "delta": {}}]}
        events.append(b"data: " + json.dumps(last).encode() + eol + eol)
        events.append(b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + eol + eol)
    if draw(st.booleans()):
        events.append(b"data: [DONE]" + eol + eol)
    return b"".join(events), "".join(reasoning), "".join(content), finish


def _client(chunks: list[bytes]) -> GLMClient:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    return GLMClient(
        base_url="http://fuzz/v1",
        api_key=KEY,
        model="m",
        max_retries=0,
        transport=httpx.MockTransport(reply),
    )


async def _run(chunks: list[bytes]) -> tuple[str, str, Usage | None, str]:
    reasoning, content, usage, finish = [], [], None, ""
    async with _client(chunks) as client:
        async for event in client.stream_chat([{"role": "user", "content": "x"}]):
            if isinstance(event, ReasoningDelta):
                reasoning.append(event.text)
            elif isinstance(event, ContentDelta):
                content.append(event.text)
            elif isinstance(event, Usage):
                usage = event
            elif isinstance(event, Finished):
                finish = event.finish_reason
    return "".join(reasoning), "".join(content), usage, finish


@given(chat_streams(), st.lists(st.integers(0, 100_000), max_size=20))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_chat_stream_gives_the_same_reply_however_it_is_split(
    stream: tuple[bytes, str, str, str], cuts: list[int]
) -> None:
    raw, reasoning, content, finish = stream
    whole = asyncio.run(_run([raw]))
    assert whole[:2] == (reasoning, content) and whole[3] == finish
    assert whole[2] is not None and whole[2].total_tokens == 8
    assert asyncio.run(_run(_split(raw, cuts))) == whole


_garbage = st.lists(
    st.one_of(
        _pieces,
        st.binary(max_size=30),
        st.just(b'data: {"error": {"message": "bad key ' + KEY.encode() + b'"}}\n\n'),
        st.just(b"data: {not json " + KEY.encode() + b"\n\n"),
        st.just(b"event: error\ndata: " + KEY.encode() + b"\n\n"),
        st.just(b'data: {"choices": [{"delta": {"content": "x"}}]}\n\n'),
    ),
    max_size=12,
).map(b"".join)


async def _outcome(chunks: list[bytes]) -> tuple[str, str, Usage | None, str] | str:
    """What the client makes of a body: the reply, or the typed error's class and message."""
    try:
        return await _run(chunks)
    except APIError as err:
        assert KEY not in str(err) and KEY not in (err.provider_message or "")
        return f"{type(err).__name__}: {err}"


@given(_garbage, st.lists(st.integers(0, 10_000), max_size=10))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_garbage_in_random_reads_gives_only_typed_errors_without_the_key(
    raw: bytes, cuts: list[int]
) -> None:
    """Whatever the body, the client gives a reply or one of its typed errors (anything else
    raises through here), without the key; and the same one however the body is split."""
    whole = asyncio.run(_outcome([raw]))
    assert asyncio.run(_outcome(_split(raw, cuts))) == whole
