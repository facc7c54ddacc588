"""Tools in the TUI, against the fake GLM server: the approval panel (each choice, several calls,
edited arguments), the calls as blocks in the reply (live and reopened), the tool count, and a
real MCP server (tests/mcp_server.py) that answers, and one that dies."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.approval_panel import ApprovalPanel
from glm_tui.ui.screens.arguments_dialog import ArgumentsScreen
from glm_tui.ui.widgets.messages import AssistantMessage
from glm_tui.ui.widgets.tool_block import ToolCallBlock
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, tool_calls_stream, zai_stream
from tests.ui_helpers import (
    screen_text,
    send,
    shows,
    wait_idle,
    wait_until,
)
from tests.unit.test_tools_mcp import SERVER, alive, pids


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """The directory the built-in tools may read (glm-tui's start directory)."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "README.md").write_text("pelican\n")
    (root / "NOTES.md").write_text("heron\n")
    return root


@pytest.fixture
def tools_app(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM, files: Path, monkeypatch: pytest.MonkeyPatch
) -> Tui:
    """The app against the fake server offering read_file, its own config file (mcp.json beside
    it), started in ``files``: ``async with tools_app() as (app, pilot)``."""
    monkeypatch.chdir(files)
    config = tmp_path / "config.toml"
    return partial(tui, fake_glm.base_url, config_path=config, tools=("read_file",))


def read_call(call_id: str = "c1", path: str = "README.md") -> tuple[str, str, str]:
    return (call_id, "read_file", json.dumps({"path": path}))


async def panel_up(pilot: Any, app: GLMApp) -> ApprovalPanel:
    await wait_until(pilot, lambda: app.main.approver.panel is not None, what="the panel")
    panel = app.main.approver.panel
    assert panel is not None
    await wait_until(pilot, lambda: panel.is_mounted and app.focused is not None)
    request = panel.current
    assert request is not None
    await shows(pilot, f"Allow {request.call.name}")  # drawn, not only mounted
    return panel


def tool_messages(store: Store, cid: int) -> list[Any]:
    return [m for m in store.current_path(cid) if m.role == "tool"]


def notes(app: GLMApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def blocks(app: GLMApp) -> list[ToolCallBlock]:
    return list(app.query(ToolCallBlock))


# -- the approval panel ------------------------------------------------------------------------


async def test_allow_once_runs_the_call_and_shows_it_as_a_block(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        tool_calls_stream([read_call()], reasoning="I should read it."),
        zai_stream("It says pelican.", reasoning="Got it."),
    )
    async with tools_app() as (app, pilot):
        await shows(pilot, "1 tool")  # the status line counts the tools offered
        await send(pilot, app, "What does the README say?")
        panel = await panel_up(pilot, app)
        text = screen_text(app)
        assert "Allow read_file (built-in)?" in text
        assert '"path": "README.md"' in text  # the arguments, indented JSON
        assert panel in app.focused.ancestors_with_self  # type: ignore[union-attr]
        assert not app.main.composer.display  # the panel takes its place while it asks
        [block] = blocks(app)
        assert "waiting for approval" in str(block.title)
        await pilot.press("y")
        await wait_idle(pilot, app)
        assert app.main.approver.panel is None and app.focused is app.main.composer
        cid = app.session.current_id
        assert cid is not None
        [result] = tool_messages(store, cid)
        assert result.content == "pelican\n" and result.tool.status == "ok"
        [block] = blocks(app)
        assert "done" in str(block.title) and block.collapsed
        assert "pelican" not in screen_text(app).replace("It says pelican.", "")
        block.query_one("CollapsibleTitle").focus()
        await pilot.press("enter")  # opens it: the arguments and the result
        await shows(pilot, "Result")
        assert "pelican" in screen_text(app).replace("It says pelican.", "")
        await pilot.press("enter")
        await wait_until(pilot, lambda: block.collapsed)
        first, second = app.query(AssistantMessage)
        assert first.has_class("-calls") and second.has_class("-continued")
        assert second.answer.source == "It says pelican."
        second_request = fake_glm.chat_requests()[1].json
        assert second_request["messages"][-1]["role"] == "tool"


async def test_enter_allows_and_escape_denies(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        tool_calls_stream([read_call("c1")]),
        tool_calls_stream([read_call("c2", "NOTES.md")]),
        zai_stream("Done."),
    )
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read both.")
        await panel_up(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(fake_glm.chat_requests()) >= 2)
        panel = await panel_up(pilot, app)
        assert "NOTES.md" in screen_text(app)
        await pilot.press("escape")
        await wait_idle(pilot, app)
        assert not panel.is_attached
        cid = app.session.current_id
        assert cid is not None
        assert [m.tool.status for m in tool_messages(store, cid)] == ["ok", "denied"]
        assert cid in {c.id for c in store.list_conversations()}  # the turn was not stopped
        assert "denied" in str(blocks(app)[1].title)
        told = fake_glm.chat_requests()[2].json["messages"][-1]
        assert told["role"] == "tool" and "denied" in told["content"]


async def test_always_allow_is_saved_and_not_asked_again(
    tools_app: Tui, tmp_path: Path, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        tool_calls_stream([read_call("c1")]),
        zai_stream("First."),
        tool_calls_stream([read_call("c2", "NOTES.md")]),
        zai_stream("Second."),
    )
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        await panel_up(pilot, app)
        await pilot.press("a")
        await wait_idle(pilot, app)
        assert 'always_allow = ["read_file"]' in (tmp_path / "config.toml").read_text()
        await send(pilot, app, "And the notes.")
        await wait_idle(pilot, app)
        assert app.main.approver.panel is None
        cid = app.session.current_id
        assert cid is not None
        assert [m.content for m in tool_messages(store, cid)] == ["pelican\n", "heron\n"]
        assert "allowed always" not in screen_text(app)
        assert "Second." in screen_text(app)


async def test_several_calls_one_by_one_and_all_at_once(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    three = [read_call("c1"), read_call("c2", "NOTES.md"), read_call("c3", "missing.md")]
    fake_glm.enqueue(tool_calls_stream(three), zai_stream("Read."))
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read them all.")
        await panel_up(pilot, app)
        assert "(1 of 3)" in screen_text(app)
        await pilot.press("n")
        await shows(pilot, "(2 of 3)")
        assert "(denied)" in screen_text(app)  # every call listed, with what was decided
        await pilot.press("Y")  # the two left, allowed at once
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        statuses = [m.tool.status for m in tool_messages(store, cid)]
        assert statuses == ["denied", "ok", "error"]  # the third file does not exist
        assert [b.view.status for b in blocks(app)] == ["denied", "done", "failed"]


async def test_deny_all(tools_app: Tui, fake_glm: FakeGLM, store: Store) -> None:
    fake_glm.enqueue(
        tool_calls_stream([read_call("c1"), read_call("c2", "NOTES.md")]), zai_stream("OK.")
    )
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read them.")
        await panel_up(pilot, app)
        await pilot.press("N")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        assert [m.tool.status for m in tool_messages(store, cid)] == ["denied", "denied"]


async def test_edit_the_arguments_bad_json_loses_nothing(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("Notes read."))
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        await panel_up(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ArgumentsScreen))
        area = app.screen.query_one(TextArea)
        area.load_text('{"path": "NOTES.md"')  # not JSON: the closing brace is missing
        await pilot.press("ctrl+s")
        await shows(pilot, "This is not valid JSON")
        assert isinstance(app.screen, ArgumentsScreen)
        assert area.text == '{"path": "NOTES.md"'  # nothing typed is lost
        area.load_text('{"path": 7}')
        await pilot.press("ctrl+s")
        await shows(pilot, "do not match the tool's schema")
        assert isinstance(app.screen, ArgumentsScreen)
        area.load_text('{"path": "NOTES.md"}')
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        [result] = tool_messages(store, cid)
        assert result.content == "heron\n"
        assert json.loads(result.tool.arguments) == {"path": "NOTES.md"}


async def test_escape_in_the_editor_goes_back_to_the_panel(
    tools_app: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("OK."))
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        panel = await panel_up(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ArgumentsScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main)
        assert panel.is_attached and panel.decisions == []
        assert panel in app.focused.ancestors_with_self  # type: ignore[union-attr]
        await pilot.press("y")
        await wait_idle(pilot, app)


async def test_stopping_the_turn_while_asked_cancels_the_calls(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()]))
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        panel = await panel_up(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        await app.main.turns.cancel(cid)
        await wait_idle(pilot, app)
        assert not panel.is_attached and app.main.composer.display
        [result] = tool_messages(store, cid)
        assert result.tool.status == "cancelled"
        await wait_until(pilot, lambda: [b.view.status for b in blocks(app)] == ["cancelled"])
        assert len(fake_glm.chat_requests()) == 1


async def test_a_small_terminal(tools_app: Tui, fake_glm: FakeGLM, store: Store) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("OK."))
    async with tools_app(size=(20, 8)) as (app, pilot):
        await send(pilot, app, "Read it.")
        panel = await panel_up(pilot, app)
        await pilot.pause()
        assert panel.region.height >= 3 and panel.region.width == 20
        assert "Allow" in screen_text(app)
        await pilot.press("y")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        assert [m.tool.status for m in tool_messages(store, cid)] == ["ok"]


