"""A fake GLM-4.7 server for tests: a real HTTP/1.1 server on 127.0.0.1 in a background thread.

It speaks the wire format of docs/architecture.md, "The wire" (Z.ai and AI/ML API flavours), and
can misbehave on demand: error frames, dropped or stalled connections, slow streams, arbitrary
bytes. Responses are queued with ``FakeGLM.enqueue`` and served one per request, in order; when
the queue is empty a short successful Z.ai-shaped reply (``DEFAULT_REASONING`` /
``DEFAULT_REPLY``) is served.

Only the standard library is used, so the server exercises the client's real network code.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.waiting import CEILING

DEFAULT_REPLY = "Hello from the fake GLM server."
DEFAULT_REASONING = "The user says hello."
MODEL = "glm-4.7"


class _Stall:
    """Marker step: send nothing more and hold the connection open."""

    def __repr__(self) -> str:
        return "STALL"


STALL = _Stall()

# A step is bytes to write (and flush) as one chunk, a float to sleep for, STALL, or a
# threading.Event to wait for (a gate the test opens when it is ready).
Step = bytes | float | _Stall | threading.Event


@dataclass
class Response:
    """One scripted response. ``steps`` is None for a plain body sent with Content-Length."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    steps: list[Step] | None = None
    body: bytes = b""
    content_type: str = "text/event-stream"
    stall_before_headers: bool = False
    # Close the socket without the final zero-length chunk (an abrupt drop).
    abort: bool = False
    # Send nothing, not even the status line, until this is set (a slow connection or server).
    headers_gate: threading.Event | None = None

    def __repr__(self) -> str:
        n = "-" if self.steps is None else len(self.steps)
        return f"Response(status={self.status}, steps={n}, abort={self.abort})"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    # Set when the server saw the client go away before the response was fully sent.
    disconnected: threading.Event = field(default_factory=threading.Event)
    # Set when the server has finished with this request (sent it all, or gave up).
    done: threading.Event = field(default_factory=threading.Event)
    # time.perf_counter() when the last byte was written (benchmarks measure from there).
    done_at: float | None = None


# --- building SSE payloads -------------------------------------------------------------------


def sse(obj: Any) -> bytes:
    """One ``data:`` event: a JSON object, or a raw string such as ``[DONE]``."""
    # Raw UTF-8 on the wire, as the providers send it (not \\u escapes).
    text = (
        obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    )
    return b"data: " + text.encode() + b"\n\n"


DONE = sse("[DONE]")


def chunk(
    *,
    reasoning: str | None = None,
    content: str | None = None,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    model: str = MODEL,
    reasoning_key: str = "reasoning_content",
) -> dict[str, Any]:
    """A ``chat.completion.chunk`` object shaped like Z.ai's (role repeated in every delta)."""
    delta: dict[str, Any] = {"role": "assistant"}
    if reasoning is not None:
        delta[reasoning_key] = reasoning
    if content is not None:
        delta["content"] = content
    choice: dict[str, Any] = {"index": 0}
    # Mid-stream chunks omit finish_reason entirely, as Z.ai does.
    if finish_reason is not None:
        choice["finish_reason"] = finish_reason
    choice["delta"] = delta
    out: dict[str, Any] = {
        "id": "fake-0001",
        "created": 1773349535,
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [choice],
    }
    if usage is not None:
        out["usage"] = usage
    return out


def usage_dict(
    prompt: int = 8,
    completion: int = 10,
    reasoning: int = 0,
    cached: int = 0,
) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()  # usage computed from the scripted text


def _pieces(text: str | None, size: int) -> list[str]:
    if not text:
        return []
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _delta_events(
    content: str | None, reasoning: str | None, chunk_chars: int, model: str, reasoning_key: str
) -> list[bytes]:
    events = [
        sse(chunk(reasoning=p, model=model, reasoning_key=reasoning_key))
        for p in _pieces(reasoning, chunk_chars)
    ]
    events += [sse(chunk(content=p, model=model)) for p in _pieces(content, chunk_chars)]
    return events


