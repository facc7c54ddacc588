"""``glm-tui ask`` with tools, and ``glm-tui tools``, run as real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cli_helpers import CLI, SECRET_KEY, wait_until
from tests.fakeglm import FakeGLM, tool_calls_stream, zai_stream
from tests.unit.test_tools_mcp import SERVER, alive, pids
from tests.waiting import CEILING

README = "The secret word is pelican.\n"


def setup(
    tmp_path: Path, fake: FakeGLM | None, *, tools: str = '["read_file", "fetch_url"]'
) -> tuple[CLI, Path]:
    cli = CLI(tmp_path, fake.base_url if fake else None)
    (tmp_path / "config.toml").write_text(f"tools = {tools}\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "README.md").write_text(README)
    return cli, work


def run(cli: CLI, work: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli.argv(*args),
        input="",
        capture_output=True,
        text=True,
        env=cli.env(**env),
        cwd=work,
        timeout=60,
    )


def read_call(call_id: str = "call_1") -> tuple[str, str, str]:
    return (call_id, "read_file", json.dumps({"path": "README.md"}))


def test_ask_yes_runs_the_call_and_answers(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("It is pelican."))
    result = run(cli, work, "ask", "--yes", "What is the secret word?")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "It is pelican.\n"
    assert "tool read_file: ok" in result.stderr
    sent = fake_glm.requests[1].json["messages"]
    assert sent[-1] == {"role": "tool", "tool_call_id": "call_1", "content": README}
    shown = cli.json("show", "1")
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert shown["messages"][2]["tool"] == {
        "call_id": "call_1",
        "name": "read_file",
        "arguments": '{"path": "README.md"}',
        "status": "ok",
    }
    assert SECRET_KEY not in (tmp_path / "history.db").read_bytes().decode("latin-1")


def test_ask_json_lists_the_calls(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("It is pelican."))
    result = run(cli, work, "ask", "--yes", "--json", "secret?")
    data = json.loads(result.stdout)
    assert data["content"] == "It is pelican." and data["error"] is None
    [call] = data["tool_calls"]
    assert call["name"] == "read_file" and call["status"] == "ok" and call["result"] == README


def test_ask_on_a_pipe_denies_calls_and_says_which(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("I could not read it."))
    result = run(cli, work, "ask", "secret?")
    assert result.returncode == 0, result.stderr
    assert "warning: denied the call of read_file" in result.stderr
    told = fake_glm.requests[1].json["messages"][-1]["content"]
    assert told.startswith("The user denied this call.")
    assert "standard input is not a terminal" in told and "--yes" in told


def test_always_allowed_builtins_run_on_a_pipe(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    with (tmp_path / "config.toml").open("a") as handle:
        handle.write('always_allow = ["read_file"]\n')
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("pelican"))
    result = run(cli, work, "ask", "secret?")
    assert "denied" not in result.stderr
    assert fake_glm.requests[1].json["messages"][-1]["content"] == README


def test_ask_no_tools_offers_none(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    fake_glm.enqueue(zai_stream("Plain."))
    result = run(cli, work, "ask", "--no-tools", "hi")
    assert result.returncode == 0
    body = fake_glm.requests[0].json
    assert "tools" not in body and "tool_choice" not in body


def test_read_file_stays_in_the_working_directory(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    (tmp_path / "outside.txt").write_text("private")
    (work / "link.txt").symlink_to(tmp_path / "outside.txt")
    calls = [
        ("a", "read_file", json.dumps({"path": "../outside.txt"})),
        ("b", "read_file", json.dumps({"path": "link.txt"})),
        ("c", "read_file", json.dumps({"path": str(tmp_path / "outside.txt")})),
    ]
    fake_glm.enqueue(tool_calls_stream(calls), zai_stream("no"))
    run(cli, work, "ask", "--yes", "read them")
    results = [m["content"] for m in fake_glm.requests[1].json["messages"] if m["role"] == "tool"]
    assert "'..' is not allowed" in results[0]
    assert "outside the working directory" in results[1]
    assert "outside the working directory" in results[2]
    assert not any("private" in text for text in results)


def test_mcp_servers_with_ask_warn_about_failures_and_leave_no_process(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    cli, work = setup(tmp_path, fake_glm, tools="[]")
    pid_file = tmp_path / "pids.txt"
    env = {"PID_FILE": str(pid_file)}
    servers = {
        "good": {"command": sys.executable, "args": [SERVER], "env": env, "alwaysAllow": ["echo"]},
        "bad": {"command": sys.executable, "args": [SERVER, "--fail-start"], "env": env},
    }
    (tmp_path / "mcp.json").write_text(json.dumps({"mcpServers": servers}))
    fake_glm.enqueue(
        tool_calls_stream([("e1", "good__echo", json.dumps({"text": "hi from mcp"}))]),
        zai_stream("done"),
    )
    result = run(cli, work, "ask", "echo it")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: MCP server bad could not start:"
        " fatal: cannot open the database /nowhere/db.sqlite"
    ]
    offered = [t["function"]["name"] for t in fake_glm.requests[0].json["tools"]]
    assert offered == ["good__echo", "good__env", "good__add", "good__hang", "good__crash"]
    assert fake_glm.requests[1].json["messages"][-1]["content"] == "hi from mcp"
    assert len(pids(pid_file)) == 2
    wait_until(lambda: not any(alive(pid) for pid in pids(pid_file)))


def test_kill_mid_loop_keeps_what_was_received(fake_glm: FakeGLM, tmp_path: Path) -> None:
    cli, work = setup(tmp_path, fake_glm)
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(4)
        url = f"http://127.0.0.1:{hung.getsockname()[1]}/"
        fake_glm.enqueue(
            tool_calls_stream(
                [read_call("r1"), ("f1", "fetch_url", json.dumps({"url": url}))],
                reasoning="Read, then fetch.",
            )
        )
        proc = subprocess.Popen(
            cli.argv("ask", "--yes", "go"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli.env(),
            cwd=work,
        )

        def fetch_running() -> bool:
            """The file is read (its result saved) and the fetch hangs."""
            try:
                with sqlite3.connect(cli.db) as conn:
                    rows = dict(
                        conn.execute(
                            "SELECT tool_name, coalesce(tool_status, status) FROM messages"
                            " WHERE role = 'tool'"
                        ).fetchall()
                    )
            except sqlite3.Error:
                return False
            return rows == {"read_file": "ok", "fetch_url": "streaming"}

        wait_until(fetch_running)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=CEILING)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    shown: dict[str, Any] = cli.json("show", "1")
    roles = [(m["role"], m["status"]) for m in shown["messages"]]
    assert roles == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("tool", "complete"),
        ("tool", "interrupted"),
    ]
    assistant, read, fetch = shown["messages"][1:]
    assert assistant["reasoning"] == "Read, then fetch."
    assert [c["name"] for c in assistant["tool_calls"]] == ["read_file", "fetch_url"]
    assert read["content"] == README and read["tool"]["status"] == "ok"
    assert fetch["tool"]["status"] is None


def test_tools_lists_every_tool_its_source_and_policy(tmp_path: Path) -> None:
    cli, work = setup(tmp_path, None, tools='["read_file", "search_files"]')
    with (tmp_path / "config.toml").open("a") as handle:
        handle.write('always_allow = ["search_files"]\n')
    servers = {
        "srv": {"command": sys.executable, "args": [SERVER], "alwaysAllow": ["echo"]},
        "bad": {"command": sys.executable, "args": [SERVER, "--fail-start"]},
        "off": {"command": sys.executable, "args": [SERVER], "disabled": True},
    }
    (tmp_path / "mcp.json").write_text(json.dumps({"mcpServers": servers}))
    data = json.loads(run(cli, work, "tools", "--json").stdout)
    listed = {t["name"]: (t["source"], t["policy"]) for t in data["tools"]}
    assert listed["read_file"] == ("built-in", "ask")
    assert listed["search_files"] == ("built-in", "always")
    assert listed["srv__echo"] == ("srv", "always")
    assert listed["srv__add"] == ("srv", "ask")
    states = {s["name"]: (s["state"], s["error"]) for s in data["servers"]}
    assert states["srv"] == ("ready", None)
    assert states["off"] == ("disabled", None)
    assert states["bad"][0] == "failed" and "cannot open the database" in states["bad"][1]
    text = run(cli, work, "tools")
    assert text.returncode == 0
    assert "read_file     built-in  ask" in text.stdout
    assert "failed: MCP server bad could not start" in text.stdout
    assert "disabled: MCP server off" in text.stdout


def test_a_broken_mcp_json_is_one_warning_and_ask_goes_on(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    cli, work = setup(tmp_path, fake_glm)
    (tmp_path / "mcp.json").write_text("{not json")
    fake_glm.enqueue(zai_stream("fine"))
    result = run(cli, work, "ask", "hi")
    assert result.returncode == 0 and result.stdout == "fine\n"
    assert result.stderr.count("warning:") == 1
    assert f"{tmp_path / 'mcp.json'}: not valid JSON" in result.stderr
    listing = run(cli, work, "tools")
    assert f"failed: {tmp_path / 'mcp.json'}: not valid JSON" in listing.stdout
