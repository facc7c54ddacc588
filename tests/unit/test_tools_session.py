"""The session with tools, without a terminal: the approver it passes to each turn, the live
turn's parts in order (think, call, think, answer), and what it tells its listeners."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from itertools import count
from pathlib import Path

from glm_tui.chat import ChatService
from glm_tui.session import (
    LiveToolCall,
    ReplyContinued,
    Session,
    SessionEvent,
    StatusChanged,
    TextPart,
    ToolCallChanged,
    ToolsChanged,
)
from glm_tui.store import Store
from glm_tui.tools.approval import ALLOW_ONCE, ApprovalRequest, Decision
from glm_tui.tools.toolbox import Toolbox
from tests.fakeglm import FakeGLM, tool_calls_stream, zai_stream
from tests.tools_helpers import settings_for
from tests.unit.test_tools_mcp import SERVER


class Panel:
    """Stands where the TUI's approval panel will: allows each call, remembering it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        self.asked += [r.call.name for r in requests]
        return [ALLOW_ONCE for _ in requests]


async def test_a_turn_with_a_call_is_told_in_order(fake_glm: FakeGLM, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("pelican")
    settings = settings_for(tmp_path, fake_glm.base_url, tools=("read_file",))
    store = Store.open(tmp_path / "h.db")
    toolbox = Toolbox(settings, root=tmp_path, use_mcp=False)
    service = ChatService(store, settings, flush_interval=0.05, toolbox=toolbox)
    clock = count()
    session = Session(store, service, clock=lambda: float(next(clock)))
    panel = Panel()
    session.approver = panel
    seen: list[SessionEvent] = []
    states: list[str] = []

    async def listen(event: SessionEvent) -> None:
        seen.append(event)
        if isinstance(event, ToolCallChanged):
            states.append(event.call.state)  # the call object changes on: note it now

    session.subscribe(listen)
    fake_glm.enqueue(
        tool_calls_stream(
            [("c1", "read_file", json.dumps({"path": "README.md"}))], reasoning="Read it."
        ),
        zai_stream("It says pelican.", reasoning="Got it."),
    )
    turn = await session.send("what does it say?")
    assert turn is not None
    await session.run(turn)
    assert panel.asked == ["read_file"]
    live = turn.live
    shape = [
        part.kind if isinstance(part, TextPart) else f"call {part.call.name}" for part in live.parts
    ]
    assert shape == ["reasoning", "call read_file", "reasoning", "content"]
    call = live.tool_calls["c1"]
    assert isinstance(call, LiveToolCall) and call.state == "finished"
    assert call.verdict == "allow" and call.source == "built-in"
    assert call.message is not None and call.message.content == "pelican"
    assert states == ["proposed", "proposed", "running", "finished"]
    [continued] = [e for e in seen if isinstance(e, ReplyContinued)]
    assert live.assistant_id == continued.reply.id
    path = store.current_path(live.conversation_id)
    assert session.shown_leaf == path[-1].id and path[-1].content == "It says pelican."
    statuses = [e.status for e in seen if isinstance(e, StatusChanged)]
    assert statuses[-1].tools == 1
    store.close()


async def test_a_failed_server_is_told_once(fake_glm: FakeGLM, tmp_path: Path) -> None:
    servers = {"bad": {"command": sys.executable, "args": [SERVER, "--fail-start"]}}
    (tmp_path / "mcp.json").write_text(json.dumps({"mcpServers": servers}))
    settings = settings_for(tmp_path, fake_glm.base_url)
    store = Store.open(tmp_path / "h.db")
    service = ChatService(store, settings, toolbox=Toolbox(settings, root=tmp_path))
    session = Session(store, service, clock=lambda: 0.0)
    seen: list[SessionEvent] = []

    async def listen(event: SessionEvent) -> None:
        seen.append(event)

    session.subscribe(listen)
    session.start_tools()
    assert service.toolbox is not None
    await service.toolbox.wait_started()
    told = [e for e in seen if isinstance(e, ToolsChanged)]
    while not any(e.new_failures for e in told):  # the listeners are told in a task of their own
        await asyncio.sleep(0)
        told = [e for e in seen if isinstance(e, ToolsChanged)]
    news = [line for e in told for line in e.new_failures]
    assert news == [
        "MCP server bad could not start: fatal: cannot open the database /nowhere/db.sqlite"
    ]
    await session.restart_server("bad")
    await service.toolbox.wait_started()
    await service.aclose()
    store.close()