def _auto_usage(usage: Any, content: str | None, reasoning: str | None, size: int) -> Any:
    if usage is not AUTO:
        return usage
    n_reason = len(_pieces(reasoning, size))
    return usage_dict(completion=n_reason + len(_pieces(content, size)), reasoning=n_reason)


def _with_delay(events: list[bytes], delay: float) -> list[Step]:
    if delay <= 0:
        return list(events)
    steps: list[Step] = []
    for ev in events:
        steps.append(ev)
        steps.append(delay)
    return steps


# --- response builders -----------------------------------------------------------------------


def zai_stream(
    content: str = DEFAULT_REPLY,
    reasoning: str | None = None,
    finish_reason: str = "stop",
    usage: Any = AUTO,
    chunk_chars: int = 8,
    done: bool = True,
    delay: float = 0.0,
    model: str = MODEL,
    reasoning_key: str = "reasoning_content",
) -> Response:
    """Z.ai layout: deltas, then a finish chunk carrying ``usage``, then ``data: [DONE]``.

    ``usage=None`` omits usage; ``delay`` sleeps between events.
    """
    events = _delta_events(content, reasoning, chunk_chars, model, reasoning_key)
    usage = _auto_usage(usage, content, reasoning, chunk_chars)
    events.append(sse(chunk(content="", finish_reason=finish_reason, usage=usage, model=model)))
    if done:
        events.append(DONE)
    return Response(steps=_with_delay(events, delay))


def aimlapi_stream(
    content: str = DEFAULT_REPLY,
    reasoning: str | None = None,
    finish_reason: str = "stop",
    usage: Any = AUTO,
    chunk_chars: int = 8,
    done: bool = False,
    delay: float = 0.0,
    credits_used: float | None = None,
    usd_spent: float | None = None,
    model: str = MODEL,
    headers: dict[str, str] | None = None,
) -> Response:
    """OpenAI layout: the finish chunk has no usage; a separate ``{"choices": [], "usage": ...}``
    chunk follows (with ``meta.usage.credits_used`` / ``usd_spent`` when given: the AI/ML
    API's cost of a stream). No ``[DONE]`` by default, as in AI/ML API's examples. ``headers``
    are sent with the response (``x-aimlapi-credits-used``...)."""
    events = _delta_events(content, reasoning, chunk_chars, model, "reasoning_content")
    events.append(sse(chunk(finish_reason=finish_reason, model=model)))
    usage = _auto_usage(usage, content, reasoning, chunk_chars)
    if usage is not None:
        tail: dict[str, Any] = {
            "id": "fake-0001",
            "object": "chat.completion.chunk",
            "model": model,
            "choices": [],
            "usage": usage,
        }
        meta = {
            k: v
            for k, v in (("credits_used", credits_used), ("usd_spent", usd_spent))
            if v is not None
        }
        if meta:
            tail["meta"] = {"usage": meta}
        events.append(sse(tail))
    if done:
        events.append(DONE)
    return Response(steps=_with_delay(events, delay), headers=list((headers or {}).items()))


def raw_stream(
    steps: list[bytes | str | float | _Stall],
    delay: float = 0.0,
    status: int = 200,
    content_type: str = "text/event-stream",
    headers: list[tuple[str, str]] | None = None,
    abort: bool = False,
) -> Response:
    """Arbitrary bytes, each item written and flushed as its own chunk (str is UTF-8 encoded,
    a float is a pause, ``STALL`` holds the connection open). Use it for CRLF, comments,
    ``event:`` lines, split UTF-8, bad JSON."""
    out: list[Step] = []
    for item in steps:
        if isinstance(item, str):
            item = item.encode()
        out.append(item)
        if delay > 0 and isinstance(item, bytes):
            out.append(delay)
    return Response(
        status=status, steps=out, content_type=content_type, headers=headers or [], abort=abort
    )


