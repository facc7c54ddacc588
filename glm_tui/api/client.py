"""The streaming GLM-4.7 client: one POST to ``/chat/completions``, typed events out.

Everything that can go wrong on the wire becomes one of the typed errors in ``errors.py``. The
wire format (Z.ai, the AI/ML API and other OpenAI-compatible servers) is summed up in
docs/architecture.md, "The wire".
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from json.scanner import make_scanner
from typing import Any, cast

from glm_tui import __version__
from glm_tui.api import error_bodies, errors, reported_usage
from glm_tui.api._httpx import httpx
from glm_tui.api.errors import APIError, StreamError
from glm_tui.api.events import (
    Connected,
    ContentDelta,
    Finished,
    ReasoningDelta,
    StreamEvent,
    ToolCalls,
    Usage,
    WebSearchResults,
)
from glm_tui.api.request import build_request_body
from glm_tui.api.sse import SSEDecoder, SSEEvent
from glm_tui.api.tool_stream import ToolCallAssembler, WebSearchCollector

# Z.ai answers these with HTTP 429, but waiting does not help: balance, daily or plan limits.
ZAI_CREDIT_CODES = frozenset({"1113", "1304", "1308", "1309"})

# A reply that trickles in (a token every 15-20 ms, as GLM-4.7 writes) came a token a read:
# each read wakes the event loop and goes through httpx, the decoder and every consumer. After
# a small piece that was waited for more than NETWORK_WAIT, the next read waits TRICKLE_PAUSE,
# so that what comes meanwhile is read together. (httpx gives each HTTP chunk as a piece, and
# a server sends an event a chunk: pieces read together come without a wait.) The TUI draws a
# reply 5 times a second, so nothing shows later. A reply at full speed keeps the buffer full
# and its pieces come within NETWORK_WAIT: at 1 ms, a 1 MB reply from the fake server was
# paused four times and took 2.67 s instead of 1.95; at 5 ms, never.
TRICKLE_BYTES = 4096
TRICKLE_PAUSE = 0.05
NETWORK_WAIT = 0.005  # seconds

# json.loads() without its wrapping: the scanner it calls (see GLMClient._parse).
_SCAN_JSON = make_scanner(cast(Any, json.JSONDecoder()))  # typeshed asks for a look-alike
# Errors worth sending again automatically, provided nothing has been yielded yet. (Our
# TimeoutError is used as errors.TimeoutError throughout, so the builtin is never shadowed.)
AUTO_RETRY: tuple[type[APIError], ...] = (
    errors.RateLimitError,
    errors.ServerError,
    errors.NetworkError,
    errors.TimeoutError,
    errors.ConnectionLost,
)


class _Attempt:
    """What one HTTP attempt has seen so far."""

    __slots__ = ("finish", "sources", "tools", "usage", "yielded")

    def __init__(self) -> None:
        self.finish: str | None = None
        self.usage: Usage | None = None
        self.yielded = False
        self.tools = ToolCallAssembler()
        self.sources = WebSearchCollector()


class GLMClient:
    """Streams chat completions. Use as ``async with GLMClient(...) as client``.

    Consume ``stream_chat`` inside ``contextlib.aclosing`` (or run it in a task you cancel):
    closing or cancelling the generator closes the HTTP connection at once.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        model: str,
        read_timeout: float = 120.0,
        connect_timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.max_retries = max(0, max_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._api_key = api_key or None
        self._url = f"{self.base_url}/chat/completions"
        headers = {
            "Accept": "text/event-stream",
            "User-Agent": f"glm-tui/{__version__}",
            **(extra_headers or {}),
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        self._headers = headers
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
        )
        # A seam for tests: they record the delays instead of waiting them out.
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        # Over a network connection, what arrives while we wait stays in the socket's buffer;
        # a transport given here (the demo's, a test's) makes each piece only when asked.
        self._trickle_pause = TRICKLE_PAUSE if transport is None else 0.0
        self._pause: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests record these

    def __repr__(self) -> str:
        key = f"...{self._api_key[-4:]}" if self._api_key and len(self._api_key) > 8 else None
        return f"GLMClient(base_url={self.base_url!r}, model={self.model!r}, api_key={key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> GLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def stream_chat(
        self,
        messages: list[dict[str, Any]],
        *,
        model: str | None = None,
        thinking: bool | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        tools: list[dict[str, Any]] | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """Yield Connected when the provider answers, ReasoningDelta / ContentDelta as they
        arrive, then ToolCalls and WebSearchResults (if any), Usage (if reported) and
        Finished. Raises an ``APIError`` subclass; retries only before anything of the reply
        was yielded."""
        body = build_request_body(
            model or self.model,
            messages,
            thinking=thinking,
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            tools=tools,
        )
        retries = 0
        while True:
            attempt = _Attempt()
            try:
                # aclosing: when our consumer closes us, the inner stream (and its HTTP
                # connection) must close now, not whenever the garbage collector gets to it.
                async with aclosing(self._stream_once(body, attempt)) as events:
                    async for event in events:
                        # Connected is no part of the reply: a failure after it may be retried.
                        attempt.yielded = attempt.yielded or not isinstance(event, Connected)
                        yield event
                return
            except APIError as err:
                if (
                    attempt.yielded
                    or retries >= self.max_retries
                    or not isinstance(err, AUTO_RETRY)
                    or not err.retryable
                ):
                    raise
                retries += 1
                await self._sleep(self._backoff(retries, err.retry_after))

    def _backoff(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), error_bodies.RETRY_AFTER_CAP)
        # "Full jitter": a uniform pick below an exponentially growing ceiling.
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (retry - 1))
        return random.uniform(0.0, ceiling)

    async def _stream_once(
        self, body: dict[str, Any], attempt: _Attempt
    ) -> AsyncGenerator[StreamEvent, None]:
        started = False  # response headers received
        try:
            async with self._http.stream(
                "POST", self._url, json=body, headers=self._headers
            ) as response:
                started = True
                await self._check_response(response)
                attempt.usage = reported_usage.header_cost(response.headers)
                yield Connected()
                decoder = SSEDecoder()
                done = False
                clock = asyncio.get_running_loop().time
                asked = clock()
                async for raw in response.aiter_bytes():
                    waited = clock() - asked
                    # A reply sent at full speed brings hundreds of events per read: their
                    # deltas are joined (each would cost the service and the UI), see _read.
                    events, done, failure = self._read(decoder.feed(raw), attempt)
                    for event in events:
                        yield event
                    if failure is not None:
                        raise failure  # after the deltas that came before it
                    if done:
                        break
                    if waited > NETWORK_WAIT and len(raw) < TRICKLE_BYTES and self._trickle_pause:
                        await self._pause(self._trickle_pause)
                    asked = clock()
        except httpx.HTTPError as exc:
            if attempt.finish is None:
                raise self._transport_error(exc, started) from exc
            # The reply was complete; losing the connection afterwards only cost [DONE].
        if attempt.finish is None:
            raise errors.ConnectionLost("the stream ended before a finish_reason")
        if attempt.tools:
            yield ToolCalls(attempt.tools.calls())
        if attempt.sources:
            yield WebSearchResults(attempt.sources.sources())
        if attempt.usage is not None:
            yield reported_usage.complete_usage(attempt.usage)
        yield Finished(attempt.finish)

    def _read(
        self, frames: list[SSEEvent], attempt: _Attempt
    ) -> tuple[list[StreamEvent], bool, APIError | None]:
        """The events of one read's frames; whether ``[DONE]`` came; the error that ended them
        (after the deltas that came before it).

        Consecutive deltas of a kind are joined into one event (a list of their texts, joined
        once). A 1 MB reply at full speed is 266,000 frames, and reading them is most of what
        ``glm-tui ask`` does with it: 1.7-2.2 s of CPU here, where making an event of each
        delta and joining them as they came, each frame parsed by json.loads(), took 2.6-3.3 s
        (interleaved runs)."""
        pieces = _Pieces()
        done = False
        try:
            for frame in frames:
                data = frame.data
                if data == "[DONE]":
                    done = True
                    break
                if not data:
                    continue  # an empty keep-alive event
                if frame.event == "error":
                    raise self._stream_error(data)
                chunk = self._parse(data)
                if chunk.get("error") is not None:
                    raise self._stream_error(chunk)
                self._deltas(chunk, attempt, pieces)
        except APIError as exc:
            return pieces.events(), done, exc
        return pieces.events(), done, None

    def _deltas(self, chunk: dict[str, Any], attempt: _Attempt, pieces: _Pieces) -> None:
        # Called for every frame: ``in`` before ``get``, and ``type() is`` (what json.loads
        # makes is exactly a dict, a list or a str), as most frames are one delta and nothing
        # else.
        if "usage" in chunk or "meta" in chunk:
            usage = chunk.get("usage")
            meta = chunk.get("meta")
            if isinstance(usage, dict) or isinstance(meta, dict):
                found = reported_usage.parse_usage(usage, meta)
                if found is not None:
                    attempt.usage = (
                        found
                        if attempt.usage is None
                        else reported_usage.merge(attempt.usage, found)
                    )
        if "web_search" in chunk:
            attempt.sources.feed(chunk["web_search"])
        choices = chunk.get("choices")
        if not choices or type(choices) is not list:
            return
        for choice in choices:
            if type(choice) is not dict:
                continue
            delta = choice.get("delta")
            if type(delta) is dict:
                # Reasoning first: one delta may carry the end of the reasoning and the start
                # of the answer; empty strings are nothing, not a change of phase.
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                if reasoning and type(reasoning) is str:
                    pieces.add(ReasoningDelta, reasoning)
                content = delta.get("content")
                if content and type(content) is str:
                    pieces.add(ContentDelta, content)
                calls = delta.get("tool_calls")
                if calls:
                    attempt.tools.feed(calls)
            if "message" in choice:
                message = choice["message"]
                if type(message) is dict and message.get("tool_calls"):
                    # A server that answers a stream with whole messages rather than deltas.
                    attempt.tools.feed(message["tool_calls"])
            finish = choice.get("finish_reason")
            if finish and type(finish) is str:
                attempt.finish = finish

    def _parse(self, data: str) -> dict[str, Any]:
        # A frame that is an object's text, as every frame of a reply is, goes straight to the
        # JSON scanner: json.loads() wraps it in three calls of Python and two regular
        # expressions, as long as the scanning of a frame of 169 bytes (266,000 frames: 0.85-0.89
        # s against 1.35-1.73 s here). Anything else, or anything it refuses, is left to
        # json.loads(), for its exact error.
        # (``chunk`` is declared, not cast: ``cast(dict[str, Any], ...)`` builds the generic
        # alias at every call, 0.3 us, 0.09 s of a 1 MB reply.)
        chunk: dict[str, Any]
        if data[:1] == "{":
            try:
                chunk, end = _SCAN_JSON(data, 0)
            except (StopIteration, ValueError, RecursionError):
                pass
            else:
                if end == len(data):
                    return chunk
        try:
            chunk = json.loads(data)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            raise errors.ProtocolError(
                f"malformed JSON in the event stream: {error_bodies.snippet(self._scrub(data))}"
            ) from None
        if not isinstance(chunk, dict):
            raise errors.ProtocolError(
                f"unexpected event in the stream: {error_bodies.snippet(self._scrub(data))}"
            )
        return chunk

    def _stream_error(self, frame: dict[str, Any] | str) -> StreamError:
        """An error frame: ``data: {"error": {...}}``, or any data after ``event: error``."""
        body = error_bodies.loads(frame.encode()) if isinstance(frame, str) else frame
        code, message = error_bodies.error_fields(body)
        if message is None and isinstance(frame, str):
            message = error_bodies.snippet(self._scrub(frame))
        return StreamError(self._scrub(message) if message else None, code=code)

    async def _check_response(self, response: httpx.Response) -> None:
        status = response.status_code
        if status >= 300 or status < 200:
            raw = await response.aread()
            raise self._http_error(status, raw, response.headers)
        ctype = response.headers.get("content-type", "").lower()
        if ctype and "text/event-stream" not in ctype:
            raw = await response.aread()
            what = ctype.split(";")[0].strip()
            message = f"expected text/event-stream but got {what}"
            if "html" in what:
                message += " (is the base URL right?)"
            elif "json" in what:
                _, detail = error_bodies.error_fields(error_bodies.loads(raw))
                if detail:
                    message += f": {detail}"
            raise errors.ProtocolError(self._scrub(message), status_code=status)

    def _http_error(self, status: int, raw: bytes, headers: httpx.Headers) -> APIError:
        code, message = error_bodies.error_fields(error_bodies.loads(raw))
        if message is None:
            message = error_bodies.text_snippet(self._scrub(raw.decode("utf-8", errors="replace")))
        kwargs: dict[str, Any] = {
            "code": code,
            "status_code": status,
            "retry_after": error_bodies.retry_after(headers.get("retry-after")),
        }
        message = self._scrub(message) if message else None
        if status == 401:
            return errors.AuthError(message, **kwargs)
        if status in (402, 403):
            return errors.CreditsError(message, **kwargs)
        if status == 429:
            if code in ZAI_CREDIT_CODES:
                return errors.CreditsError(message, **kwargs)
            return errors.RateLimitError(message, **kwargs)
        if status == 408:
            return errors.TimeoutError(message, **kwargs)
        if status >= 500:
            return errors.ServerError(message, **kwargs)
        if 400 <= status < 500:
            return errors.BadRequestError(message, **kwargs)
        return errors.ProtocolError(message or f"unexpected HTTP status {status}", **kwargs)

    def _transport_error(self, exc: httpx.HTTPError, started: bool) -> APIError:
        detail = self._scrub(str(exc) or type(exc).__name__)
        if isinstance(exc, httpx.TimeoutException) and not isinstance(
            exc, httpx.ConnectTimeout | httpx.PoolTimeout
        ):
            if isinstance(exc, httpx.ReadTimeout):
                return errors.TimeoutError("no data received within the read timeout")
            return errors.TimeoutError(detail)
        if started:
            return errors.ConnectionLost(detail)
        err = errors.NetworkError(detail)
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            err.retryable = False  # a wrong base URL stays wrong
        return err

    def _scrub(self, text: str) -> str:
        """The text without the key. Before any cut to a snippet: a cut through the key would
        leave a piece of it that no longer matches."""
        key = self._api_key
        if key and len(key) >= 4 and key in text:
            text = text.replace(key, "[redacted]")
        return text


class _Pieces:
    """The events of one read: consecutive deltas of a kind joined into one event."""

    __slots__ = ("_done", "_kind", "_texts")

    def __init__(self) -> None:
        self._done: list[StreamEvent] = []
        self._kind: type[ContentDelta] | type[ReasoningDelta] | None = None
        self._texts: list[str] = []

    def add(self, kind: type[ContentDelta] | type[ReasoningDelta], text: str) -> None:
        if kind is not self._kind:
            self._close()
            self._kind = kind
        self._texts.append(text)

    def _close(self) -> None:
        if self._kind is not None:
            texts = self._texts
            self._done.append(self._kind(texts[0] if len(texts) == 1 else "".join(texts)))
            self._texts = []
            self._kind = None

    def events(self) -> list[StreamEvent]:
        self._close()
        return self._done
