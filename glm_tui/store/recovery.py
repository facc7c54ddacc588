"""Replies left ``streaming`` by a process that died become ``interrupted``.

A reply records its writer's process id and, where the system tells (Linux), when that process
started. A process id alone is not enough: a writer that died stays in the process table as a
zombie until its parent reaps it, and a freed id is given to the next program that starts.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from pathlib import Path

from . import fts

_PROC = Path("/proc")


def parse_stat(text: str) -> tuple[str, int]:
    """(state, start time in clock ticks since boot) from the text of ``/proc/PID/stat``.

    The second field is the command name in parentheses, and the name may itself hold spaces
    and parentheses (a program can call itself ``a) Z (b``): the fields after it start after
    the last ``)``. ValueError if the text is not such a line.
    """
    fields = text[text.rindex(")") + 1 :].split()
    # After the name: state (field 3), ... starttime (field 22).
    return fields[0], int(fields[19])


@functools.cache
def _proc_works() -> bool:
    return sys.platform.startswith("linux") and (_PROC / "self" / "stat").exists()


def _stat(pid: int) -> tuple[str, int] | None:
    """The state and start time of ``pid``, or None if there is no such process."""
    try:
        return parse_stat((_PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError, IndexError):
        return None


def process_start(pid: int | None) -> int | None:
    """When process ``pid`` started (clock ticks since boot), or None where that is unknown:
    off Linux, or for a process that is gone."""
    if pid is None or pid <= 0 or not _proc_works():
        return None
    stat = _stat(pid)
    return None if stat is None else stat[1]


def pid_alive(pid: int | None, started: int | None = None) -> bool:
    """Whether the process that wrote a reply may still be running on this machine.

    On Linux: the process exists, is not a zombie (dead, not yet reaped by its parent) and, when
    ``started`` is known, started then (otherwise the id was reused by another program).
    Elsewhere, or without a start time, an id that exists counts as alive, reused or not.
    """
    if pid is None or pid <= 0:
        return False
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
    if _proc_works():
        stat = _stat(pid)
        if stat is None:
            return False
        state, start = stat
        if state in ("Z", "X", "x"):  # a zombie, or dead
            return False
        return started is None or start == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


if sys.platform == "win32":  # pragma: no cover - not run on POSIX

    def _pid_alive_windows(pid: int) -> bool:
        # os.kill(pid, 0) would send CTRL_C_EVENT on Windows, so ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)


def recover_streaming(conn: sqlite3.Connection) -> list[int]:
    """Mark dead writers' ``streaming`` messages ``interrupted``; returns their ids.

    The candidates come from a partial index, so this costs nothing on a healthy database. A
    streaming message without a writer pid (for example an imported one) is dead by definition.
    """
    rows = conn.execute(
        "SELECT id, writer_pid, writer_started FROM messages WHERE status = 'streaming'"
    ).fetchall()
    dead = [mid for mid, pid, started in rows if not pid_alive(pid, started)]
    if not dead:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for mid in dead:
            cur = conn.execute(
                "UPDATE messages SET status = 'interrupted' WHERE id = ? AND status = 'streaming'",
                (mid,),
            )
            if cur.rowcount:  # not recovered by another process meanwhile
                # Out of the search view while it streamed: indexed now, as it ends.
                fts.index_ids(conn, [mid])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return dead