def error_stream(
    content: str = "Partial ans",
    code: str | int = "1234",
    message: str = "Network error, please try again later",
    reasoning: str | None = None,
    chunk_chars: int = 8,
) -> Response:
    """Some deltas, then ``data: {"error": {...}}``, then the body ends."""
    events = _delta_events(content, reasoning, chunk_chars, MODEL, "reasoning_content")
    events.append(sse({"error": {"code": code, "message": message}}))
    return Response(steps=list(events))


def drop_stream(
    content: str = "Partial ans",
    reasoning: str | None = None,
    abrupt: bool = False,
    chunk_chars: int = 8,
) -> Response:
    """Some deltas, then the body ends with no finish_reason. ``abrupt`` closes the socket
    without finishing the chunked body (the client sees an incomplete read)."""
    events = _delta_events(content, reasoning, chunk_chars, MODEL, "reasoning_content")
    return Response(steps=list(events), abort=abrupt)


def stall_stream(
    content: str = "Partial ans",
    reasoning: str | None = None,
    before_headers: bool = False,
    chunk_chars: int = 8,
) -> Response:
    """Some deltas, then silence with the connection held open until the client goes away
    or the server closes. ``before_headers`` stalls before even the status line."""
    events = _delta_events(content, reasoning, chunk_chars, MODEL, "reasoning_content")
    return Response(steps=[*events, STALL], stall_before_headers=before_headers)


def gated_stream(
    before: str, after: str, gate: threading.Event, reasoning: str | None = None
) -> Response:
    """``before``, then nothing until ``gate`` is set, then ``after`` and a normal finish.

    Holds a reply open for exactly as long as a test needs, whatever the machine's speed.
    """
    head = _delta_events(before, reasoning, 8, MODEL, "reasoning_content")
    tail = _delta_events(after, None, 8, MODEL, "reasoning_content")
    usage = _auto_usage(AUTO, before + after, reasoning, 8)
    tail.append(sse(chunk(content="", finish_reason="stop", usage=usage)))
    tail.append(DONE)
    return Response(steps=[*head, gate, *tail])


def slow_stream(
    content: str = DEFAULT_REPLY,
    reasoning: str | None = None,
    tokens_per_second: float = 20.0,
    chunk_chars: int = 4,
    finish_reason: str = "stop",
) -> Response:
    """A Z.ai stream paced at ``tokens_per_second`` events per second."""
    return zai_stream(
        content,
        reasoning=reasoning,
        finish_reason=finish_reason,
        chunk_chars=chunk_chars,
        delay=1.0 / tokens_per_second,
    )


def big_stream(
    n_tokens: int = 40_000,
    reasoning_tokens: int = 0,
    token: str = "tok ",
    events_per_write: int = 256,
    finish_reason: str = "stop",
) -> Response:
    """``reasoning_tokens`` reasoning events then ``n_tokens`` content events, one token each,
    sent as fast as possible (several events per write) for benchmarks."""
    reason_ev = sse(chunk(reasoning=token))
    content_ev = sse(chunk(content=token))
    events = [reason_ev] * reasoning_tokens + [content_ev] * n_tokens
    usage = usage_dict(completion=reasoning_tokens + n_tokens, reasoning=reasoning_tokens)
    events.append(sse(chunk(content="", finish_reason=finish_reason, usage=usage)))
    events.append(DONE)
    size = max(1, events_per_write)
    steps: list[Step] = [b"".join(events[i : i + size]) for i in range(0, len(events), size)]
    return Response(steps=steps)


def _tool_chunk(tool_calls: list[dict[str, Any]], finish_reason: str | None = None) -> bytes:
    body = chunk(finish_reason=finish_reason)
    body["choices"][0]["delta"]["tool_calls"] = tool_calls
    return sse(body)


