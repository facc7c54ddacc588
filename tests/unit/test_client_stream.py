"""GLMClient against the fake server: the request it sends and the events it yields."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from glm_tui.api import (
    Connected,
    ContentDelta,
    Finished,
    GLMClient,
    ReasoningDelta,
    StreamEvent,
    Usage,
    build_request_body,
)
from glm_tui.api import client as client_module
from glm_tui.api.demo import DEMO_MODEL, DemoTransport
from glm_tui.api.errors import ProtocolError
from tests.fakeglm import (
    DONE,
    STALL,
    FakeGLM,
    Response,
    aimlapi_stream,
    big_stream,
    chunk,
    raw_stream,
    sse,
    usage_dict,
    zai_stream,
)

KEY = "sk-test-SECRET-0123456789"
HELLO = [{"role": "user", "content": "Hello"}]


def make_client(fake: FakeGLM, **kwargs: Any) -> GLMClient:
    kwargs.setdefault("backoff_base", 0.001)
    kwargs.setdefault("backoff_max", 0.002)
    kwargs.setdefault("api_key", KEY)
    return GLMClient(base_url=fake.base_url, model="glm-4.7", **kwargs)


async def collect(fake: FakeGLM, **kwargs: Any) -> list[StreamEvent]:
    """The events of one reply, after the Connected that starts every stream."""
    async with make_client(fake) as client:
        events = [event async for event in client.stream_chat(HELLO, **kwargs)]
    assert events[0] == Connected()
    return events[1:]


def text_of(events: list[StreamEvent]) -> tuple[str, str]:
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    return reasoning, content


# --- the request -----------------------------------------------------------------------------


async def test_default_request_sends_only_what_is_set(fake_glm: FakeGLM) -> None:
    await collect(fake_glm)
    (req,) = fake_glm.requests
    assert req.path == "/v1/chat/completions"
    assert req.json == {"model": "glm-4.7", "messages": HELLO, "stream": True}


async def test_request_with_every_option(fake_glm: FakeGLM) -> None:
    await collect(
        fake_glm, model="zhipu/glm-4.7", thinking=True, temperature=0.7, top_p=0.9, max_tokens=512
    )
    assert fake_glm.requests[0].json == {
        "model": "zhipu/glm-4.7",
        "messages": HELLO,
        "stream": True,
        "thinking": {"type": "enabled"},
        "temperature": 0.7,
        "top_p": 0.9,
        "max_tokens": 512,
    }


async def test_thinking_disabled_is_an_object(fake_glm: FakeGLM) -> None:
    await collect(fake_glm, thinking=False, temperature=0.0)
    body = fake_glm.requests[0].json
    assert body["thinking"] == {"type": "disabled"}
    assert body["temperature"] == 0.0
    assert "top_p" not in body and "max_tokens" not in body


def test_build_request_body_copies_messages() -> None:
    messages = [{"role": "user", "content": "hi"}]
    body = build_request_body(
        "m", messages, thinking=None, temperature=None, top_p=None, max_tokens=None
    )
    assert body == {"model": "m", "messages": messages, "stream": True}
    body["messages"][0]["content"] = "changed"
    assert messages[0]["content"] == "hi"


async def test_headers_carry_the_bearer_key(fake_glm: FakeGLM) -> None:
    await collect(fake_glm)
    headers = fake_glm.requests[0].headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "text/event-stream"
    assert headers["user-agent"].startswith("glm-tui/")


async def test_no_key_no_authorization_header_and_extra_headers(fake_glm: FakeGLM) -> None:
    client = make_client(fake_glm, api_key=None, extra_headers={"X-Title": "glm-tui"})
    async with client:
        [e async for e in client.stream_chat(HELLO)]
    headers = fake_glm.requests[0].headers
    assert "authorization" not in headers
    assert headers["x-title"] == "glm-tui"


async def test_base_url_trailing_slash(fake_glm: FakeGLM) -> None:
    async with GLMClient(base_url=fake_glm.base_url + "/", api_key=KEY, model="m") as client:
        [e async for e in client.stream_chat(HELLO)]
    assert fake_glm.requests[0].path == "/v1/chat/completions"


def test_repr_hides_the_key() -> None:
    client = GLMClient(base_url="http://x/v1", api_key=KEY, model="m")
    assert KEY not in repr(client)
    assert "6789" in repr(client)


# --- the events ------------------------------------------------------------------------------


async def test_zai_stream_usage_in_finish_chunk(fake_glm: FakeGLM) -> None:
    usage = usage_dict(prompt=8, completion=31, reasoning=22, cached=3)
    fake_glm.enqueue(
        zai_stream("Hello! How can I help?", reasoning="The user says hello.", usage=usage)
    )
    events = await collect(fake_glm)
    assert text_of(events) == ("The user says hello.", "Hello! How can I help?")
    assert events[-2:] == [
        Usage(
            prompt_tokens=8,
            completion_tokens=31,
            total_tokens=39,
            cached_tokens=3,
            reasoning_tokens=22,
        ),
        Finished("stop"),
    ]
    kinds = [type(e) for e in events]
    assert kinds.index(ContentDelta) > max(i for i, k in enumerate(kinds) if k is ReasoningDelta)


async def test_aimlapi_stream_usage_in_separate_chunk_without_done(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(aimlapi_stream("Hi.", usage=usage_dict(5, 7), credits_used=2100))
    events = await collect(fake_glm)
    assert text_of(events) == ("", "Hi.")
    assert events[-2:] == [
        Usage(
            prompt_tokens=5,
            completion_tokens=7,
            total_tokens=12,
            cached_tokens=0,
            reasoning_tokens=0,
            credits=2100.0,
            usd=2100 / 2_000_000,
        ),
        Finished("stop"),
    ]


async def test_usd_only_derives_credits(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(aimlapi_stream("Hi.", usd_spent=0.5, done=True))
    events = await collect(fake_glm)
    usage = events[-2]
    assert isinstance(usage, Usage)
    assert (usage.usd, usage.credits) == (0.5, 1_000_000.0)


async def test_usage_reported_twice_is_merged_and_yielded_once(fake_glm: FakeGLM) -> None:
    finish = chunk(content="", finish_reason="stop", usage={"prompt_tokens": 4})
    tail = {"choices": [], "usage": usage_dict(4, 2), "meta": {"usage": {"credits_used": 10}}}
    fake_glm.enqueue(raw_stream([sse(chunk(content="ok")), sse(finish), sse(tail), DONE]))
    events = await collect(fake_glm)
    usages = [e for e in events if isinstance(e, Usage)]
    assert usages == [
        Usage(4, 2, 6, 0, 0, credits=10.0, usd=10 / 2_000_000),
    ]
    assert events[-2] is usages[0]


async def test_no_usage_means_no_usage_event(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("x", usage=None))
    assert await collect(fake_glm) == [ContentDelta("x"), Finished("stop")]


async def test_total_is_derived_when_missing(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("x", usage={"prompt_tokens": 3, "completion_tokens": 4}))
    assert (await collect(fake_glm))[-2] == Usage(3, 4, 7)


async def test_both_fields_in_one_delta_reasoning_first(fake_glm: FakeGLM) -> None:
    both = chunk(reasoning="...done thinking.", content="The answer")
    fake_glm.enqueue(raw_stream([sse(chunk(reasoning="Thinking")), sse(both), sse(finish_chunk())]))
    assert await collect(fake_glm) == [
        ReasoningDelta("Thinking"),
        ReasoningDelta("...done thinking."),
        ContentDelta("The answer"),
        Finished("stop"),
    ]


def finish_chunk(reason: str = "stop") -> dict[str, Any]:
    return chunk(content="", finish_reason=reason)


async def test_empty_strings_yield_nothing(fake_glm: FakeGLM) -> None:
    steps = [
        sse(chunk(content="", reasoning="")),
        sse(chunk(reasoning="r")),
        sse(chunk(content="")),
        sse(chunk(reasoning="", content="c")),
        sse({"choices": [{"index": 0, "delta": {}}]}),
        sse({"choices": [{"index": 0, "delta": {"content": None}}]}),
        sse(finish_chunk()),
    ]
    fake_glm.enqueue(raw_stream(steps))
    assert await collect(fake_glm) == [ReasoningDelta("r"), ContentDelta("c"), Finished("stop")]


async def test_reasoning_alias(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("answer", reasoning="thoughts", reasoning_key="reasoning"))
    events = await collect(fake_glm)
    assert text_of(events) == ("thoughts", "answer")


async def test_comments_event_lines_and_crlf(fake_glm: FakeGLM) -> None:
    body = (
        ": OPENROUTER PROCESSING\r\n\r\n"
        "event: message\r\nid: 1\r\nretry: 3000\r\n"
        f"data: {sse(chunk(content='Hi'))[6:-2].decode()}\r\n\r\n"
        ": ping\r\n\r\n"
        f"data: {sse(finish_chunk())[6:-2].decode()}\r\n\r\n"
        "data: [DONE]\r\n\r\n"
    )
    fake_glm.enqueue(raw_stream([body]))
    assert await collect(fake_glm) == [ContentDelta("Hi"), Finished("stop")]


async def test_utf8_split_across_reads(fake_glm: FakeGLM) -> None:
    raw = sse(chunk(content="Grüße, 世界 🎉")) + sse(finish_chunk())
    cut = raw.index("🎉".encode()) + 2  # in the middle of the emoji
    cut2 = raw.index("世".encode()) + 1
    fake_glm.enqueue(raw_stream([raw[:cut2], raw[cut2:cut], raw[cut:]], delay=0.01))
    assert await collect(fake_glm) == [ContentDelta("Grüße, 世界 🎉"), Finished("stop")]


async def test_event_split_across_many_reads(fake_glm: FakeGLM) -> None:
    raw = sse(chunk(reasoning="r")) + sse(chunk(content="c")) + sse(finish_chunk()) + DONE
    fake_glm.enqueue(raw_stream([raw[i : i + 7] for i in range(0, len(raw), 7)]))
    assert await collect(fake_glm) == [ReasoningDelta("r"), ContentDelta("c"), Finished("stop")]


@pytest.mark.parametrize(
    "reason",
    ["stop", "length", "sensitive", "network_error", "model_context_window_exceeded", "tool_calls"],
)
async def test_every_finish_reason_is_reported(fake_glm: FakeGLM, reason: str) -> None:
    fake_glm.enqueue(zai_stream("partial", finish_reason=reason, usage=None))
    assert await collect(fake_glm) == [ContentDelta("partial"), Finished(reason)]


async def test_length_while_thinking(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("", reasoning="hmm", finish_reason="length", usage=None))
    assert await collect(fake_glm) == [ReasoningDelta("hmm"), Finished("length")]


async def test_reading_stops_at_done(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(raw_stream([sse(chunk(content="a")), sse(finish_chunk()), DONE, b"junk\n\n"]))
    assert await collect(fake_glm) == [ContentDelta("a"), Finished("stop")]


async def test_empty_data_events_are_skipped(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(raw_stream([b"data:\n\n", sse(chunk(content="a")), sse(finish_chunk())]))
    assert await collect(fake_glm) == [ContentDelta("a"), Finished("stop")]


async def test_events_arrive_while_streaming(fake_glm: FakeGLM) -> None:
    # Connected as soon as the provider answers, the first delta before the server has sent
    # the rest (it sends nothing more until the test opens the gate).
    gate = threading.Event()
    fake_glm.enqueue(
        Response(headers_gate=gate, steps=[sse(chunk(content="first")), STALL], abort=True)
    )
    async with make_client(fake_glm) as client:
        stream = client.stream_chat(HELLO)
        waiting = asyncio.ensure_future(anext(stream))
        await fake_glm.await_requests(1)
        assert not waiting.done()  # no status line yet: still connecting
        gate.set()
        assert await waiting == Connected()
        assert await anext(stream) == ContentDelta("first")
        await stream.aclose()


async def test_forty_thousand_tokens_arrive_whole_and_in_order(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(big_stream(40_000, reasoning_tokens=1000))
    events = await collect(fake_glm)
    kinds = [type(event) for event in events]
    assert kinds[-2:] == [Usage, Finished] and events[-1] == Finished("stop")
    deltas = events[:-2]
    reasoning = [e.text for e in deltas if isinstance(e, ReasoningDelta)]
    content = [e.text for e in deltas if isinstance(e, ContentDelta)]
    assert "".join(reasoning) == "tok " * 1000
    assert "".join(content) == "tok " * 40_000
    # All the reasoning first; the deltas of one network read are joined (256 events a write).
    assert kinds.index(ContentDelta) > max(i for i, k in enumerate(kinds) if k is ReasoningDelta)
    assert len(deltas) < 41_000 // 100


async def test_the_deltas_before_a_malformed_event_are_kept(fake_glm: FakeGLM) -> None:
    # In one write: two deltas, then an event that is not JSON.
    fake_glm.enqueue(
        raw_stream([sse(chunk(content="a")) + sse(chunk(content="b")) + b"data: {nope\n\n"])
    )
    async with make_client(fake_glm) as client:
        seen: list[object] = []
        with pytest.raises(ProtocolError):
            async for event in client.stream_chat(HELLO):
                seen.append(event)
    assert seen == [Connected(), ContentDelta("ab")]


# -- a reply that trickles in ----------------------------------------------------------------


async def paused_reading(client: GLMClient) -> tuple[list[StreamEvent], list[float]]:
    """The events of a reply, and the pauses the client made between its reads (recorded,
    not waited: what arrives meanwhile is what the test server sends anyway)."""
    pauses: list[float] = []

    async def record(seconds: float) -> None:
        pauses.append(seconds)

    client._pause = record
    events = [event async for event in client.stream_chat(HELLO)]
    return events, pauses


async def test_a_trickling_reply_waits_between_reads(fake_glm: FakeGLM) -> None:
    """Each token alone in a read, 30 ms apart, as a model writes: after a piece that had to be
    waited for, the client waits before it reads again, so that several come in one read."""
    frames = [sse(chunk(content=f"w{n} ")) for n in range(6)]
    fake_glm.enqueue(raw_stream([*frames, sse(chunk(content="", finish_reason="stop")), DONE],
                                delay=0.03))  # fmt: skip
    async with make_client(fake_glm) as client:
        events, pauses = await paused_reading(client)
    assert text_of(events) == ("", "w0 w1 w2 w3 w4 w5 ")
    assert events[-1] == Finished("stop")
    assert pauses and set(pauses) == {client_module.TRICKLE_PAUSE}


async def test_a_reply_in_large_reads_is_read_without_pauses(fake_glm: FakeGLM) -> None:
    """A piece larger than a trickle is read on at once, even one that was waited for."""
    text = "word " * 2000  # 10 kB
    end = sse(chunk(content="", finish_reason="stop")) + DONE
    fake_glm.enqueue(raw_stream([0.03, sse(chunk(content=text)), 0.03, end]))
    async with make_client(fake_glm) as client:
        events, pauses = await paused_reading(client)
    assert text_of(events) == ("", text)
    assert pauses == []


async def test_a_transport_in_the_process_is_never_paused() -> None:
    """The demo's transport makes each piece when it is asked for: a pause would only slow it."""
    client = GLMClient(
        base_url="http://demo.invalid/v1", api_key=None, model=DEMO_MODEL,
        transport=DemoTransport(speed=2.0),  # 10 ms a token: each one waited for
    )  # fmt: skip
    async with client:
        events, pauses = await paused_reading(client)
    assert isinstance(events[-1], Finished)
    assert len([e for e in events if isinstance(e, ContentDelta)]) > 1
    assert pauses == []
