"""The offline demo model: an httpx transport that answers like Z.ai's GLM-4.7, locally.

It plugs into ``GLMClient(transport=DemoTransport())`` so the demo runs the very same request
building, SSE parsing and event handling as a real provider; only the bytes are made up here.
Replies are Markdown (heading, list, code block, table) after a short reasoning, chosen from a
few templates by a hash of the prompt so the same prompt always gets the same reply.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from glm_tui.api._httpx import httpx

DEMO_MODEL = "glm-4.7-demo"
DEMO_LABEL = "GLM-4.7 demo (offline)"
SPEED_ENV = "GLM_TUI_DEMO_SPEED"
# Roughly what GLM-4.7 streams at: fast, yet slow enough to watch the text arrive.
TOKENS_PER_SECOND = 50.0

_TOKEN = re.compile(r"^\s+|\S+\s*")
# Markdown-active characters: separators become spaces, emphasis and code marks just go.
_SEPARATORS = re.compile(r"[|_\\]")
_MARKS = re.compile(r"[`*#<>\[\]]")


def _speed_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get(SPEED_ENV, "1")))
    except ValueError:
        return 1.0


def _topic(prompt: str) -> str:
    """The prompt's first line, made safe to quote inside Markdown (tables, emphasis)."""
    first = next((line for line in prompt.splitlines() if line.strip()), "")
    text = " ".join(_MARKS.sub("", _SEPARATORS.sub(" ", first)).split())
    if len(text) > 48:
        text = text[:47].rstrip() + "…"
    return text or "your message"


def _overview(topic: str) -> tuple[str, str]:
    reasoning = (
        f'The user asks about "{topic}". A short overview will serve best: what it is, the '
        "main points, and a small example they can run. A table will make the trade-offs easy "
        "to scan. I should keep it concise."
    )
    answer = f"""## An overview: “{topic}”

Here is a short tour of **{topic}**, with the essentials first.

- **What it is:** the core idea, in one sentence.
- **Why it matters:** it saves time once the basics are in place.
- **Where to start:** a small, working example (below).

```python
def outline(topic: str) -> list[str]:
    \"\"\"The three questions worth answering first.\"\"\"
    return [f"What is {{topic}}?", f"Why use {{topic}}?", f"How to start with {{topic}}?"]


for question in outline({topic!r}):
    print(question)
```

| Aspect | Strength | Watch out for |
|---|---|---|
| Learning curve | gentle at first | details pile up later |
| Performance | good by default | measure before tuning |
| Ecosystem | many examples | versions differ |

Ask me to go deeper into any row of the table."""
    return reasoning, answer


def _steps(topic: str) -> tuple[str, str]:
    reasoning = (
        f'The request is "{topic}". This reads like a how-to, so numbered steps fit, then a '
        "code sketch. Let me also list the common pitfalls in a table, since that is where "
        "people usually get stuck."
    )
    answer = f"""### A step-by-step plan for “{topic}”

1. Write down what *done* looks like.
2. Build the smallest version that works.
3. Test it, then improve one thing at a time.

```python
from glm_tui.records import record


@record(frozen=False, slots=False)
class Step:
    title: str
    done: bool = False


plan = [Step("define the goal"), Step("first version"), Step("test and refine")]
print(f"{{sum(s.done for s in plan)}}/{{len(plan)}} steps done for {topic!r}")
```

| Pitfall | Symptom | Remedy |
|---|---|---|
| Too big a first step | nothing works for days | cut the scope |
| No tests | regressions | add one test per bug |
| Early tuning | complex code | profile first |

> Tip: keep each step small enough to finish in one sitting."""
    return reasoning, answer