def tool_calls_stream(
    calls: list[tuple[str, str, str]],
    reasoning: str | None = None,
    content: str | None = None,
    fragmented: bool = True,
    chunk_chars: int = 6,
    finish_reason: str = "tool_calls",
    usage: Any = AUTO,
    web_search: list[dict[str, Any]] | None = None,
) -> Response:
    """A reply that asks for tool calls, each ``(id, name, arguments)``: whole in one chunk
    (``fragmented=False``, as Z.ai sends them without ``tool_stream``), or in fragments per
    ``index`` (the id and name first, then the arguments in pieces of ``chunk_chars``), then
    ``finish_reason: "tool_calls"``. ``web_search`` adds Z.ai's top-level sources."""
    events = _delta_events(content, reasoning, chunk_chars, MODEL, "reasoning_content")
    if web_search is not None:
        first = chunk(reasoning="")
        first["web_search"] = web_search
        events.insert(0, sse(first))
    if fragmented:
        for index, (call_id, name, arguments) in enumerate(calls):
            head = {"name": name, "arguments": ""}
            events.append(
                _tool_chunk([{"index": index, "id": call_id, "type": "function", "function": head}])
            )
            for piece in _pieces(arguments, chunk_chars):
                events.append(_tool_chunk([{"index": index, "function": {"arguments": piece}}]))
    else:
        whole = [
            {"index": i, "id": c, "type": "function", "function": {"name": n, "arguments": a}}
            for i, (c, n, a) in enumerate(calls)
        ]
        events.append(_tool_chunk(whole))
    usage = _auto_usage(usage, content, reasoning, chunk_chars)
    events.append(sse(chunk(content="", finish_reason=finish_reason, usage=usage)))
    events.append(DONE)
    return Response(steps=[*events])


def _retry_headers(
    headers: dict[str, str] | None, retry_after: float | str | None
) -> list[tuple[str, str]]:
    out = list((headers or {}).items())
    if retry_after is not None:
        value = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        out.append(("Retry-After", value))
    return out


def error_response(
    status: int,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    retry_after: float | str | None = None,
) -> Response:
    """A plain JSON error (no stream). ``retry_after`` adds a Retry-After header (a number of
    seconds, or a string such as an HTTP date from ``http_date``)."""
    return Response(
        status=status,
        body=json.dumps(body if body is not None else {}).encode(),
        content_type="application/json",
        headers=_retry_headers(headers, retry_after),
    )


def zai_error(
    status: int, code: str | int, message: str, retry_after: float | str | None = None
) -> Response:
    """Z.ai's error body: ``{"error": {"code": ..., "message": ...}}``."""
    return error_response(status, {"error": {"code": code, "message": message}}, None, retry_after)


