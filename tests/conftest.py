"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeglm import FakeGLM


@pytest.fixture
def fake_glm() -> Iterator[FakeGLM]:
    """A started fake GLM server (real HTTP on 127.0.0.1), closed after the test.

    Queue responses with ``fake_glm.enqueue(zai_stream(...), ...)``; point a client at
    ``fake_glm.base_url``; inspect ``fake_glm.requests``.
    """
    with FakeGLM() as server:
        yield server
