"""GLMClient failure paths: HTTP errors, broken streams, retries, timeouts and cancellation."""

from __future__ import annotations

import asyncio
import socket
from contextlib import aclosing
from typing import Any

import pytest

from glm_tui.api import (
    APIError,
    AuthError,
    BadRequestError,
    Connected,
    ConnectionLost,
    ContentDelta,
    CreditsError,
    Finished,
    GLMClient,
    NetworkError,
    ProtocolError,
    RateLimitError,
    ServerError,
    StreamError,
    StreamEvent,
    TimeoutError,
)
from tests.fakeglm import (
    STALL,
    FakeGLM,
    Response,
    aimlapi_error,
    body_response,
    chunk,
    drop_stream,
    error_stream,
    http_date,
    raw_stream,
    sse,
    stall_stream,
    zai_error,
    zai_stream,
)

KEY = "sk-test-SECRET-0123456789"
HELLO = [{"role": "user", "content": "Hello"}]


class Recorder:
    """Stands in for asyncio.sleep so retry tests neither wait nor guess."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_client(base_url: str, **kwargs: Any) -> tuple[GLMClient, Recorder]:
    kwargs.setdefault("api_key", KEY)
    client = GLMClient(base_url=base_url, model="glm-4.7", **kwargs)
    sleeps = Recorder()
    client._sleep = sleeps
    return client, sleeps


async def run(client: GLMClient, got: list[StreamEvent] | None = None) -> list[StreamEvent]:
    """The reply's events (into ``got`` as they come, for a turn that fails midway); the
    Connected that begins each attempt is left out (test_client_stream checks it)."""
    got = [] if got is None else got
    async with client:
        async for event in client.stream_chat(HELLO):
            if not isinstance(event, Connected):
                got.append(event)
    return got


async def expect(fake: FakeGLM, error: type[APIError], **kwargs: Any) -> tuple[APIError, int]:
    """Run one turn that must fail; return the error and how many requests were made."""
    client, _ = make_client(fake.base_url, **kwargs)
    with pytest.raises(error) as info:
        await run(client)
    err = info.value
    assert KEY not in str(err) and KEY not in repr(err)
    return err, len(fake.requests)


# --- HTTP errors before the stream -----------------------------------------------------------

ERRORS = [
    (zai_error(401, 1001, "Authentication parameter not received"), AuthError, "1001", False),
    (aimlapi_error(401, "Invalid API key"), AuthError, None, False),
    (aimlapi_error(403, "Insufficient credits"), CreditsError, None, False),
    (zai_error(429, "1113", "Insufficient balance"), CreditsError, "1113", False),
    (zai_error(429, 1304, "Daily call limit reached"), CreditsError, "1304", False),
    (zai_error(429, "1308", "Usage limit reached"), CreditsError, "1308", False),
    (zai_error(429, 1309, "Your plan has expired"), CreditsError, "1309", False),
    (zai_error(429, "1302", "High concurrency"), RateLimitError, "1302", True),
    (zai_error(429, 1305, "Temporarily overloaded"), RateLimitError, "1305", True),
    (aimlapi_error(429, "Too many requests"), RateLimitError, None, True),
    (zai_error(400, "1211", "Unknown model"), BadRequestError, "1211", False),
    (zai_error(400, 1261, "Prompt too long"), BadRequestError, "1261", False),
    (aimlapi_error(404, "Not found"), BadRequestError, None, False),
    (aimlapi_error(422, "Validation failed"), BadRequestError, None, False),
    (zai_error(500, 500, "Internal error"), ServerError, "500", True),
    (aimlapi_error(502, "Bad gateway"), ServerError, None, True),
    (zai_error(503, "503", "Service unavailable"), ServerError, "503", True),
    (aimlapi_error(504, "Generation timeout"), ServerError, None, True),
]


@pytest.mark.parametrize(("response", "error", "code", "retried"), ERRORS)
async def test_http_errors_are_typed(
    fake_glm: FakeGLM, response: Response, error: type[APIError], code: str | None, retried: bool
) -> None:
    fake_glm.enqueue(*[response] * 3)
    err, requests = await expect(fake_glm, error, max_retries=2)
    assert type(err) is error
    assert err.status_code == response.status
    assert err.code == code
    assert err.provider_message and err.provider_message in str(err)
    assert requests == (3 if retried else 1)


async def test_fastapi_detail_and_plain_text_bodies(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(body_response(400, '{"detail": [{"msg": "field required"}]}'))
    err, _ = await expect(fake_glm, BadRequestError)
    assert err.provider_message == "field required"
    fake_glm.enqueue(body_response(502, "<html><title>502 Bad Gateway</title></html>", "text/html"))
    err, _ = await expect(fake_glm, ServerError, max_retries=0)
    assert err.provider_message == "502 Bad Gateway"


async def test_key_in_provider_message_is_scrubbed(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_error(401, 1000, f"Invalid key {KEY} given"))
    err, _ = await expect(fake_glm, AuthError)
    assert err.provider_message == "Invalid key [redacted] given"


async def test_key_in_stream_error_and_bad_json_is_scrubbed(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(error_stream("", code=1000, message=f"bad key {KEY}"))
    await expect(fake_glm, StreamError)
    fake_glm.enqueue(raw_stream([f"data: {{oops {KEY}\n\n"]))
    await expect(fake_glm, ProtocolError)


# --- broken streams --------------------------------------------------------------------------


async def test_error_frame_mid_stream(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(error_stream("Partial", code=1234, message="Network error"))
    client, _ = make_client(fake_glm.base_url)
    got: list[StreamEvent] = []
    with pytest.raises(StreamError) as info:
        await run(client, got)
    assert got == [ContentDelta("Partial")]
    assert (info.value.code, info.value.provider_message) == ("1234", "Network error")
    assert len(fake_glm.requests) == 1


async def test_error_frame_first_is_not_retried(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(error_stream("", code="1301", message="Unsafe content"))
    err, requests = await expect(fake_glm, StreamError)
    assert (err.code, requests) == ("1301", 1)


@pytest.mark.parametrize("abrupt", [False, True])
async def test_dropped_connection_keeps_partial_and_is_not_retried(
    fake_glm: FakeGLM, abrupt: bool
) -> None:
    fake_glm.enqueue(drop_stream("Partial answer", abrupt=abrupt))
    client, sleeps = make_client(fake_glm.base_url)
    got: list[StreamEvent] = []
    with pytest.raises(ConnectionLost):
        await run(client, got)
    assert "".join(e.text for e in got if isinstance(e, ContentDelta)) == "Partial answer"
    assert len(fake_glm.requests) == 1 and sleeps.delays == []


async def test_drop_before_any_event_is_retried(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(drop_stream(""), zai_stream("ok", usage=None))
    client, sleeps = make_client(fake_glm.base_url)
    assert await run(client) == [ContentDelta("ok"), Finished("stop")]
    assert len(fake_glm.requests) == 2 and len(sleeps.delays) == 1


async def test_malformed_json_is_a_protocol_error(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(raw_stream([sse(chunk(content="a")), b'data: {"choices": [\n\n']))
    err, requests = await expect(fake_glm, ProtocolError)
    assert "malformed JSON" in str(err) and requests == 1


@pytest.mark.parametrize("data", [b"42", b'"text"', b"[1, 2]", b"null"])
async def test_json_that_is_not_an_object_is_a_protocol_error(
    fake_glm: FakeGLM, data: bytes
) -> None:
    fake_glm.enqueue(raw_stream([b"data: " + data + b"\n\n"]))
    await expect(fake_glm, ProtocolError)


async def test_odd_but_valid_chunks_are_tolerated(fake_glm: FakeGLM) -> None:
    steps = [
        sse({"choices": "nope", "usage": "none"}),
        sse({"choices": [1, None, {"delta": "x"}, {"delta": {"content": 5}}]}),
        sse({"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]}),
    ]
    fake_glm.enqueue(raw_stream(steps))
    client, _ = make_client(fake_glm.base_url)
    assert await run(client) == [ContentDelta("ok"), Finished("stop")]


async def test_json_body_instead_of_a_stream(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(body_response(200, '{"choices": [{"message": {"content": "hi"}}]}'))
    err, _ = await expect(fake_glm, ProtocolError)
    assert "application/json" in str(err)


async def test_html_instead_of_a_stream(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(body_response(200, "<html>login</html>", "text/html; charset=utf-8"))
    err, _ = await expect(fake_glm, ProtocolError)
    assert "text/html" in str(err) and "base URL" in str(err)


async def test_unknown_path_is_a_bad_request(fake_glm: FakeGLM) -> None:
    client, _ = make_client(fake_glm.base_url + "/nope")
    with pytest.raises(BadRequestError):
        await run(client)


# --- retries ---------------------------------------------------------------------------------


async def test_retries_then_success(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(aimlapi_error(503, "busy"), zai_error(429, 1302, "busy"), zai_stream("ok"))
    client, sleeps = make_client(fake_glm.base_url, backoff_base=0.5, backoff_max=0.75)
    events = await run(client)
    assert events[0] == ContentDelta("ok") and events[-1] == Finished("stop")
    assert len(fake_glm.requests) == 3
    # full jitter: below 0.5 then below min(1.0, 0.75)
    assert len(sleeps.delays) == 2
    assert 0 <= sleeps.delays[0] <= 0.5 and 0 <= sleeps.delays[1] <= 0.75


async def test_no_retries_when_max_retries_is_zero(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(aimlapi_error(503, "busy"))
    _, requests = await expect(fake_glm, ServerError, max_retries=0)
    assert requests == 1


@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [(2, 2.0, 2.0), ("0.25", 0.25, 0.25), (3600, 60.0, 60.0), ("date+30", 25.0, 30.0)],
)
async def test_retry_after_is_honoured(
    fake_glm: FakeGLM, retry_after: Any, low: float, high: float
) -> None:
    if retry_after == "date+30":
        retry_after = http_date(30)  # made here: collection may run long before the test
    fake_glm.enqueue(zai_error(429, 1302, "slow down", retry_after=retry_after), zai_stream("ok"))
    client, sleeps = make_client(fake_glm.base_url)
    await run(client)
    assert len(sleeps.delays) == 1 and low <= sleeps.delays[0] <= high


async def test_retry_after_is_kept_on_the_error(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_error(429, 1302, "slow down", retry_after=7))
    err, _ = await expect(fake_glm, RateLimitError, max_retries=0)
    assert err.retry_after == 7.0


async def test_real_sleep_between_retries(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(aimlapi_error(500, "oops"))
    client = GLMClient(
        base_url=fake_glm.base_url, api_key=KEY, model="m", backoff_base=0.01, backoff_max=0.02
    )
    assert [e async for e in client.stream_chat(HELLO)][-1] == Finished("stop")
    await client.aclose()
    assert len(fake_glm.requests) == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connect_error_is_a_network_error_and_retried() -> None:
    client, sleeps = make_client(f"http://127.0.0.1:{closed_port()}/v1", max_retries=2)
    with pytest.raises(NetworkError) as info:
        await run(client)
    assert len(sleeps.delays) == 2
    assert KEY not in str(info.value)


async def test_bad_url_scheme_is_not_retried() -> None:
    client, sleeps = make_client("ftp://127.0.0.1/v1")
    with pytest.raises(NetworkError) as info:
        await run(client)
    assert sleeps.delays == [] and not info.value.retryable


# --- timeouts and cancellation ---------------------------------------------------------------


async def test_stall_after_first_token_times_out_without_retry(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(stall_stream("Partial"))
    client, sleeps = make_client(fake_glm.base_url, read_timeout=0.3)
    got: list[StreamEvent] = []
    with pytest.raises(TimeoutError):
        await run(client, got)
    assert got == [ContentDelta("Partial")]
    assert len(fake_glm.requests) == 1 and sleeps.delays == []


async def test_stall_before_headers_times_out_and_is_retried(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(stall_stream("", before_headers=True), zai_stream("ok", usage=None))
    client, sleeps = make_client(fake_glm.base_url, read_timeout=0.3)
    assert await run(client) == [ContentDelta("ok"), Finished("stop")]
    assert len(fake_glm.requests) == 2 and len(sleeps.delays) == 1


async def test_stall_before_first_event_times_out(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(stall_stream(""))
    _, requests = await expect(fake_glm, TimeoutError, read_timeout=0.3, max_retries=0)
    assert requests == 1


async def test_stall_after_finish_still_finishes(fake_glm: FakeGLM) -> None:
    finish = chunk(content="", finish_reason="stop")
    fake_glm.enqueue(raw_stream([sse(chunk(content="a")), sse(finish), STALL]))
    client, _ = make_client(fake_glm.base_url, read_timeout=0.3)
    assert await run(client) == [ContentDelta("a"), Finished("stop")]


async def test_cancel_closes_the_connection(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(stall_stream("Partial"))
    client, _ = make_client(fake_glm.base_url)
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in client.stream_chat(HELLO):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    request = (await fake_glm.await_requests(1))[0]
    assert await asyncio.to_thread(request.disconnected.wait, 5)
    await client.aclose()


async def test_closing_the_generator_closes_the_connection(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(stall_stream("Partial"))
    client, _ = make_client(fake_glm.base_url)
    async with aclosing(client.stream_chat(HELLO)) as stream:
        async for event in stream:
            if event == Connected():
                continue
            assert event == ContentDelta("Partial")
            break
    assert await asyncio.to_thread(fake_glm.requests[0].disconnected.wait, 5)
    await client.aclose()


async def test_event_error_frame_with_plain_text(fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(raw_stream([sse(chunk(content="a")), b"event: error\ndata: overloaded\n\n"]))
    err, _ = await expect(fake_glm, StreamError)
    assert err.provider_message == "overloaded"