# -- saved calls ---------------------------------------------------------------------------------


async def test_a_reopened_conversation_shows_its_calls(tools_app: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()], reasoning="Read."), zai_stream("Pelican."))
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        await panel_up(pilot, app)
        await pilot.press("y")
        await wait_idle(pilot, app)
        cid = app.session.current_id
    async with tools_app(open=cid) as (again, pilot):
        await shows(pilot, "Pelican.")
        [block] = blocks(again)
        assert block.view.status == "done" and block.view.result == "pelican\n"
        first, second = again.query(AssistantMessage)
        assert first.has_class("-calls") and second.has_class("-continued")
        block.collapsed = False
        await shows(pilot, "Result")


# -- MCP servers ---------------------------------------------------------------------------------


def write_servers(tmp_path: Path, servers: dict[str, Any]) -> None:
    pid_file = tmp_path / "pids.txt"
    for entry in servers.values():
        entry.setdefault("env", {})["PID_FILE"] = str(pid_file)
    (tmp_path / "mcp.json").write_text(json.dumps({"mcpServers": servers}))


async def test_an_mcp_tool_approved_in_the_panel(
    tools_app: Tui, tmp_path: Path, fake_glm: FakeGLM, store: Store
) -> None:
    write_servers(tmp_path, {"test": {"command": sys.executable, "args": [SERVER]}})
    call = ("m1", "test__echo", json.dumps({"text": "hello [bold]there[/]"}))
    fake_glm.enqueue(tool_calls_stream([call]), zai_stream("Echoed."))
    async with tools_app(tools=()) as (app, pilot):
        await shows(pilot, "5 tools")  # the server started after the first screen
        await send(pilot, app, "Echo it.")
        await panel_up(pilot, app)
        assert "Allow test__echo (test)?" in screen_text(app)
        assert "hello [bold]there[/]" in screen_text(app)  # literal, never markup
        await pilot.press("a")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        [result] = tool_messages(store, cid)
        assert result.content == "hello [bold]there[/]"
        saved = json.loads((tmp_path / "mcp.json").read_text())
        assert saved["mcpServers"]["test"]["alwaysAllow"] == ["echo"]
        server_pids = pids(tmp_path / "pids.txt")
    assert server_pids and not any(alive(pid) for pid in server_pids)  # stopped with the app


