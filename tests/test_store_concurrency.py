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
from glm_tui.store.recovery import pid_alive
from tests.store_fixtures import fts_in_sync

ROOT = Path(__file__).resolve().parent.parent

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
        out, err = proc.communicate(timeout=60)
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
        proc.wait(timeout=10)
        with Store.open(path) as store:
            path_ = store.current_path(cid)
            assert [m.role for m in path_] == ["user", "assistant"]
            assert path_[0].content == "tell me a story"
            assert path_[1].status == "interrupted"
            assert path_[1].content == "Once upon a time"
            assert path_[1].reasoning == "a fairy tale"
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
