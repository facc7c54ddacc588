"""The offline demo model, through the real client."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest

from glm_tui.api import (
    Connected,
    ContentDelta,
    Finished,
    GLMClient,
    ReasoningDelta,
    StreamEvent,
    Usage,
)
from glm_tui.api.demo import DEMO_LABEL, DEMO_MODEL, TEMPLATES, DemoTransport, compose_reply

PROMPTS = [
    "How do I write a TUI in Python?",
    "hello",
    "Compare SQLite and Postgres",
    "What is | a `pipe` in *Markdown*?",
    "Explain asyncio",
    "Écris un poème sur la mer 🌊",
]


async def ask(prompt: str, speed: float = 0, **kwargs: Any) -> list[StreamEvent]:
    client = GLMClient(
        base_url="http://demo.invalid/v1",
        api_key=None,
        model=DEMO_MODEL,
        transport=DemoTransport(speed=speed),
    )
    async with client:
        messages = [{"role": "user", "content": prompt}]
        events = [event async for event in client.stream_chat(messages, **kwargs)]
    assert events[0] == Connected()  # the demo model answers as a provider would
    return events[1:]


def texts(events: list[StreamEvent]) -> tuple[str, str]:
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    return reasoning, content


def assert_rich_markdown(answer: str) -> None:
    assert re.search(r"^#{1,3} \S", answer, re.MULTILINE), "heading"
    assert re.search(r"^(- |1\. )", answer, re.MULTILINE), "list"
    assert "```python\n" in answer and answer.count("```") == 2, "code block"
    assert re.search(r"^\|.*\|\n\|[-:|]+\|$", answer, re.MULTILINE), "table"


def test_constants() -> None:
    assert DEMO_MODEL == "glm-4.7-demo"
    assert DEMO_LABEL == "GLM-4.7 demo (offline)"


@pytest.mark.parametrize("prompt", PROMPTS)
async def test_reply_is_reasoning_then_rich_markdown(prompt: str) -> None:
    events = await ask(prompt)
    kinds = [type(e) for e in events]
    first_content = kinds.index(ContentDelta)
    assert kinds[0] is ReasoningDelta
    assert ReasoningDelta not in kinds[first_content:]
    reasoning, answer = texts(events)
    assert len(reasoning.split(".")) >= 3  # a few sentences
    assert_rich_markdown(answer)
    assert events[-1] == Finished("stop")
    usage = events[-2]
    assert isinstance(usage, Usage)
    assert usage.completion_tokens == len(events) - 2
    assert usage.reasoning_tokens == kinds.count(ReasoningDelta)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_rich(template: Any) -> None:
    reasoning, answer = template("sorting lists")
    assert "sorting lists" in reasoning and "sorting lists" in answer
    assert_rich_markdown(answer)


def test_replies_are_deterministic_and_varied() -> None:
    assert compose_reply("hello") == compose_reply("hello")
    variants = {compose_reply(f"question {i}")[1].split("\n")[0][:10] for i in range(40)}
    assert len(variants) == len(TEMPLATES)


def test_topic_is_quoted_safely() -> None:
    _, answer = compose_reply("What is | a `pipe` in *Markdown*?\nsecond line")
    assert "What is a pipe in Markdown?" in answer
    assert "second line" not in answer
    assert answer.count("```") == 2


async def test_thinking_disabled_gives_no_reasoning() -> None:
    events = await ask("hello", thinking=False)
    assert not any(isinstance(e, ReasoningDelta) for e in events)
    _, answer = texts(events)
    assert_rich_markdown(answer)
    usage = events[-2]
    assert isinstance(usage, Usage) and usage.reasoning_tokens == 0


async def test_max_tokens_truncates_with_length() -> None:
    events = await ask("hello", max_tokens=10)
    assert events[-1] == Finished("length")
    assert len(events) - 2 == 10


async def test_speed_zero_is_instant() -> None:
    assert DemoTransport(speed=0).delay == 0
    for prompt in PROMPTS:  # and every reply still comes whole
        assert (await ask(prompt, speed=0))[-1] == Finished("stop")


async def test_paced_stream_takes_time() -> None:
    transport = DemoTransport(speed=1)
    assert 1 / 60 <= transport.delay <= 1 / 40  # 40-60 tokens per second
    # at 100x the pace a ~170-token reply still takes a measurable while
    start = time.perf_counter()
    await ask("hello", speed=100)
    assert time.perf_counter() - start > 0.02


def test_speed_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")
    assert DemoTransport().speed == 0 and DemoTransport().delay == 0
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "3.5")
    assert DemoTransport().speed == 3.5
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "fast")
    assert DemoTransport().speed == 1.0
    monkeypatch.delenv("GLM_TUI_DEMO_SPEED")
    assert DemoTransport().speed == 1.0
    assert DemoTransport(speed=2).speed == 2


async def test_wire_format_is_zai_shaped() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(speed=0)) as http:
        body = {"model": DEMO_MODEL, "stream": True, "messages": [{"role": "user", "content": "x"}]}
        response = await http.post("http://demo/v1/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    first = json.loads(frames[0].removeprefix("data: "))
    assert first["model"] == DEMO_MODEL
    assert first["choices"][0]["delta"]["role"] == "assistant"
    assert "finish_reason" not in first["choices"][0]
    last = json.loads(frames[-2].removeprefix("data: "))
    assert last["choices"][0]["finish_reason"] == "stop" and "usage" in last


async def test_other_requests_are_refused() -> None:
    async with httpx.AsyncClient(transport=DemoTransport(speed=0)) as http:
        assert (await http.get("http://demo/v1/models")).status_code == 404
        bad = await http.post("http://demo/v1/chat/completions", content=b"not json")
        assert bad.status_code == 400