def _compare(topic: str) -> tuple[str, str]:
    reasoning = (
        f'"{topic}" invites a comparison of the usual options. I will contrast two approaches, '
        "show each in code, and summarise with a table of when to pick which."
    )
    answer = f"""## Two ways to approach “{topic}”

There are two common approaches, and both are reasonable:

- *The simple way* — direct, easy to read, fine for most cases.
- *The flexible way* — more moving parts, pays off as things grow.

```python
def simple(items: list[int]) -> int:
    return sum(items)


def flexible(items: list[int], combine=lambda a, b: a + b, start: int = 0) -> int:
    total = start
    for item in items:
        total = combine(total, item)
    return total


assert simple([1, 2, 3]) == flexible([1, 2, 3]) == 6
```

| | Simple | Flexible |
|---|:---:|:---:|
| Lines of code | few | more |
| Easy to change | ✓ | ✓✓ |
| Easy to read | ✓✓ | ✓ |

For **{topic}**, start simple and switch when a real need appears."""
    return reasoning, answer


def _quick(topic: str) -> tuple[str, str]:
    reasoning = (
        f'Short question: "{topic}". A direct answer first, then an example and a compact '
        "reference table. No need for a long essay."
    )
    answer = f"""# Quick answer

In short: **{topic}** comes down to a few clear rules.

- Prefer clarity over cleverness.
- Keep the data close to where it is used.
- Measure, then decide.

```python
import time

start = time.perf_counter()
result = sorted(range(10_000), key=lambda n: -n)
print(f"sorted {{len(result)}} items in {{time.perf_counter() - start:.4f}} s")
```

| Rule | Example |
|---|---|
| Clarity | name things for what they hold |
| Locality | one module per concern |
| Measurement | `time.perf_counter()` |

Want a longer explanation of *{topic}*?"""
    return reasoning, answer


TEMPLATES: tuple[Callable[[str], tuple[str, str]], ...] = (_overview, _steps, _compare, _quick)


def compose_reply(prompt: str) -> tuple[str, str]:
    """(reasoning, answer) for a prompt; the same prompt always gives the same reply."""
    digest = hashlib.sha256(prompt.encode("utf-8", errors="replace")).digest()
    template = TEMPLATES[digest[0] % len(TEMPLATES)]
    return template(_topic(prompt))


def _tokens(text: str) -> list[str]:
    """Word-sized pieces, each with its trailing whitespace, so newlines survive."""
    return _TOKEN.findall(text)


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # text and image parts: the text is the prompt
                texts = [p.get("text") for p in content if isinstance(p, dict)]
                return "\n".join(t for t in texts if isinstance(t, str))
            return content if isinstance(content, str) else ""
    return ""


def _prompt_tokens(messages: Any) -> int:
    if not isinstance(messages, list):
        return 0
    return sum(
        len(_tokens(m["content"]))
        for m in messages
        if isinstance(m, dict) and isinstance(m.get("content"), str)
    )


class _ChunkWriter:
    """Serialises chunks the way Z.ai does (``role`` in every delta, no mid-stream
    ``finish_reason``)."""

    def __init__(self) -> None:
        self.created = int(time.time())
        self.id = f"demo-{self.created}"

    def event(self, delta: dict[str, Any], **extra: Any) -> bytes:
        choice: dict[str, Any] = {"index": 0}
        if "finish_reason" in extra:
            choice["finish_reason"] = extra.pop("finish_reason")
        choice["delta"] = {"role": "assistant", **delta}
        chunk = {
            "id": self.id,
            "created": self.created,
            "object": "chat.completion.chunk",
            "model": DEMO_MODEL,
            "choices": [choice],
            **extra,
        }
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"


