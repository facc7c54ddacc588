"""Replies left ``streaming`` by a process that died become ``interrupted``."""

from __future__ import annotations

import os
import sqlite3
import sys


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine (a recycled id counts as alive)."""
    if pid is None or pid <= 0:
        return False
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
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
    rows = conn.execute("SELECT id, writer_pid FROM messages WHERE status = 'streaming'").fetchall()
    dead = [mid for mid, pid in rows if not pid_alive(pid)]
    if not dead:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "UPDATE messages SET status = 'interrupted' WHERE id = ? AND status = 'streaming'",
            [(mid,) for mid in dead],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return dead
