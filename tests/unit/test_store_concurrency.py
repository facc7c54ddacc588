"""Several processes on one database, and replies whose writer died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from glm_tui.store import Store
from glm_tui.store.recovery import parse_stat, pid_alive, process_start
from tests.store_fixtures import fts_in_sync
from tests.waiting import CEILING

ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import os, sys, time
    from glm_tui.api.events import Usage
    from glm_tui.store import Store

    db, go, turns = sys.argv[1], sys.argv[2], int(sys.argv[3])
    while not os.path.exists(go):
        time.sleep(0.002)
    with Store.open(db) as store:
        cid = store.create_conversation(title=f"worker {os.getpid()}", provider="p", model="m")
        parent = None
        for i in range(turns):
            user = store.add_message(cid, parent_id=parent, role="user", content=f"question {i}")
            reply = store.add_message(cid, parent_id=user, role="assistant", status="streaming")
            for k in range(3):
                store.update_message(reply, content=f"partial {k}", reasoning="hmm " * k)
            store.update_message(
                reply, content=f"answer {i} wombat", status="complete", finish_reason="stop",
                usage=Usage(10, 5, 15),
            )
            parent = reply
    print(cid)
    """
)


def run_workers(
    db: Path, go: Path, count: int, turns: int
) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(go), str(turns)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(count)
    ]
    time.sleep(0.3)  # let them all start and wait at the line
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=CEILING)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.mark.parametrize("fresh", [False, True], ids=["existing file", "new file"])
def test_eight_writers_at_once(tmp_path: Path, fresh: bool) -> None:
    db = tmp_path / "shared.db"
    if not fresh:
        Store.open(db).close()
    turns = 8
    results = run_workers(db, tmp_path / "go", 8, turns)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr
    cids = sorted(int(r.stdout) for r in results)
    with Store.open(db) as store:
        assert sorted(c.id for c in store.list_conversations()) == cids
        for cid in cids:
            path = store.current_path(cid)
            assert len(path) == 2 * turns
            assert all(m.status == "complete" for m in path)
            assert store.get_conversation(cid).message_count == 2 * turns
            assert store.conversation_usage(cid).total_tokens == 15 * turns
        assert len(store.search("wombat", limit=1000)) == 8 * turns
        assert fts_in_sync(store)
        version = store.db.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version >= 1


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(dead_pid())
    assert not pid_alive(None)
    assert not pid_alive(0)
    assert not pid_alive(-5)


def test_dead_writer_becomes_interrupted_live_one_stays(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Store.open(path) as store:
            cid = store.create_conversation(title="t", provider="p", model="m")
            dead = store.add_message(
                cid, parent_id=None, role="assistant", content="half a", status="streaming",
                writer_pid=dead_pid(),
            )  # fmt: skip
            live = store.add_message(
                cid, parent_id=None, role="assistant", content="still going", status="streaming",
                writer_pid=sleeper.pid,
            )  # fmt: skip
            done = store.add_message(cid, parent_id=None, role="assistant", content="done")
        with Store.open(path) as store:
            assert store.get_message(dead).status == "interrupted"
            assert store.get_message(dead).content == "half a"
            assert store.get_message(live).status == "streaming"
            assert store.get_message(done).status == "complete"
        sleeper.kill()
        sleeper.wait()
        with Store.open(path, recover=False) as store:
            assert store.get_message(live).status == "streaming"
            assert store.recover_interrupted() == [live]
            assert store.get_message(live).status == "interrupted"
            assert store.recover_interrupted() == []
    finally:
        sleeper.kill()
        sleeper.wait()


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from glm_tui.store import Store

    store = Store.open(sys.argv[1])
    cid = store.create_conversation(title="crash", provider="p", model="m")
    user = store.add_message(cid, parent_id=None, role="user", content="tell me a story")
    reply = store.add_message(cid, parent_id=user, role="assistant", status="streaming")
    store.update_message(reply, content="Once upon a time", reasoning="a fairy tale")
    print(cid, reply, flush=True)
    time.sleep(60)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_kill_9_mid_reply(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        cid, reply = (int(x) for x in proc.stdout.readline().split())
        with Store.open(path) as store:  # the writer is alive: its reply is left alone
            assert store.get_message(reply).status == "streaming"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=CEILING)
        with Store.open(path) as store:
            path_ = store.current_path(cid)
            assert [m.role for m in path_] == ["user", "assistant"]
            assert path_[0].content == "tell me a story"
            assert path_[1].status == "interrupted"
            assert path_[1].content == "Once upon a time"
            assert path_[1].reasoning == "a fairy tale"
            # Out of the index while it streamed; indexed as it was marked interrupted.
            assert [hit.message_id for hit in store.search("upon")] == [reply]
            assert [hit.message_id for hit in store.search("fairy")] == [reply]
            assert fts_in_sync(store)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


LINUX_ONLY = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and Path("/proc/self/stat").exists()),
    reason="start times and zombies are read from /proc",
)