class _DemoStream(httpx.AsyncByteStream):
    def __init__(self, events: list[bytes], delay: float) -> None:
        self._events = events
        self._delay = delay

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._events:
            if self._delay:
                await asyncio.sleep(self._delay)
            yield event

    async def aclose(self) -> None:
        self._events = []


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers ``POST .../chat/completions`` with a locally generated Z.ai-shaped stream.

    ``speed`` multiplies the pace (2 = twice as fast, 0 = no delay at all); by default it comes
    from the ``GLM_TUI_DEMO_SPEED`` environment variable, else 1.
    """

    def __init__(
        self, speed: float | None = None, tokens_per_second: float = TOKENS_PER_SECOND
    ) -> None:
        self.speed = _speed_from_env() if speed is None else max(0.0, speed)
        self.tokens_per_second = tokens_per_second

    @property
    def delay(self) -> float:
        """Seconds between two tokens (0 when speed is 0)."""
        if self.speed <= 0 or self.tokens_per_second <= 0:
            return 0.0
        return 1.0 / (self.tokens_per_second * self.speed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            return httpx.Response(
                404, json={"error": {"code": "404", "message": "The demo model only chats."}}
            )
        try:
            body = json.loads(await request.aread())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return httpx.Response(
                400, json={"error": {"code": "1210", "message": "The body is not JSON."}}
            )
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream; charset=utf-8"},
            stream=_DemoStream(self._events(body), self.delay),
        )

    def _events(self, body: dict[str, Any]) -> list[bytes]:
        from glm_tui.api import demo_tools, title_request

        messages = body.get("messages")
        if title_request.is_title_request(body):
            return self._title_events(title_request.demo_title(body), messages)
        thinking = body.get("thinking")
        think = not (isinstance(thinking, dict) and thinking.get("type") == "disabled")
        from_results = demo_tools.answer_from_results(messages)
        last = messages[-1] if isinstance(messages, list) and messages else None
        plan = None
        if from_results is None and isinstance(last, dict) and last.get("role") == "user":
            plan = demo_tools.plan_call(_last_user_text(messages), body)
        if plan is not None:
            return self._call_events(plan, think, messages)
        reasoning, answer = from_results or compose_reply(_last_user_text(messages))
        reasoning_tokens = _tokens(reasoning) if think else []
        answer_tokens = _tokens(answer)
        finish = "stop"
        limit = body.get("max_tokens")
        # Like the real model, the reasoning counts against max_tokens too.
        if isinstance(limit, int) and 0 < limit < len(reasoning_tokens) + len(answer_tokens):
            finish = "length"
            reasoning_tokens = reasoning_tokens[:limit]
            answer_tokens = answer_tokens[: max(0, limit - len(reasoning_tokens))]
        writer = _ChunkWriter()
        events = [writer.event({"reasoning_content": t}) for t in reasoning_tokens]
        events += [writer.event({"content": t}) for t in answer_tokens]
        prompt_tokens = _prompt_tokens(messages)
        completion = len(reasoning_tokens) + len(answer_tokens)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": len(reasoning_tokens)},
        }
        events.append(writer.event({"content": ""}, finish_reason=finish, usage=usage))
        events.append(b"data: [DONE]\n\n")
        return events

    def _title_events(self, title: str, messages: Any) -> list[bytes]:
        """A title request is answered with a title alone, as asked (no reasoning)."""
        writer = _ChunkWriter()
        tokens = _tokens(title)
        events = [writer.event({"content": t}) for t in tokens]
        prompt_tokens = _prompt_tokens(messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        }
        events.append(writer.event({"content": ""}, finish_reason="stop", usage=usage))
        events.append(b"data: [DONE]\n\n")
        return events

    def _call_events(
        self, plan: tuple[str, str, dict[str, Any]], think: bool, messages: Any
    ) -> list[bytes]:
        from glm_tui.api import demo_tools

        reasoning, name, arguments = plan
        writer = _ChunkWriter()
        reasoning_tokens = _tokens(reasoning) if think else []
        events = [writer.event({"reasoning_content": t}) for t in reasoning_tokens]
        call_id = f"call_demo_{len(messages) if isinstance(messages, list) else 0}"
        events.append(writer.event(demo_tools.call_chunk(name, arguments, call_id)))
        prompt_tokens = _prompt_tokens(messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(reasoning_tokens) + 8,
            "total_tokens": prompt_tokens + len(reasoning_tokens) + 8,
        }
        events.append(writer.event({"content": ""}, finish_reason="tool_calls", usage=usage))
        events.append(b"data: [DONE]\n\n")
        return events
