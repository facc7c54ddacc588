"""Start a program on a pseudo-terminal and time how long until its screen is drawn.

This measures start-up as a person sees it, from the moment the process is spawned:
``time_to_text`` until a text has reached the terminal (escape sequences stripped),
``time_to_settled`` until the screen stops changing (every region drawn, lists filled).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

from screen import Screen

_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def _spawn(
    argv: Sequence[str], env: dict[str, str] | None, size: tuple[int, int]
) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = os.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full_env = dict(os.environ if env is None else env)
    full_env.setdefault("TERM", "xterm-256color")
    full_env.setdefault("COLORTERM", "truecolor")
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def _end(proc: subprocess.Popen[bytes], master: int) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    os.close(master)


def time_to_settled(
    argv: Sequence[str],
    markers: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (120, 40),
    quiet: float = 1.0,
    timeout: float = 60.0,
) -> float:
    """Seconds from spawn until the last change of the screen's text, once every one of
    ``markers`` is on it and nothing has changed for ``quiet`` seconds (a colour that changes,
    as a blinking cursor, is not a change); the program is then ended."""
    started = time.perf_counter()
    proc, master = _spawn(argv, env, size)
    screen = Screen(*size)
    last_change = started
    shown = False
    try:
        while True:
            now = time.perf_counter()
            if shown and now - last_change >= quiet:
                return last_change - started
            if now - started > timeout:
                raise TimeoutError(f"not settled in {timeout} s; screen: {screen.text()[-400:]!r}")
            wait = quiet - (now - last_change) if shown else timeout - (now - started)
            ready, _, _ = select.select([master], [], [], max(0.001, wait))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                raise RuntimeError(f"the program ended: {screen.text()[-400:]!r}")
            if screen.feed(data):
                last_change = time.perf_counter()
                if not shown:
                    text = screen.text()
                    shown = all(marker in text for marker in markers)
    finally:
        _end(proc, master)


def time_to_text(
    argv: Sequence[str],
    marker: str | Sequence[str],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (120, 40),
    timeout: float = 30.0,
) -> float:
    """Seconds from spawn until ``marker`` (or every one of several) is on screen; the program
    is then ended."""
    wanted = [m.encode() for m in ([marker] if isinstance(marker, str) else marker)]
    started = time.perf_counter()
    proc, master = _spawn(argv, env, size)
    seen = b""
    try:
        while True:
            remaining = started + timeout - time.perf_counter()
            if remaining <= 0:
                tail = _ANSI.sub(b"", seen)[-400:]
                raise TimeoutError(f"{marker!r} not seen in {timeout} s; last output: {tail!r}")
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                tail = _ANSI.sub(b"", seen)[-400:]
                raise RuntimeError(f"the program ended before showing {marker!r}: {tail!r}")
            seen += data
            screen = _ANSI.sub(b"", seen[-400_000:])
            if all(w in screen for w in wanted):
                return time.perf_counter() - started
    finally:
        _end(proc, master)
