"""``glm-tui serve`` as a real subprocess on a port the system picks, for the serve tests.

A thread drains its output all the time (textual-serve copies what the app processes write on
stderr there; a full pipe would block the server). The app processes are the server's children,
found in /proc.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli_helpers import CLI
from tests.waiting import CEILING

_LISTENING = re.compile(r"glm-tui serve on (\S+):(\d+):")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    """The URL ``serve`` printed."""
    port: int
    lines: list[str] = field(default_factory=list)
    """Everything it printed so far (stdout and stderr)."""

    @property
    def base(self) -> str:
        """The server on this machine's loopback address (whatever it listens on)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str | None:
        found = re.search(r"[?&]token=([^&\s]+)", self.url)
        return found.group(1) if found else None

    def app_processes(self) -> list[int]:
        """The app processes running now (one per open tab)."""
        return children(self.process.pid)

    def stop(self) -> int:
        """Ctrl+C, as a user gives it, and the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=CEILING)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, zombies left out."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if parent == str(pid) and state != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _drain(stream: object, lines: list[str], found: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line)
        if line.startswith("Open ") or _LISTENING.search(line):
            found.put(line)
    found.put(None)


@contextmanager
def serving(cli: CLI, *args: str, **env: str) -> Iterator[Served]:
    """``glm-tui ARGS`` (ARGS holding ``serve``), with ``--port 0`` added, until it prints
    where it listens; stopped with Ctrl+C at the end."""
    process = subprocess.Popen(
        cli.argv(*args, "--port", "0"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=cli.env(**env),
    )
    lines: list[str] = []
    found: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_drain, args=(process.stdout, lines, found), daemon=True).start()
    try:
        opened = found.get(timeout=CEILING)
        listening = found.get(timeout=CEILING) if opened is not None else None
        if opened is None or listening is None:
            raise AssertionError(f"serve stopped: {''.join(lines)}")
        where = _LISTENING.search(listening)
        assert where is not None, lines
        served = Served(process, opened.split()[1], int(where.group(2)), lines)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=CEILING)
            except subprocess.TimeoutExpired:
                process.kill()


def chromium_path() -> str | None:
    """The Chromium the browser tests drive: $GLM_TUI_CHROMIUM, else Debian's."""
    given = os.environ.get("GLM_TUI_CHROMIUM")
    if given:
        return given
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: without these Chromium tries many connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
