"""The real TUI as a separate process on a pseudo-terminal, for tests that need a process to
kill, or several programs on one database at once.

A thread drains the terminal all the time (a full pty buffer would block the app); ``text()`` is
everything the app has drawn so far with the escape sequences taken out, which is enough to wait
for a word to appear on the screen.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.waiting import CEILING

_ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[@-_]"  # two-byte escapes
)


class TUIProcess:
    """``python -m glm_tui ARGS`` on a pty of ``size`` (columns, rows), with ``env``."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        *,
        size: tuple[int, int] = (120, 40),
        preexec: Callable[[], None] | None = None,
    ) -> None:
        master, slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(env)
        full_env.update(TERM="xterm-256color", COLORTERM="truecolor")
        # The size is the pty's: COLUMNS and LINES would win over it (pytest-xdist's workers
        # have them set to 80 and 24).
        full_env.pop("COLUMNS", None)
        full_env.pop("LINES", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "glm_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            close_fds=True,
            preexec_fn=preexec,
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                if self.proc.poll() is not None:
                    return
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._output += data

    def text(self) -> str:
        """Everything drawn so far, escape sequences removed."""
        with self._lock:
            raw = bytes(self._output)
        return _ANSI.sub(b"", raw).decode("utf-8", errors="replace")

    def wait_for(self, needle: str, timeout: float = CEILING, *, since: int = 0) -> None:
        """Until ``needle`` has been drawn (after the first ``since`` characters of text())."""
        deadline = time.monotonic() + timeout
        while needle not in self.text()[since:]:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the TUI exited ({self.proc.returncode}) before showing {needle!r}; "
                    f"last output: {self.text()[-600:]!r}"
                )
            if time.monotonic() > deadline:
                dump = Path(tempfile.mkstemp(prefix="tui-output-", suffix=".txt")[1])
                dump.write_text(self.text())
                raise AssertionError(
                    f"{needle!r} not shown in {timeout} s (all the output: {dump}); "
                    f"last output: {self.text()[-600:]!r}"
                )
            time.sleep(0.02)

    def type(self, text: str) -> None:
        """Keys, as a person types them (``\\r`` is Enter)."""
        os.write(self._master, text.encode())

    def kill9(self) -> None:
        """kill -9, and reap it (a zombie would still count as a live writer)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=CEILING)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill9()
        self._reader.join(timeout=5)
        try:
            os.close(self._master)
        except OSError:
            pass

    def __enter__(self) -> TUIProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
