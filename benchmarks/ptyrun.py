"""Start a program on a pseudo-terminal and time how long until a text appears on its screen.

This measures start-up as a person sees it: from the moment the process is spawned to the
moment the terminal has received the text, with ANSI escape sequences stripped.
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

_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


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
    master, slave = os.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full_env = dict(os.environ if env is None else env)
    full_env.setdefault("TERM", "xterm-256color")
    full_env.setdefault("COLORTERM", "truecolor")
    wanted = [m.encode() for m in ([marker] if isinstance(marker, str) else marker)]
    started = time.perf_counter()
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
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(master)
