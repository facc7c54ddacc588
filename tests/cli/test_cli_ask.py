"""``glm-tui ask`` as a real subprocess against the fake GLM server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from glm_tui.store import Store
from tests.cli_helpers import CLI, SECRET_KEY, assert_clean_failure, wait_until
from tests.fakeglm import (
    FakeGLM,
    aimlapi_error,
    drop_stream,
    error_stream,
    stall_stream,
    zai_error,
    zai_stream,
)
from tests.waiting import CEILING

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    return CLI(tmp_path, fake_glm.base_url)


def test_streams_reply_to_stdout_and_saves_it(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="Hello there!", reasoning="Thinking hard."))
    result = cli.run("ask", "Hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello there!\n"
    assert result.stderr == ""
    body = fake_glm.requests[0].json
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert body["stream"] is True and body["model"] == "glm-4.7"
    assert fake_glm.requests[0].headers["authorization"] == f"Bearer {SECRET_KEY}"
    [conv] = cli.json("list")
    assert conv["title"] == "Hi" and conv["message_count"] == 2
    shown = cli.json("show", str(conv["id"]))
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant"]
    reply = shown["messages"][1]
    assert reply["content"] == "Hello there!" and reply["reasoning"] == "Thinking hard."
    assert reply["status"] == "complete" and reply["finish_reason"] == "stop"


def test_reasoning_goes_to_stderr(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="Answer.", reasoning="Step one. Step two."))
    result = cli.run("ask", "--reasoning", "Q")
    assert result.returncode == 0
    assert result.stdout == "Answer.\n"
    assert "Step one. Step two." in result.stderr


def test_prompt_from_stdin_and_json(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="Forty-two.", reasoning="Hmm."))
    result = cli.run("ask", "--json", input="What is the answer?\n")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "conversation_id",
        "message_id",
        "content",
        "reasoning",
        "finish_reason",
        "status",
        "usage",
        "error",
        "tool_calls",
    }
    assert data["content"] == "Forty-two." and data["reasoning"] == "Hmm."
    assert data["error"] is None
    assert data["status"] == "complete" and data["finish_reason"] == "stop"
    assert isinstance(data["usage"]["completion_tokens"], int)
    assert fake_glm.requests[0].json["messages"][-1]["content"] == "What is the answer?\n"


def test_continue_sends_history_without_reasoning(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(
        zai_stream(content="First.", reasoning="secret thoughts"), zai_stream(content="Second.")
    )
    assert cli.run("ask", "--system", "Be brief.", "One").returncode == 0
    result = cli.run("ask", "-c", "Two")
    assert result.returncode == 0, result.stderr
    sent = fake_glm.requests[1].json["messages"]
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "One"},
        {"role": "assistant", "content": "First."},
        {"role": "user", "content": "Two"},
    ]
    [conv] = cli.json("list")
    assert conv["message_count"] == 4


def test_cid_and_no_save(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="A."), zai_stream(content="B."), zai_stream(content="C."))
    cli.run("ask", "first")
    cli.run("ask", "other")
    first_id = next(c["id"] for c in cli.json("list") if c["title"] == "first")
    result = cli.run("ask", "--cid", str(first_id), "--no-save", "--json", "again")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["content"] == "C."
    assert [m["content"] for m in fake_glm.requests[2].json["messages"]] == ["first", "A.", "again"]
    assert next(c for c in cli.json("list") if c["id"] == first_id)["message_count"] == 2


def test_no_save_writes_nothing(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="Ephemeral."))
    result = cli.run("ask", "--no-save", "x")
    assert result.stdout == "Ephemeral.\n"
    assert not cli.db.exists() or cli.json("list") == []


@pytest.mark.parametrize(
    ("response", "needle"),
    [
        (zai_error(401, 1000, "Authentication failed"), "API key was rejected"),
        (aimlapi_error(403, "You have run out of credits"), "out of credits"),
        (zai_error(429, 1113, "Insufficient balance"), "out of credits"),
        (zai_error(400, 1211, "Unknown model"), "Unknown model"),
    ],
)
def test_provider_errors_exit_1_with_one_line(
    cli: CLI, fake_glm: FakeGLM, response: object, needle: str
) -> None:
    fake_glm.enqueue(response)  # type: ignore[arg-type]
    result = cli.run("ask", "Hi")
    line = assert_clean_failure(result)
    assert needle in line
    [conv] = cli.json("list")
    shown = cli.json("show", str(conv["id"]))
    assert shown["messages"][0]["content"] == "Hi"
    assert shown["messages"][1]["status"] == "error" and needle in shown["messages"][1]["error"]


def test_network_failure_is_clear(cli: CLI) -> None:
    result = cli.run("ask", "Hi", GLM_TUI_BASE_URL="http://127.0.0.1:9/v1")
    assert "reach the provider" in assert_clean_failure(result)


def test_error_frame_keeps_partial_reply(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(error_stream("Partial ans", code="1302", message="Overloaded"))
    result = cli.run("ask", "Hi")
    assert "Overloaded" in assert_clean_failure(result)
    assert result.stdout.startswith("Partial ans")
    [conv] = cli.json("list")
    reply = cli.json("show", str(conv["id"]))["messages"][1]
    assert reply["content"] == "Partial ans" and reply["status"] == "error"


def test_dropped_connection_is_interrupted(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(drop_stream("Half a sent"))
    result = cli.run("ask", "Hi")
    assert assert_clean_failure(result) == (
        "error: the connection was lost before the reply finished "
        "(the stream ended before a finish_reason)."
    )
    [conv] = cli.json("list")
    reply = cli.json("show", str(conv["id"]))["messages"][1]
    assert reply["content"] == "Half a sent" and reply["status"] == "interrupted"


@pytest.mark.parametrize(
    ("finish", "status", "code", "line"),
    [
        (
            "length",
            "truncated",
            0,
            "warning: the reply reached the length limit (max_tokens or the context window).",
        ),
        ("sensitive", "filtered", 1, "error: the provider's content filter stopped this reply."),
        (
            "network_error",
            "error",
            1,
            "error: the provider failed while generating the reply (finish_reason network_error).",
        ),
    ],
)
def test_finish_reasons(
    cli: CLI, fake_glm: FakeGLM, finish: str, status: str, code: int, line: str
) -> None:
    """Issue 12, item 15: the content filter fails (a script must know the provider refused);
    a reply cut at the length limit is a warning."""
    fake_glm.enqueue(*[zai_stream(content="Some text", finish_reason=finish)] * 2)
    result = cli.run("ask", "--json", "Hi")
    assert result.returncode == code, result.stderr
    assert result.stderr == line + "\n"
    data = json.loads(result.stdout)
    assert data["status"] == status and data["finish_reason"] == finish
    assert data["content"] == "Some text"
    sentence = line.split(": ", 1)[1]
    assert data["error"] == (sentence[:1].upper() + sentence[1:] if code else None)
    result = cli.run("ask", "Hi")
    assert (result.returncode, result.stdout, result.stderr) == (code, "Some text\n", line + "\n")


def test_json_failure_has_the_error(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_error(401, 1000, "Authentication failed"))
    result = cli.run("ask", "--json", "Hi")
    line = assert_clean_failure(result)
    data = json.loads(result.stdout)
    assert data["status"] == "error" and data["content"] == ""
    assert data["error"] == (
        "The API key was rejected (HTTP 401, code 1000: Authentication failed). "
        "Check the key and the provider."
    )
    assert line == "error: " + data["error"][:1].lower() + data["error"][1:]


@pytest.mark.parametrize(
    ("args", "env", "code", "needle"),
    [
        (["Hi"], {"GLM_TUI_API_KEY": ""}, 1, "no API key"),
        ([], {}, 2, "the prompt is empty"),
        (["-c", "Hi"], {}, 1, "no conversation to continue"),
        (["--cid", "1", "-c", "Hi"], {}, 2, "either -c or --cid"),
        (["Hi"], {"GLM_TUI_DB": "{tmp}/missing/history.db"}, 1, "{tmp}/missing"),
    ],
)
def test_json_when_failing_before_any_reply(
    cli: CLI, args: list[str], env: dict[str, str], code: int, needle: str
) -> None:
    """A script reading ``--json`` gets one JSON object, whatever failed, and the exit code."""
    env = {name: value.format(tmp=cli.tmp) for name, value in env.items()}
    needle = needle.format(tmp=cli.tmp)
    result = cli.run("ask", "--json", *args, input="  \n", **env)
    line = assert_clean_failure(result, code)
    assert needle in line
    data = json.loads(result.stdout)
    assert data["status"] == "error" and needle.lower() in data["error"].lower()
    assert data["conversation_id"] is None and data["content"] == ""
    assert line == "error: " + data["error"][:1].lower() + data["error"][1:]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["ask", "--temperature", "9", "x"], "temperature"),
        (["ask", "--nope", "x"], "No such option"),
        (["show", "abc"], "abc"),
        (["export"], "conversation id or --all"),
    ],
)
def test_bad_usage_exits_2(cli: CLI, args: list[str], needle: str) -> None:
    result = cli.run(*args)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_empty_prompt_is_bad_usage(cli: CLI) -> None:
    result = cli.run("ask", input="  \n")
    assert result.returncode == 2 and "empty" in result.stderr


def test_missing_key_is_clear(cli: CLI) -> None:
    result = cli.run("ask", "hi", GLM_TUI_API_KEY="")
    line = assert_clean_failure(result)
    assert "no API key" in line and "GLM_TUI_API_KEY" in line


def test_broken_config_file(cli: CLI) -> None:
    (cli.tmp / "config.toml").write_text("temperature = [oops\n")
    result = cli.run("list")
    line = assert_clean_failure(result)
    assert "config.toml" in line and "invalid TOML" in line


def test_global_options_before_or_after_subcommand(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="1"), zai_stream(content="2"))
    assert cli.run("--max-tokens", "55", "ask", "a").returncode == 0
    assert cli.run("ask", "--max-tokens", "66", "--no-thinking", "b").returncode == 0
    first, second = (r.json for r in fake_glm.requests)
    assert first["max_tokens"] == 55 and "thinking" not in first and "temperature" not in first
    assert second["max_tokens"] == 66 and second["thinking"] == {"type": "disabled"}


def test_config_command_redacts_key(cli: CLI) -> None:
    result = cli.run("config")
    assert result.returncode == 0
    assert SECRET_KEY not in result.stdout and "…cdef" in result.stdout
    assert "env GLM_TUI_API_KEY" in result.stdout and "env GLM_TUI_BASE_URL" in result.stdout
    assert "max_prose_width  100  [default]" in result.stdout


def test_demo_needs_no_key_and_no_network(cli: CLI) -> None:
    result = cli.run(
        "ask", "--demo", "--json", "Show me a table", GLM_TUI_API_KEY="", GLM_TUI_DEMO_SPEED="0"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "complete" and "|" in data["content"] and "```" in data["content"]
    assert data["reasoning"]


def test_version_and_help(cli: CLI) -> None:
    assert cli.run("--version").stdout.startswith("glm-tui, version")
    result = cli.run("--help")
    assert result.returncode == 0 and "ask" in result.stdout and "--demo" in result.stdout


def _stalled_ask(cli: CLI, fake_glm: FakeGLM) -> subprocess.Popen[str]:
    fake_glm.enqueue(stall_stream("Partial reply before the stall", reasoning="Thinking..."))
    proc = cli.popen("ask", "Tell me a long story")

    def partial_saved() -> bool:
        if not cli.db.exists():
            return False
        conn = sqlite3.connect(cli.db)
        try:
            row = conn.execute("select content from messages where role = 'assistant'").fetchone()
        except sqlite3.OperationalError:  # the schema is not written yet
            return False
        finally:
            conn.close()
        return bool(row and row[0] == "Partial reply before the stall")

    wait_until(partial_saved)
    return proc


def test_kill_9_mid_reply_leaves_interrupted_partial(cli: CLI, fake_glm: FakeGLM) -> None:
    proc = _stalled_ask(cli, fake_glm)
    proc.kill()
    proc.wait(timeout=CEILING)
    [conv] = cli.json("list")
    user, reply = cli.json("show", str(conv["id"]))["messages"]
    assert user["content"] == "Tell me a long story"
    assert reply["content"] == "Partial reply before the stall"
    assert reply["reasoning"] == "Thinking..."
    assert reply["status"] == "interrupted"


def test_ctrl_c_saves_partial_as_stopped_and_exits_130(cli: CLI, fake_glm: FakeGLM) -> None:
    proc = _stalled_ask(cli, fake_glm)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=CEILING)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert out.startswith("Partial reply before the stall")
    [conv] = cli.json("list")
    reply = cli.json("show", str(conv["id"]))["messages"][1]
    assert reply["status"] == "stopped" and reply["content"] == "Partial reply before the stall"


def test_eight_concurrent_asks_on_one_database(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(*(zai_stream(content=f"reply {i}", delay=0.01) for i in range(8)))
    procs = [cli.popen("ask", f"prompt {i}") for i in range(8)]
    results = [(p.wait(timeout=CEILING), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "locked" not in err
    convs = cli.json("list")
    assert len(convs) == 8 and all(c["message_count"] == 2 for c in convs)
    assert sorted(c["title"] for c in convs) == [f"prompt {i}" for i in range(8)]


def test_key_never_reaches_the_database(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_error(401, 1001, f"Bad key {SECRET_KEY}"))
    result = cli.run("ask", "hi")
    assert_clean_failure(result)
    for path in cli.tmp.iterdir():
        if path.is_file():
            assert SECRET_KEY.encode() not in path.read_bytes(), path
    assert os.path.exists(cli.db)


# -- issue 12, item 15: where the history lives -------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "env"])
def test_db_in_a_missing_directory_is_an_error_naming_it(
    cli: CLI, fake_glm: FakeGLM, tmp_path: Path, how: str
) -> None:
    db = tmp_path / "no" / "such" / "dir" / "history.db"
    flag, env = (["--db", str(db)], {}) if how == "flag" else ([], {"GLM_TUI_DB": str(db)})
    for args in ([], ["list"], ["ask", "Hi"], ["search", "x"], ["show", "1"]):  # []: the TUI
        line = assert_clean_failure(cli.run(*args, *flag, **env))
        assert str(db.parent) in line and "does not exist" in line, line
        assert ("--db" if how == "flag" else "GLM_TUI_DB") in line
    assert not (tmp_path / "no").exists()
    assert fake_glm.requests == []
    # --no-save does not open the history at all.
    fake_glm.enqueue(zai_stream(content="Fine."))
    result = cli.run("ask", "--no-save", "Hi", *flag, **env)
    assert (result.returncode, result.stdout) == (0, "Fine.\n"), result.stderr


def test_the_default_location_is_still_created(cli: CLI, tmp_path: Path) -> None:
    env = cli.env(XDG_DATA_HOME=str(tmp_path / "xdg" / "data"))
    del env["GLM_TUI_DB"]
    result = subprocess.run(cli.argv("list"), capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xdg" / "data" / "glm-tui" / "history.db").is_file()


def test_a_new_history_is_readable_by_its_owner_only(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream(content="Private."))
    assert cli.run("ask", "Hi").returncode == 0
    assert stat.S_IMODE(cli.db.stat().st_mode) == 0o600
    with Store.open(cli.db):  # while it is open, its -wal and -shm files exist
        for suffix in ("-wal", "-shm"):
            side = cli.db.with_name(cli.db.name + suffix)
            assert stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
    other = cli.tmp / "made-by-list.db"
    assert cli.run("list", GLM_TUI_DB=str(other)).returncode == 0
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
