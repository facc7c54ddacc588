"""textual-serve as ``glm-tui serve`` uses it: the one module that reaches into its private parts.

textual-serve gives the page, its websocket (one app process per connection, started with a
shell command), downloads and static files. Its ``Server.serve`` runs everything itself; we
need the web application alone (``Server._make_app``, private) to put our access checks in
front of every route, to learn the port we got, and to stop every app process on the way out.
"""

from __future__ import annotations

import asyncio
import os
import signal
from contextvars import ContextVar
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware
from textual_serve.server import Server

from glm_tui.serve_guard import Access, Handler, access_guard

STOP_WAIT = 10.0
"""Seconds the app processes get to quit when the server stops, before they are killed."""

_page_origin: ContextVar[str] = ContextVar("glm_tui_page_origin", default="http://127.0.0.1")
"""``scheme://host:port`` the browser used for the request being answered."""


class TabServer(Server):
    """textual-serve's server: one glm-tui per browser tab (``command``, a shell line).

    Without a public URL, the page's websocket and file addresses are made from the address the
    browser used, so the page works whatever name or address reached it (``0.0.0.0`` cannot).
    """

    def __init__(self, command: str, public_url: str | None) -> None:
        self._given_public_url = public_url.rstrip("/") if public_url else None
        super().__init__(command, title="glm-tui", public_url=self._given_public_url)
        self._tabs: set[asyncio.Task[object]] = set()

    @property
    def public_url(self) -> str:
        return self._given_public_url or _page_origin.get()

    @public_url.setter
    def public_url(self, value: str) -> None:
        pass  # Server.__init__ sets one; ours is above

    async def on_startup(self, app: web.Application) -> None:
        pass  # textual-serve prints a banner and its own address; serve.py says what to open

    async def web_application(self, access: Access) -> web.Application:
        """textual-serve's routes, behind ``access`` and our bookkeeping."""
        app = await self._make_app()
        app.middlewares.insert(0, access_guard(access))
        app.middlewares.append(self._per_request())
        app.on_shutdown.append(self._stop_tabs)
        return app

    def _per_request(self) -> Middleware:
        """Note the address the browser used (see ``public_url``) and the websocket handlers
        running (see ``_stop_tabs``)."""
        tabs = self._tabs

        @web.middleware
        async def per_request(request: web.Request, handler: Handler) -> web.StreamResponse:
            _page_origin.set(f"{request.scheme}://{request.host}")
            if request.path != "/ws":
                return await handler(request)
            task = asyncio.current_task()
            assert task is not None
            tabs.add(task)
            try:
                return await handler(request)
            finally:
                tabs.discard(task)

        return per_request

    async def _stop_tabs(self, app: web.Application) -> None:
        # A cancelled websocket handler tells its app to quit and waits for it to end.
        tabs = list(self._tabs)
        for task in tabs:
            task.cancel()
        if tabs:
            await asyncio.wait(tabs, timeout=STOP_WAIT)
        _kill_children()


def _kill_children() -> None:
    """Kill the app processes still running (one that did not quit in time). Linux only: the
    others are left to end when their input closes."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == me and fields[0] != "Z":
            try:
                os.kill(int(stat.parent.name), signal.SIGKILL)
            except OSError:
                pass