def aimlapi_error(status: int, message: str, retry_after: float | str | None = None) -> Response:
    """AI/ML API's error body (statusCode is a string there)."""
    body = {
        "message": message,
        "path": "/v1/chat/completions",
        "requestId": "fake-request-id",
        "statusCode": str(status),
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    return error_response(status, body, None, retry_after)


def body_response(
    status: int, body: bytes | str, content_type: str = "application/json"
) -> Response:
    """A non-streaming body, e.g. a JSON completion or an HTML page, for protocol errors."""
    data = body.encode() if isinstance(body, str) else body
    return Response(status=status, body=data, content_type=content_type)


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


# --- model lists ----------------------------------------------------------------------------


def openai_models(*ids: str) -> dict[str, Any]:
    """The plain OpenAI list (Z.ai, vLLM...): ids and little else."""
    return {
        "object": "list",
        "data": [
            {"id": i, "object": "model", "created": 1_700_000_000, "owned_by": "z-ai"} for i in ids
        ],
    }


def _aimlapi_price(origin: str, price: float, per: int = 1_000_000) -> dict[str, Any]:
    return {"name": "token", "content": "text", "origin": origin, "price": price, "per": per}


def aimlapi_models() -> dict[str, Any]:
    """The AI/ML API catalogue with ``include=pricing,capabilities,modalities``: chat models
    (new and old vocabulary), an image model, and entries with odd or unknown fields."""
    return {
        "object": "list",
        "data": [
            {
                "id": "zhipu/glm-4.7",
                "aliases": ["glm-4.7"],
                "type": "openai/chat-completions",
                "info": {
                    "name": "GLM-4.7",
                    "developer": "Zhipu",
                    "contextLength": 200_000,
                    "outputMax": 131_072,
                    "isHottest": True,
                },
                "tags": ["playground:chat"],
                "capabilities": ["tools", "reasoning"],
                "modalities": {"input": ["text"], "output": ["text"]},
                "pricing": {
                    "kind": "fixed",
                    "units": [
                        _aimlapi_price("provided", 0.6),
                        _aimlapi_price("generated", 2.2),
                        _aimlapi_price("cached", 0.11),
                    ],
                },
                "brandNewSection": {"whatever": [1, 2, 3]},
            },
            {
                "id": "openai/gpt-5",
                "type": "openai/chat-completions",
                "info": {"name": "GPT-5", "developer": "OpenAI", "contextLength": 400_000},
                "tags": [],
                "capabilities": ["tools", "vision"],
                "modalities": {"input": ["text", "image"], "output": ["text"]},
                "pricing": {
                    "kind": "fixed",
                    "units": [
                        _aimlapi_price("provided", 0.00125, per=1000),
                        _aimlapi_price("generated", 10.0),
                    ],
                },
            },
            {
                "id": "o3-mini",
                "type": "chat-completion",
                "info": {"name": "o3 mini", "contextLength": 200000, "maxTokens": 100000},
                "features": ["openai/chat-completion", "openai/chat-completion.function"],
                "endpoints": ["/v1/chat/completions", "/v1/responses"],
            },
            {
                "id": "flux/schnell",
                "type": "image",
                "info": {"name": "Flux Schnell", "developer": "Flux"},
                "tags": ["playground:image"],
                "modalities": {"input": ["text"], "output": ["image"]},
                "pricing": {
                    "kind": "variants",
                    "dimensions": ["size"],
                    "variants": [{"when": {"size": "1024"}, "price": 0.003, "unit": "image"}],
                },
            },
            {
                "id": "odd/model",
                "type": 42,
                "info": {"name": ["not", "a", "name"], "contextLength": "lots", "outputMax": -1},
                "capabilities": "tools",
                "modalities": [],
                "pricing": {"kind": "variable", "units": "none"},
            },
            {"info": {"name": "no id, skipped"}},
            "not an object",
        ],
    }


@dataclass
class ModelsEndpoint:
    """What ``GET {base}/models`` answers: ``body`` with ``etag`` (a matching If-None-Match
    gets 304), or ``status`` with an error when it is not 200."""

    body: Any = field(default_factory=lambda: openai_models(MODEL, "glm-4.6"))
    etag: str | None = 'W/"models-1"'
    status: int = 200
    message: str = "the list is down"
    """The error's words when ``status`` is not 200."""


# --- the server ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGLM

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response is what many tests do on purpose


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def setup(self) -> None:
        super().setup()
        # Without this, Nagle + delayed ACK hold small writes back ~40 ms: events must go out
        # the moment they are written.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        fake = self.server.fake
        rec = RecordedRequest(
            method="GET",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=b"",
            json=None,
        )
        fake._record(rec)
        try:
            if self.path.split("?")[0].rstrip("/") != fake.base_path + "/models":
                self._send_plain(404, {"error": {"code": "404", "message": "not found"}})
                return
            models = fake.models
            if models.status != 200:
                self._send_plain(models.status, {"error": {"message": models.message}})
                return
            if models.etag is not None and rec.headers.get("if-none-match") == models.etag:
                self.send_response(304)
                self.send_header("ETag", models.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = json.dumps(models.body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if models.etag is not None:
                self.send_header("ETag", models.etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            rec.done.set()

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        rec = RecordedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=raw,
            json=parsed,
        )
        fake._record(rec)
        try:
            if self.path.rstrip("/") != fake.base_path + "/chat/completions":
                self._send_plain(404, {"error": {"code": "404", "message": "no such path"}})
            else:
                self._serve(fake._next_response(parsed), rec)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            rec.disconnected.set()
            self.close_connection = True
        finally:
            with contextlib.suppress(OSError):
                self.wfile.flush()
            rec.done_at = time.perf_counter()
            rec.done.set()

    def _send_plain(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _wait(self, seconds: float | None, rec: RecordedRequest) -> bool:
        """Sleep up to ``seconds`` (forever if None) watching the socket; False when the
        client went away or the server is closing."""
        fake = self.server.fake
        end = None if seconds is None else time.monotonic() + seconds
        while not fake._closing.is_set():
            left = 0.05 if end is None else min(0.05, end - time.monotonic())
            if left <= 0:
                return True
            readable, _, _ = select.select([self.connection], [], [], left)
            if readable:
                try:
                    peek = self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    peek = b""
                if not peek:
                    rec.disconnected.set()
                    return False
                time.sleep(left)  # unexpected bytes from the client: ignore them
        return False

    def _serve(self, resp: Response, rec: RecordedRequest) -> None:
        if resp.stall_before_headers:
            self._wait(None, rec)
            self.close_connection = True
            return
        gate = resp.headers_gate
        while gate is not None and not gate.is_set():
            if not self._wait(0.02, rec):
                self.close_connection = True
                return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for key, value in resp.headers:
            self.send_header(key, value)
        if resp.steps is None:
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            self.wfile.write(resp.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for step in resp.steps:
            if isinstance(step, threading.Event):
                while not step.is_set():
                    if not self._wait(0.02, rec):
                        self.close_connection = True
                        return
                continue
            if isinstance(step, _Stall):
                self._wait(None, rec)
                self.close_connection = True
                return
            if isinstance(step, int | float):
                if not self._wait(step, rec):
                    self.close_connection = True
                    return
                continue
            if step:  # a zero-length chunk would end the body
                self.wfile.write(b"%x\r\n%s\r\n" % (len(step), step))
        if resp.abort:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(b"0\r\n\r\n")


class FakeGLM:
    """The fake server; started on construction, stopped by ``close()`` (or ``with``)."""

    def __init__(self, base_path: str = "/v1") -> None:
        self.base_path = base_path.rstrip("/")
        self.requests: list[RecordedRequest] = []
        self.models = ModelsEndpoint()
        """What ``GET /models`` answers (replace it to change the list)."""
        self._queue: deque[Response] = deque()
        self._by_model: dict[str, deque[Response]] = {}
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._conns: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    def enqueue(self, *responses: Response) -> None:
        with self._cond:
            self._queue.extend(responses)

    def enqueue_for(self, model: str, *responses: Response) -> None:
        """Responses for requests to ``model`` only (served before the common queue): requests
        sent at once to several models get each its own, whatever order they arrive in."""
        with self._cond:
            self._by_model.setdefault(model, deque()).extend(responses)

    def chat_requests(self) -> list[RecordedRequest]:
        """The POSTs (chat requests), without the GETs of the model list."""
        with self._cond:
            return [r for r in self.requests if r.method == "POST"]

    def reset(self) -> None:
        with self._cond:
            self._queue.clear()
            self._by_model.clear()
            self.requests.clear()

    def wait_for_requests(self, n: int, timeout: float = CEILING) -> list[RecordedRequest]:
        """Block until at least ``n`` requests arrived (AssertionError on timeout)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= n, timeout):
                raise AssertionError(f"expected {n} requests, got {len(self.requests)}")
            return list(self.requests)

    async def await_requests(self, n: int, timeout: float = CEILING) -> list[RecordedRequest]:
        """``wait_for_requests`` for async tests (does not block the event loop)."""
        import asyncio

        return await asyncio.to_thread(self.wait_for_requests, n, timeout)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        with self._cond:
            conns = list(self._conns)
        for conn in conns:  # wake handler threads parked on keep-alive reads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeGLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # called from handler threads
    def _record(self, rec: RecordedRequest) -> None:
        with self._cond:
            self.requests.append(rec)
            self._cond.notify_all()

    def _next_response(self, body: Any = None) -> Response:
        model = body.get("model") if isinstance(body, dict) else None
        with self._cond:
            own = self._by_model.get(model) if isinstance(model, str) else None
            if own:
                return own.popleft()
            if self._queue:
                return self._queue.popleft()
        return zai_stream(DEFAULT_REPLY, reasoning=DEFAULT_REASONING)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._cond:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)
