"""Provider errors are shown in the pane in plain words, with the provider's message; the app
stays up and the prompt stays in the conversation."""

from __future__ import annotations

import socket

import pytest

from glm_tui.api.client import GLMClient
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, Response, aimlapi_error, drop_stream, zai_error, zai_stream
from tests.ui_helpers import screen_text, send, shows, wait_idle


def _client(base_url: str) -> GLMClient:
    return GLMClient(base_url=base_url, api_key="sk-test-0000", model="glm-4.7", max_retries=0)


@pytest.mark.parametrize(
    ("response", "words", "provider_words"),
    [
        (
            zai_error(401, "1000", "Authentication Failed"),
            "API key was rejected",
            "Authentication Failed",
        ),
        (zai_error(429, "1113", "Insufficient balance"), "out of credits", "Insufficient balance"),
        (aimlapi_error(429, "Too many requests, slow down"), "rate limiting", "slow down"),
    ],
)
async def test_provider_errors_are_shown_in_plain_words(
    tui: Tui, fake_glm: FakeGLM, response: Response, words: str, provider_words: str
) -> None:
    fake_glm.enqueue(response)
    async with tui(fake_glm.base_url, client=_client(fake_glm.base_url)) as (app, pilot):
        await send(pilot, app, "Hello?")
        await wait_idle(pilot, app)
        reply = app.query_one(AssistantMessage)
        assert reply.message.status == "error"
        await shows(pilot, words)
        text = screen_text(app)
        assert words in text
        assert provider_words in text
        assert "Retry" in text
        assert app.query_one(UserMessage).message.content == "Hello?"
        assert app.is_running


async def test_network_error(tui: Tui) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    async with tui(base_url, client=_client(base_url)) as (app, pilot):
        await send(pilot, app, "Anyone there?")
        await wait_idle(pilot, app)
        assert app.query_one(AssistantMessage).message.status == "error"
        assert "Error: could not reach the provider" in screen_text(app)
        assert app.focused is app.main.composer


@pytest.mark.parametrize(
    ("finish_reason", "words"),
    [
        ("length", "Truncated: the reply reached the length limit"),
        ("sensitive", "Filtered: the provider's content filter stopped this reply."),
    ],
)
async def test_incomplete_replies_say_why(
    tui: Tui, fake_glm: FakeGLM, finish_reason: str, words: str
) -> None:
    fake_glm.enqueue(zai_stream("Half of it", finish_reason=finish_reason))
    async with tui(fake_glm.base_url, client=_client(fake_glm.base_url)) as (app, pilot):
        await send(pilot, app, "Go on")
        await wait_idle(pilot, app)
        await shows(pilot, words)
        text = screen_text(app)
        assert words in text
        assert "Half of it" in text
        assert "Retry" in text


async def test_dropped_connection_keeps_the_partial_reply(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(drop_stream("Partial answer", abrupt=True))
    async with tui(fake_glm.base_url, client=_client(fake_glm.base_url)) as (app, pilot):
        await send(pilot, app, "Go on")
        await wait_idle(pilot, app)
        reply = app.query_one(AssistantMessage)
        assert reply.message.status in ("interrupted", "error")
        await shows(pilot, "Partial answer")
        text = screen_text(app)
        assert "Partial answer" in text
        assert "Retry" in text
