"""The one way the tests run the app: the ``tui`` fixture (registered in conftest.py).

    async def test_something(tui: Tui, fake_glm: FakeGLM, store: Store) -> None:
        async with tui(fake_glm.base_url, open=cid, model="glm-4.7") as (app, pilot):
            ...

The app is the real one (``create_app``) on the test's own history (the ``store`` fixture),
run with Pilot at ``SIZE`` until its main screen is up; keyword arguments change its settings
(``ui_settings``), or ``settings=`` gives them whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from textual.pilot import Pilot

from glm_tui.api.client import GLMClient
from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.tools.toolbox import Toolbox
from glm_tui.ui.app import GLMApp, create_app
from tests.ui_helpers import SIZE, fixed_clock, started, ui_settings

Running = tuple[GLMApp, Pilot[Any]]


class Tui(Protocol):
    def __call__(
        self,
        base_url: str | None = None,
        *,
        size: tuple[int, int] = SIZE,
        open: int | None = None,
        settings: Settings | None = None,
        store: Store | None = None,
        now: Callable[[], datetime] = fixed_clock,
        client: GLMClient | None = None,
        toolbox: Toolbox | None = None,
        notifications: bool = False,
        wait: bool = True,
        **changes: Any,
    ) -> AbstractAsyncContextManager[Running]: ...


@pytest.fixture
def tui(tmp_path: Path, store: Store) -> Tui:
    """Run the app: ``async with tui(base_url, **settings_changes) as (app, pilot)``.

    ``open``: a conversation opened once the app is up; ``store``: another history than the
    test's; ``client``, ``toolbox``: as ``create_app`` takes them; ``notifications``: toasts
    drawn on the screen (Pilot leaves them out); ``wait=False``: yield at once, before the main
    screen is up (the first-run screen, start-up itself).
    """

    @asynccontextmanager
    async def run(
        base_url: str | None = None,
        *,
        size: tuple[int, int] = SIZE,
        open: int | None = None,
        settings: Settings | None = None,
        store: Store | None = store,
        now: Callable[[], datetime] = fixed_clock,
        client: GLMClient | None = None,
        toolbox: Toolbox | None = None,
        notifications: bool = False,
        wait: bool = True,
        **changes: Any,
    ) -> AsyncIterator[Running]:
        app = create_app(
            settings or ui_settings(tmp_path, base_url, **changes),
            store=store,
            client=client,
            now=now,
            toolbox=toolbox,
        )
        async with app.run_test(size=size, notifications=notifications) as pilot:
            if wait:
                await started(pilot)
            if open is not None:
                await app.main.open_conversation(open)
                await pilot.pause()  # laid out and drawn, as a person first sees it
            yield app, pilot

    return run
