"""MCP servers for real: the test server (tests/mcp_server.py) started through the SDK, its
tools listed and called; a server that fails to start, hangs or crashes; no process left
behind; one server's environment (and our key) never reaching another."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from glm_tui.config import Settings
from glm_tui.tools.mcp_client import ServerState
from glm_tui.tools.mcp_config import McpConfigError, load
from glm_tui.tools.toolbox import Toolbox, offered_name

SERVER = str(Path(__file__).parent.parent / "mcp_server.py")
KEY = "sk-test-SECRETKEY-0123456789abcdef"


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def pids(pid_file: Path) -> list[int]:
    if not pid_file.exists():
        return []
    return [int(line) for line in pid_file.read_text().split()]


def started_with(pid_file: Path) -> list[int]:
    """The live processes started with this ``PID_FILE``: also one killed (or not yet done)
    before its first line wrote its pid, which a loaded machine can take a second to reach."""
    marker = f"PID_FILE={pid_file}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0") and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def server_entry(*args: str, **extra: Any) -> dict[str, Any]:
    return {"command": sys.executable, "args": [SERVER, *args], **extra}


def write_mcp(tmp_path: Path, servers: dict[str, Any]) -> Path:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}, indent=2))
    return path


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "openai",
        "base_url": "http://127.0.0.1:9/v1",
        "model": "glm-4.7",
        "api_key": KEY,
        "db_path": tmp_path / "h.db",
        "config_path": tmp_path / "config.toml",
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def pid_file(tmp_path: Path) -> Path:
    return tmp_path / "pids.txt"


@pytest.fixture
async def toolbox_for(tmp_path: Path, pid_file: Path) -> AsyncIterator[Any]:
    made: list[Toolbox] = []

    def make(servers: dict[str, Any], start_timeout: float = 30.0, **extra: Any) -> Toolbox:
        for entry in servers.values():
            entry.setdefault("env", {})["PID_FILE"] = str(pid_file)
        write_mcp(tmp_path, servers)
        box = Toolbox(
            settings_for(tmp_path, **extra),
            root=tmp_path,
            environ={
                "PATH": os.environ.get("PATH", ""),
                "SHARED": "from-env",
                "AIMLAPI_API_KEY": KEY,
            },
            start_timeout=start_timeout,
        )
        made.append(box)
        return box

    yield make
    for box in made:
        await box.aclose()


async def test_a_server_starts_lists_its_tools_and_answers_calls(
    toolbox_for: Any, pid_file: Path
) -> None:
    box = toolbox_for({"files": server_entry(alwaysAllow=["echo"])})
    changes: list[str] = []
    box.subscribe(lambda b: changes.append(b.servers["files"].state.value))
    box.start()
    assert box.servers["files"].state is ServerState.STARTING
    await box.wait_started()
    assert box.servers["files"].state is ServerState.READY
    assert changes[-1] == "ready"
    names = [spec.name for spec in box.offered()]
    assert names == ["files__echo", "files__env", "files__add", "files__hang", "files__crash"]
    echo = box.find("files__echo")
    assert echo is not None and echo.source == "files" and echo.tool_name == "echo"
    assert echo.parameters["required"] == ["text"]
    assert box.policy(echo) == "always"
    add = box.find("files__add")
    assert add is not None and box.policy(add) == "ask"
    output = await box.run(echo, {"text": "hello [b]there[/b]"})
    assert (output.text, output.status) == ("hello [b]there[/b]", "ok")
    assert (await box.run(add, {"a": 2, "b": 40})).text == "42"
    wrong = await box.run(add, {"a": "x"})
    assert wrong.status == "error"
    [pid] = pids(pid_file)
    await box.aclose()
    assert not alive(pid)
    assert box.servers["files"].state is ServerState.STOPPED


async def test_a_server_that_fails_to_start_says_why_and_the_others_go_on(
    toolbox_for: Any, pid_file: Path
) -> None:
    box = toolbox_for({"broken": server_entry("--fail-start"), "good": server_entry()})
    box.start()
    await box.wait_started()
    assert box.servers["broken"].state is ServerState.FAILED
    [failure] = box.failures()
    assert failure == (
        "MCP server broken could not start: fatal: cannot open the database /nowhere/db.sqlite"
    )
    assert [s.source for s in box.offered()] == ["good"] * 5


async def test_a_missing_program_is_named(toolbox_for: Any) -> None:
    box = toolbox_for({"nope": {"command": "/no/such/program-xyz", "args": []}})
    box.start()
    await box.wait_started()
    [failure] = box.failures()
    assert "MCP server nope could not start" in failure and "/no/such/program-xyz" in failure


async def test_a_server_that_hangs_at_start_is_given_up_and_killed(
    toolbox_for: Any, pid_file: Path
) -> None:
    box = toolbox_for({"stuck": server_entry("--hang-start")}, start_timeout=1.0)
    box.start()
    await box.wait_started()
    assert box.failures() == ["MCP server stuck did not start within 1 s"]
    assert box.offered() == []
    # Killed: whether or not it had written its pid yet (a second is short on a busy machine).
    assert not any(alive(pid) for pid in pids(pid_file))
    assert started_with(pid_file) == []


async def test_a_server_that_crashes_mid_call_fails_the_call_and_can_be_restarted(
    toolbox_for: Any, pid_file: Path
) -> None:
    box = toolbox_for({"srv": server_entry()})
    box.start()
    await box.wait_started()
    crash = box.find("srv__crash")
    assert crash is not None
    output = await box.run(crash, {})
    assert output.status == "error"
    assert output.text == (
        "MCP server srv stopped while running a call: panic: the test server crashed on purpose"
    )
    assert box.servers["srv"].state is ServerState.FAILED
    assert box.offered() == []  # its tools are no longer offered
    await box.restart("srv")
    await box.wait_started()
    assert box.servers["srv"].state is ServerState.READY
    echo = box.find("srv__echo")
    assert echo is not None and (await box.run(echo, {"text": "back"})).text == "back"
    assert len(pids(pid_file)) == 2
    await box.aclose()
    assert not any(alive(pid) for pid in pids(pid_file))


async def test_a_hanging_call_is_cancelled_and_the_server_stopped_on_close(
    toolbox_for: Any, pid_file: Path
) -> None:
    import asyncio

    box = toolbox_for({"srv": server_entry()})
    box.start()
    await box.wait_started()
    hang = box.find("srv__hang")
    assert hang is not None
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await box.run(hang, {})
    echo = box.find("srv__echo")
    assert echo is not None and (await box.run(echo, {"text": "still here"})).text == "still here"
    await box.aclose()
    assert not any(alive(pid) for pid in pids(pid_file))


async def test_environments_and_the_key_never_cross(toolbox_for: Any) -> None:
    box = toolbox_for(
        {
            "a": server_entry(env={"A_SECRET": "alpha", "FROM": "${SHARED}"}),
            "b": server_entry(env={"B_SECRET": "beta"}),
        }
    )
    box.start()
    await box.wait_started()

    async def read(server: str, name: str) -> str:
        spec = box.find(f"{server}__env")
        assert spec is not None
        return (await box.run(spec, {"name": name})).text

    assert await read("a", "A_SECRET") == "alpha"
    assert await read("a", "FROM") == "from-env"
    assert await read("b", "A_SECRET") == "<unset>"
    assert await read("a", "B_SECRET") == "<unset>"
    for server in ("a", "b"):
        for name in ("AIMLAPI_API_KEY", "GLM_TUI_API_KEY", "SHARED"):
            assert await read(server, name) == "<unset>"


async def test_a_variable_not_set_fails_that_server_only(toolbox_for: Any) -> None:
    box = toolbox_for(
        {"needs": server_entry(env={"TOKEN": "${NOT_SET_ANYWHERE}"}), "fine": server_entry()}
    )
    box.start()
    await box.wait_started()
    assert box.failures() == [
        "MCP server needs could not start: the environment variable NOT_SET_ANYWHERE is not set"
    ]
    assert box.servers["fine"].state is ServerState.READY


async def test_disabled_servers_do_not_start(toolbox_for: Any, pid_file: Path) -> None:
    box = toolbox_for({"off": server_entry(disabled=True)})
    box.start()
    await box.wait_started()
    assert box.servers["off"].state is ServerState.DISABLED
    assert pids(pid_file) == []


async def test_always_allow_is_saved_in_mcp_json(toolbox_for: Any, tmp_path: Path) -> None:
    box = toolbox_for({"srv": server_entry(alwaysAllow=["echo"])})
    box.start()
    await box.wait_started()
    add = box.find("srv__add")
    assert add is not None and box.policy(add) == "ask"
    box.always_allow(add)
    assert box.policy(add) == "always"
    saved = json.loads((tmp_path / "mcp.json").read_text())
    assert saved["mcpServers"]["srv"]["alwaysAllow"] == ["echo", "add"]
    assert saved["mcpServers"]["srv"]["args"] == [SERVER]  # the rest is kept


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{", "not valid JSON (Expecting property name enclosed in double quotes at line 1"),
        ('{"mcpServers": []}', "mcpServers: expected an object of servers"),
        ('{"mcpServers": {"x": {}}}', 'mcpServers.x: needs "command" (a local server) or "url"'),
        ('{"mcpServers": {"x": {"command": "a", "args": "b"}}}', "x.args: expected a list"),
        ('{"mcpServers": {"x": {"url": "ftp://h"}}}', "x.url: expected an http:// or https://"),
        ('{"mcpServers": {"x": {"command": "a", "colour": 1}}}', "x.colour: unknown setting"),
    ],
)
def test_a_broken_mcp_json_is_one_clear_message(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(text)
    with pytest.raises(McpConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: ") and said in str(info.value)
    box = Toolbox(settings_for(tmp_path), root=tmp_path)
    assert box.config_error == str(info.value) and box.servers == {}


def test_offered_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    first = offered_name("my server.v2", "read file", taken)
    assert first == "my_server_v2__read_file"
    taken.add(first)
    again = offered_name("my server v2", "read.file", taken)
    assert again != first and again.startswith("my_server_v2__read_file_")
    long = offered_name("s" * 40, "t" * 40, set())
    assert len(long) == 64