def streaming_reply(store: Store, cid: int, pid: int) -> int:
    return store.add_message(
        cid, parent_id=None, role="assistant", content="half", status="streaming", writer_pid=pid
    )


def set_started(path: Path, mid: int, started: int | None) -> None:
    with Store.open(path, recover=False) as store:
        store.db.conn.execute("UPDATE messages SET writer_started = ? WHERE id = ?", (started, mid))


@LINUX_ONLY
def test_a_zombie_writer_is_dead(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # Wait until it has exited, without reaping it: it stays a zombie.
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert parse_stat(Path(f"/proc/{child.pid}/stat").read_text())[0] == "Z"
        with Store.open(path) as store:
            cid = store.create_conversation(title="t", provider="p", model="m")
            recorded = streaming_reply(store, cid, child.pid)
            old_row = streaming_reply(store, cid, child.pid)
        set_started(path, old_row, None)  # written before start times were recorded
        with Store.open(path) as store:
            assert store.get_message(recorded).status == "interrupted"
            assert store.get_message(old_row).status == "interrupted"
    finally:
        child.wait()


@LINUX_ONLY
def test_a_reused_process_id_is_not_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Store.open(path) as store:
            cid = store.create_conversation(title="t", provider="p", model="m")
            reused = streaming_reply(store, cid, sleeper.pid)
            live = streaming_reply(store, cid, sleeper.pid)
            old_row = streaming_reply(store, cid, sleeper.pid)
            started = store.get_message(live).writer_started
        assert started is not None and started == process_start(sleeper.pid)
        # The writer of "reused" started at another time: its id now belongs to this sleeper.
        set_started(path, reused, started - 1)
        set_started(path, old_row, None)  # no start time: the id alone is trusted, as before
        with Store.open(path) as store:
            assert store.get_message(reused).status == "interrupted"
            assert store.get_message(live).status == "streaming"
            assert store.get_message(old_row).status == "streaming"
    finally:
        sleeper.kill()
        sleeper.wait()


@LINUX_ONLY
def test_this_process_is_recorded_with_its_start_time(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        cid = store.create_conversation(title="t", provider="p", model="m")
        mid = store.add_message(cid, parent_id=None, role="assistant", status="streaming")
        done = store.add_message(cid, parent_id=None, role="assistant", content="done")
        message = store.get_message(mid)
        assert message.writer_pid == os.getpid()
        assert message.writer_started == process_start(os.getpid()) is not None
        assert store.get_message(done).writer_started is None
        assert store.recover_interrupted() == []


def test_the_stat_line_is_split_after_the_last_parenthesis() -> None:
    after_name = "S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50"
    assert parse_stat(f"4242 (a) Z 1 (b) {after_name}") == ("S", 987654)
    assert parse_stat(f"4242 (plain) {after_name}\n") == ("S", 987654)
    with pytest.raises(ValueError):
        parse_stat("garbage")


@LINUX_ONLY
def test_a_writer_whose_name_holds_parentheses(tmp_path: Path) -> None:
    # A program may name itself anything: this one looks like a zombie to a naive parser.
    renamer = subprocess.Popen(
        [sys.executable, "-c", RENAMED],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert renamer.stdout is not None and renamer.stdin is not None
        assert renamer.stdout.readline() == "renamed\n"
        assert Path(f"/proc/{renamer.pid}/comm").read_text() == "x) Z 1 (y\n"
        started = process_start(renamer.pid)
        assert started is not None
        assert pid_alive(renamer.pid, started)
        assert not pid_alive(renamer.pid, started + 1)
        renamer.stdin.close()  # it exits
        os.waitid(os.P_PID, renamer.pid, os.WEXITED | os.WNOWAIT)
        assert not pid_alive(renamer.pid, started)  # a zombie now
    finally:
        renamer.kill()
        renamer.wait()
        for stream in (renamer.stdin, renamer.stdout):
            if stream is not None:
                stream.close()


RENAMED = textwrap.dedent(
    """
    import sys
    with open("/proc/self/comm", "w") as comm:
        comm.write("x) Z 1 (y")
    print("renamed", flush=True)
    sys.stdin.read()
    """
)
