"""``glm-tui serve``: the TUI in a web browser, each tab its own ``glm-tui`` on the same history.

The web part is textual-serve (the optional ``serve`` extra, imported only here). Each app
process is ``python -m glm_tui`` with the global options ``serve`` was given; it inherits the
environment and reads the same config file, so the API key reaches it the way it reaches any
``glm-tui``, never through the page, its URL or the command line.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import re
import shlex
import signal
import socket
import sys
from dataclasses import replace
from typing import Any

from glm_tui.global_options import global_arguments
from glm_tui.records import record
from glm_tui.serve_guard import Access, is_loopback, new_token, token_problem

INSTALL_HINT = "pip install 'glm-tui[serve]'"


class ServeError(Exception):
    """A reason the server cannot run: one ``error:`` line, exit ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@record(slots=False)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    public_url: str | None = None


def app_command(flags: dict[str, Any]) -> str:
    """The shell line that starts one tab's app (``exec``: the shell becomes the app, so the
    process textual-serve stops is the app itself)."""
    line = shlex.join([sys.executable, "-m", "glm_tui", *global_arguments(flags)])
    return f"exec {line}" if os.name == "posix" else line


_HOST = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a name or an address to listen on (None if it may be one)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if not _HOST.fullmatch(host):
            return f"--host {host}: not a host name or an IP address"
    return None


def access_for(options: ServeOptions) -> Access:
    """The checks the options ask for; a token is made when the host needs one and none was
    given. ServeError for a token that cannot be used."""
    token = options.token
    if token is not None and (problem := token_problem(token)):
        raise ServeError(problem, 2)
    loopback = is_loopback(options.host)
    if token is None and not loopback:
        token = new_token()
    return Access(token=token, loopback=loopback, public_url=options.public_url)


def address_to_open(options: ServeOptions, port: int, access: Access) -> str:
    """The URL to print: the public URL, or the host (this machine's name when it listens on
    every address), with the token."""
    if options.public_url:
        base = options.public_url.rstrip("/")
    else:
        host = options.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        if ":" in host:
            host = f"[{host}]"
        base = f"http://{host}:{port}"
    return f"{base}/?token={access.token}" if access.token else f"{base}/"


def run_serve(flags: dict[str, Any], options: ServeOptions) -> None:
    """Serve until Ctrl+C (or SIGTERM). ServeError when it cannot."""
    if options.public_url and not options.public_url.startswith(("http://", "https://")):
        raise ServeError(
            f"--public-url must start with http:// or https://: {options.public_url}", 2
        )
    if problem := host_problem(options.host):
        raise ServeError(problem, 2)
    options = replace(options, host=options.host.strip("[]"))  # [::1] as in a URL
    access = access_for(options)
    try:
        from glm_tui.serve_textual import TabServer
    except ImportError as exc:
        missing = f"no module {exc.name}" if exc.name else str(exc)
        raise ServeError(f"glm-tui serve needs textual-serve ({missing}): {INSTALL_HINT}") from None
    server = TabServer(app_command(flags), options.public_url)
    asyncio.run(_serve(server, options, access))


async def _serve(server: Any, options: ServeOptions, access: Access) -> None:
    from aiohttp import web

    runner = web.AppRunner(await server.web_application(access), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port)
        try:
            await site.start()
        except OSError as exc:
            raise _bind_error(exc, options) from None
        port = runner.addresses[0][1]
        print(f"Open {address_to_open(options, port, access)}", flush=True)
        where = f"[{options.host}]" if ":" in options.host else options.host
        print(
            f"(glm-tui serve on {where}:{port}: each browser tab is its own glm-tui;"
            " Ctrl+C stops them all)",
            flush=True,
        )
        await _until_stopped()
    finally:
        await runner.cleanup()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    await stop.wait()


def _bind_error(exc: OSError, options: ServeOptions) -> ServeError:
    host, port = options.host, options.port
    if isinstance(exc, socket.gaierror):
        return ServeError(f"--host {host}: no such host or address", 2)
    if exc.errno == errno.EADDRINUSE:
        return ServeError(f"port {port} is in use on {host}: choose another with --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return ServeError(f"--host {host}: not an address of this machine", 2)
    if exc.errno == errno.EACCES:
        return ServeError(f"cannot listen on port {port}: permission denied (try one over 1023)")
    return ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