async def test_a_server_that_dies_is_told_and_can_be_restarted(
    tools_app: Tui, tmp_path: Path, fake_glm: FakeGLM, store: Store
) -> None:
    write_servers(tmp_path, {"test": {"command": sys.executable, "args": [SERVER]}})
    fake_glm.enqueue(tool_calls_stream([("k1", "test__crash", "{}")]), zai_stream("It crashed."))
    async with tools_app(tools=()) as (app, pilot):
        await shows(pilot, "5 tools")
        await send(pilot, app, "Crash it.")
        await panel_up(pilot, app)
        await pilot.press("y")
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: "stopped while running a call" in notes(app))
        assert "Ctrl+P: Restart tool server" in notes(app)
        await wait_until(pilot, lambda: "5 tools" not in screen_text(app))
        cid = app.session.current_id
        assert cid is not None
        [result] = tool_messages(store, cid)
        assert result.tool.status == "error"
        await pilot.press("ctrl+p")
        await pilot.press(*"restart tool")
        await shows(pilot, "Restart tool server: test")
        await pilot.press("enter")
        await shows(pilot, "5 tools")
        await wait_until(pilot, lambda: "test is running (5 tools)" in notes(app))


async def test_a_broken_mcp_json_is_said_once(tools_app: Tui, tmp_path: Path) -> None:
    (tmp_path / "mcp.json").write_text('{"mcpServers": {"x": ')
    async with tools_app() as (app, pilot):
        await wait_until(pilot, lambda: "mcp.json" in notes(app))
        assert len(app._notifications) == 1
        await shows(pilot, "1 tool")  # the built-in one is still offered


async def test_leaving_and_coming_back_while_asked(
    tools_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        tool_calls_stream([read_call()], reasoning="Read it."), zai_stream("It says pelican.")
    )
    async with tools_app() as (app, pilot):
        await send(pilot, app, "Read it.")
        panel = await panel_up(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        await app.main.open_conversation(None)  # a new conversation: the panel still asks
        assert not blocks(app) and panel.is_attached
        await shows(pilot, f"in {store.get_conversation(cid).title}")  # it names it
        await app.main.open_conversation(cid)
        await wait_until(pilot, lambda: len(blocks(app)) == 1)
        assert blocks(app)[0].view.status == "waiting for approval"
        assert " in Read it" not in screen_text(app)
        [asking] = app.query(AssistantMessage)
        assert asking.live is None  # its round is over: it does not stream any more
        panel.focus_panel()
        await pilot.press("y")
        await wait_idle(pilot, app)
        assert [b.view.status for b in blocks(app)] == ["done"]
        _first, second = app.query(AssistantMessage)
        assert second.has_class("-continued") and second.answer.source == "It says pelican."
