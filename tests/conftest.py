"""Shared pytest fixtures."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from glm_tui.store import Store
from tests.app_fixture import tui
from tests.fakeglm import FakeGLM

__all__ = ["tui"]  # the app run with Pilot: see app_fixture.py


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl+C reaches the programs the tests start, however the suite was started.

    A shell starts a background job (``pytest &``) with SIGINT ignored, and a program inherits
    that: the tests that press Ctrl+C on ``glm-tui ask`` then saw it run on to the read timeout.
    A handler of our own is not inherited (the programs start with the default one).
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def fake_glm() -> Iterator[FakeGLM]:
    """A started fake GLM server (real HTTP on 127.0.0.1), closed after the test.

    Queue responses with ``fake_glm.enqueue(zai_stream(...), ...)``; point a client at
    ``fake_glm.base_url``; inspect ``fake_glm.requests``.
    """
    with FakeGLM() as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real history database in the test's own directory (``history.db``, where
    ``ui_settings`` and ``CLI`` point too), closed after the test. A module that needs the file
    elsewhere defines its own ``store``."""
    with Store.open(tmp_path / "history.db") as opened:
        yield opened


@pytest.fixture(autouse=True)
def own_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own cache directory (platformdirs reads XDG_CACHE_HOME when asked): the
    model list cached by one test is never another's, nor the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
