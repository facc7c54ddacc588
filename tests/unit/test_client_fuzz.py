"""Whatever a server sends, the client yields events or raises one of our typed errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glm_tui.api import (
    APIError,
    ContentDelta,
    Finished,
    GLMClient,
    ProtocolError,
    ReasoningDelta,
    Usage,
)
from tests.fakeglm import FakeGLM, chunk, sse, stall_stream

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
_keys = st.sampled_from(
    ["choices", "delta", "content", "reasoning_content", "reasoning", "finish_reason", "usage"]
)
# Objects built from the real field names, so the fuzzing reaches deep into chunk handling.
_chunkish = st.recursive(
    _json,
    lambda inner: st.dictionaries(_keys, inner, max_size=4) | st.lists(inner, max_size=2),
    max_leaves=12,
)
_frame = st.one_of(
    _chunkish.map(lambda obj: b"data: " + json.dumps(obj).encode() + b"\n\n"),
    st.builds(lambda c, r: sse(chunk(content=c, reasoning=r)), st.text(), st.text()),
    st.sampled_from([b"data: [DONE]\n\n", b": ping\n\n", b"event: error\n", b"\r\n"]),
    st.binary(max_size=40),
)


async def _consume(body: bytes, content_type: str) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    client = GLMClient(
        base_url="http://fuzz/v1",
        api_key="sk-fuzz-key-0000",
        model="m",
        max_retries=0,
        transport=httpx.MockTransport(reply),
    )
    async with client:
        events = [event async for event in client.stream_chat([{"role": "user", "content": "x"}])]
    assert isinstance(events[-1], Finished)


# -- valid streams: they must decode, to exactly the reply they carry --------------------------

_any_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10)
# What a valid stream may hold besides the reply, which the client must pass over.
_noise = st.sampled_from(
    [
        b": ping\n\n",
        b"data: \n\n",
        b"event: ping\n\n",
        b"retry: 3000\n\n",
        b"id: 17\n\n",
        b'data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\n',
        b'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}],"extra":{"a":[1]}}\n\n',
    ]
)


@st.composite
def valid_streams(draw: st.DrawFn) -> tuple[bytes, str, str, str, bool]:
    """A valid chat stream, and the reasoning, answer, finish reason and usage it carries."""
    frames: list[bytes] = []
    reasoning: list[str] = []
    content: list[str] = []
    key = draw(st.sampled_from(["reasoning_content", "reasoning"]))
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["reasoning", "content", "both", "noise"]))
        if kind == "noise":
            frames.append(draw(_noise))
            continue
        think = draw(_any_text) if kind in ("reasoning", "both") else None
        say = draw(_any_text) if kind in ("content", "both") else None
        reasoning.append(think or "")
        content.append(say or "")
        frames.append(sse(chunk(reasoning=think, content=say, reasoning_key=key)))
    finish = draw(st.sampled_from(["stop", "length", "sensitive", "network_error", "new_reason"]))
    with_usage = draw(st.booleans())
    usage = {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5} if with_usage else None
    frames.append(sse(chunk(content="", finish_reason=finish, usage=usage)))
    if draw(st.booleans()):
        frames.append(b"data: [DONE]\n\n")
    return b"".join(frames), "".join(reasoning), "".join(content), finish, with_usage


async def _events(body: bytes) -> list[Any]:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = GLMClient(
        base_url="http://fuzz/v1",
        api_key="sk-fuzz-key-0000",
        model="m",
        max_retries=0,
        transport=httpx.MockTransport(reply),
    )
    async with client:
        return [event async for event in client.stream_chat([{"role": "user", "content": "x"}])]


@given(valid_streams())
@settings(max_examples=200, deadline=None)
def test_a_valid_stream_decodes_to_its_reply(stream: tuple[bytes, str, str, str, bool]) -> None:
    body, reasoning, content, finish, with_usage = stream
    events = asyncio.run(_events(body))  # no error: the stream is valid
    assert events[-1] == Finished(finish)
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == reasoning
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == content
    assert all(e.text for e in events if isinstance(e, ReasoningDelta | ContentDelta))
    usages = [e for e in events if isinstance(e, Usage)]
    assert [u.total_tokens for u in usages] == ([5] if with_usage else [])
    assert sum(isinstance(e, Finished) for e in events) == 1


# -- anything else: events or a typed error, never the key ---------------------------------------


@given(
    st.lists(_frame, max_size=8),
    st.sampled_from(["text/event-stream", "text/event-stream; charset=utf-8", ""]),
)
@settings(max_examples=150, deadline=None)
def test_any_body_gives_events_or_a_typed_error(frames: list[bytes], content_type: str) -> None:
    try:
        asyncio.run(_consume(b"".join(frames), content_type))
    except APIError as err:
        assert "sk-fuzz-key-0000" not in str(err)


def test_fake_server_closes_promptly_while_a_connection_stalls() -> None:
    fake = FakeGLM()
    fake.enqueue(stall_stream("x"))

    async def scenario() -> None:
        client = GLMClient(base_url=fake.base_url, api_key=None, model="m", max_retries=0)
        task = asyncio.create_task(_drain(client))
        await fake.await_requests(1)
        await asyncio.to_thread(fake.close)
        assert not fake._thread.is_alive()  # it did not hang on the stalled connection
        with contextlib.suppress(APIError):  # the server went away mid-reply
            await task
        await client.aclose()

    asyncio.run(scenario())


async def _drain(client: GLMClient) -> list[Any]:
    return [e async for e in client.stream_chat([{"role": "user", "content": "x"}])]


def test_absurdly_deep_json_is_a_protocol_error() -> None:
    body = b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n"
    with pytest.raises(ProtocolError):
        asyncio.run(_consume(body, "text/event-stream"))


# Frames near an object's text: an object's JSON with something before, after or in place of a
# piece of it (what a cut or a proxy's mangling makes), or any text that starts with a brace.
_near_object = st.one_of(
    st.builds(
        lambda obj, before, after: before + json.dumps(obj) + after,
        st.dictionaries(st.text(max_size=6), _chunkish, max_size=3),
        st.sampled_from(["", " ", "\t", "x", "[", "{"]),
        st.sampled_from(["", " ", "\n", "}", "]", ",", " x", ', {"a": 1}', "{}"]),
    ),
    st.builds(lambda obj, cut: json.dumps(obj)[:cut], _chunkish, st.integers(0, 40)),
    st.text(max_size=30).map(lambda text: "{" + text),
    st.sampled_from(['{"a": NaN}', '{"a": 1e999}', '{"a": "\\ud800"}', '{"a":1}{"b":2}', "{}"]),
)


@pytest.fixture(scope="module")
def parser() -> Iterator[GLMClient]:
    # One client for every example: making one makes an HTTP client and its TLS context.
    client = GLMClient(base_url="http://fuzz/v1", api_key="sk-fuzz-key-0000", model="m")
    yield client
    asyncio.run(client.aclose())


@given(data=_near_object)
@settings(max_examples=400, deadline=None)
def test_a_frame_is_read_as_json_loads_reads_it(parser: GLMClient, data: str) -> None:
    # The client scans an object's text without json.loads' wrapping (client._parse): it must
    # take and refuse exactly what json.loads does, for any frame.
    client = parser
    try:
        expected = json.loads(data)
    except (ValueError, RecursionError):
        expected = ProtocolError
    if not isinstance(expected, dict):
        with pytest.raises(ProtocolError):
            client._parse(data)
    else:
        assert client._parse(data) == expected
