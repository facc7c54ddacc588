"""The tool loop through the real client, the fake server, a real store and the built-in tools:
what is sent back to the model, what is saved, approvals, limits, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from glm_tui.chat import ROUNDS_EXCEEDED, ChatService, TurnEnded, TurnEvent
from glm_tui.config import Settings, read_config_file
from glm_tui.model_history import NOT_RUN, history_for
from glm_tui.store import Store
from glm_tui.tools.approval import (
    ALLOW_ONCE,
    ALWAYS_ALLOW,
    DENY,
    AllowAll,
    ApprovalRequest,
    Decision,
    edited,
)
from glm_tui.tools.events import (
    ReplyContinued,
    ToolCallDecided,
    ToolCallFinished,
    ToolCallsProposed,
    ToolCallStarted,
)
from glm_tui.tools.toolbox import Toolbox
from tests.fakeglm import FakeGLM, tool_calls_stream, zai_stream

README = "# Hello\nThe secret word is pelican.\n"


class Scripted:
    """An approver that answers from a list and remembers what it was asked."""

    def __init__(self, *answers: Decision) -> None:
        self.answers = list(answers)
        self.asked: list[list[str]] = []

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        self.asked.append([r.call.name for r in requests])
        return [self.answers.pop(0) for _ in requests]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    root.mkdir()
    (root / "README.md").write_text(README)
    (root / "notes.txt").write_text("pelicans fly\n")
    return root


def make_settings(fake: FakeGLM, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "openai",
        "base_url": fake.base_url,
        "model": "glm-4.7",
        "api_key": "sk-test",
        "db_path": tmp_path / "history.db",
        "config_path": tmp_path / "config.toml",
        "tools": ("read_file", "list_directory", "search_files", "fetch_url"),
    }
    values.update(extra)
    return Settings(**values)


def make_service(
    store: Store, fake: FakeGLM, tmp_path: Path, workdir: Path, approver: Any = None, **extra: Any
) -> ChatService:
    settings = make_settings(fake, tmp_path, **extra)
    toolbox = Toolbox(settings, root=workdir, use_mcp=False)
    return ChatService(
        store, settings, flush_interval=0.05, toolbox=toolbox, approver=approver or AllowAll()
    )


async def collect(stream: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    async with contextlib.aclosing(stream):  # type: ignore[type-var]
        return [event async for event in stream]


def read_call(call_id: str = "call_1", path: str = "README.md") -> tuple[str, str, str]:
    return (call_id, "read_file", json.dumps({"path": path}))


@pytest.mark.parametrize("fragmented", [True, False], ids=["fragments", "whole"])
async def test_a_call_runs_and_its_result_goes_back_with_the_reasoning(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path, fragmented: bool
) -> None:
    fake_glm.enqueue(
        tool_calls_stream(
            [read_call()], reasoning="I should read the README.", fragmented=fragmented
        ),
        zai_stream("The secret word is pelican.", reasoning="Found it."),
    )
    service = make_service(store, fake_glm, tmp_path, workdir)
    events = await collect(service.send("What is the secret word?"))

    second = fake_glm.requests[1].json
    assert fake_glm.requests[0].json["tool_choice"] == "auto"
    names = [t["function"]["name"] for t in fake_glm.requests[0].json["tools"]]
    assert names == ["read_file", "list_directory", "search_files", "fetch_url"]
    assistant, result = second["messages"][-2:]
    assert assistant["role"] == "assistant"
    assert assistant["reasoning_content"] == "I should read the README."
    assert assistant["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "read_file", "arguments": '{"path": "README.md"}'},
        }
    ]
    assert result == {"role": "tool", "tool_call_id": "call_1", "content": README}

    kinds = [type(e).__name__ for e in events]
    order = ["ToolCallsProposed", "ToolCallDecided", "ToolCallStarted", "ToolCallFinished"]
    assert [k for k in kinds if k in order] == order
    assert kinds.index("ReplyContinued") > kinds.index("ToolCallFinished")
    assert kinds[-1] == "TurnEnded"
    final = events[-1]
    assert isinstance(final, TurnEnded) and final.message.content == "The secret word is pelican."

    path = store.current_path(final.message.conversation_id)
    assert [m.role for m in path] == ["user", "assistant", "tool", "assistant"]
    calls_row, tool_row = path[1], path[2]
    assert calls_row.finish_reason == "tool_calls" and calls_row.status == "complete"
    assert [c.name for c in calls_row.tool_calls] == ["read_file"]
    assert tool_row.tool is not None and tool_row.tool.status == "ok"
    assert tool_row.tool.call_id == "call_1" and tool_row.content == README
    assert tool_row.duration is not None and tool_row.status == "complete"


async def test_parallel_calls_keep_the_models_order(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    calls = [
        read_call("call_a", "notes.txt"),
        ("call_b", "list_directory", "{}"),
        read_call("call_c", "README.md"),
    ]
    fake_glm.enqueue(tool_calls_stream(calls, fragmented=False), zai_stream("Done."))
    service = make_service(store, fake_glm, tmp_path, workdir)
    events = await collect(service.send("look around"))
    sent = fake_glm.requests[1].json["messages"]
    assert [m.get("tool_call_id") for m in sent if m["role"] == "tool"] == [
        "call_a",
        "call_b",
        "call_c",
    ]
    tool_rows = [
        m for m in store.current_path(events[-1].message.conversation_id) if m.role == "tool"
    ]  # type: ignore[union-attr]
    assert [m.tool.call_id for m in tool_rows if m.tool] == ["call_a", "call_b", "call_c"]
    assert "README.md" in tool_rows[1].content and tool_rows[0].content == "pelicans fly\n"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ('{"path": "README.md"', "not valid JSON"),
        ('["README.md"]', "one JSON object"),
        ('{"file": "README.md"}', "'path' is required"),
        ('{"path": 7}', "arguments.path: expected string"),
    ],
    ids=["bad-json", "not-object", "missing", "wrong-type"],
)
async def test_arguments_that_cannot_run_are_not_run_and_the_model_is_told_why(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path, arguments: str, said: str
) -> None:
    approver = Scripted()
    fake_glm.enqueue(tool_calls_stream([("call_1", "read_file", arguments)]), zai_stream("Sorry."))
    service = make_service(store, fake_glm, tmp_path, workdir, approver)
    events = await collect(service.send("read it"))
    result = fake_glm.requests[1].json["messages"][-1]
    assert result["role"] == "tool" and said in result["content"]
    assert "not run" in result["content"]
    assert approver.asked == []  # nothing to approve: it cannot run
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert finished[0].message.tool is not None and finished[0].message.tool.status == "error"
    assert not any(isinstance(e, ToolCallStarted) for e in events)


async def test_an_unknown_tool_is_not_run(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    fake_glm.enqueue(tool_calls_stream([("c1", "rm_rf", "{}")]), zai_stream("ok"))
    service = make_service(store, fake_glm, tmp_path, workdir)
    await collect(service.send("x"))
    content = fake_glm.requests[1].json["messages"][-1]["content"]
    assert "no tool named 'rm_rf'" in content and "read_file" in content


async def test_a_model_that_never_stops_calling_stops_at_the_round_limit(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    for n in range(5):
        fake_glm.enqueue(tool_calls_stream([read_call(f"call_{n}")]))
    service = make_service(store, fake_glm, tmp_path, workdir, tool_rounds=3)
    events = await collect(service.send("loop forever"))
    final = events[-1]
    assert isinstance(final, TurnEnded)
    assert final.message.status == "error"
    assert final.message.error == ROUNDS_EXCEEDED.format(rounds=3)
    assert len(fake_glm.requests) == 4  # three rounds run, the fourth's calls are not
    assert sum(isinstance(e, ToolCallFinished) for e in events) == 3
    saved = store.get_message(final.message.id)
    assert saved.status == "error" and saved.tool_calls


async def test_approval_deny_always_and_edit(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    approver = Scripted(DENY, edited('{"path": "notes.txt"}'), ALWAYS_ALLOW)
    calls = [read_call("c1"), read_call("c2"), ("c3", "list_directory", "{}")]
    fake_glm.enqueue(
        tool_calls_stream(calls),
        zai_stream("ok"),
        tool_calls_stream([("c4", "list_directory", "{}")]),
        zai_stream("again"),
    )
    service = make_service(store, fake_glm, tmp_path, workdir, approver)
    events = await collect(service.send("go"))
    assert approver.asked == [["read_file", "read_file", "list_directory"]]
    results = [m for m in fake_glm.requests[1].json["messages"] if m["role"] == "tool"]
    assert results[0]["content"].startswith("The user denied this call.")
    assert results[1]["content"] == "pelicans fly\n"  # the edited arguments ran
    assert "README.md" in results[2]["content"]
    verdicts = [e.verdict for e in events if isinstance(e, ToolCallDecided)]
    assert verdicts == ["deny", "allow", "always"]
    denied = next(e for e in events if isinstance(e, ToolCallFinished)).message
    assert denied.tool is not None and denied.tool.status == "denied"
    finished = {e.call.id: e.message for e in events if isinstance(e, ToolCallFinished)}
    edited_row = finished["c2"]  # the calls that run finish in any order
    assert edited_row.tool is not None and edited_row.tool.arguments == '{"path": "notes.txt"}'
    # "always" is saved in config.toml, and the next call of that tool is not asked about
    assert read_config_file(tmp_path / "config.toml")["always_allow"] == ("list_directory",)
    later = await collect(service.send("and again"))
    assert approver.asked == [["read_file", "read_file", "list_directory"]]
    assert [e.verdict for e in later if isinstance(e, ToolCallDecided)] == ["auto"]


def stalling_server() -> socket.socket:
    """A TCP server that accepts connections and never answers (a hung web server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server


async def test_a_call_that_takes_too_long_is_cancelled_and_the_model_told(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    with stalling_server() as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/"
        fake_glm.enqueue(
            tool_calls_stream([("c1", "fetch_url", json.dumps({"url": url}))]), zai_stream("ok")
        )
        service = make_service(store, fake_glm, tmp_path, workdir, tool_timeout=0.3)
        events = await collect(service.send("fetch"))
    result = next(e for e in events if isinstance(e, ToolCallFinished)).message
    assert result.tool is not None and result.tool.status == "timed_out"
    assert "did not finish within 0.3 s" in fake_glm.requests[1].json["messages"][-1]["content"]


async def test_stopping_the_turn_cancels_a_running_call(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    with stalling_server() as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/"
        fake_glm.enqueue(tool_calls_stream([("c1", "fetch_url", json.dumps({"url": url}))]))
        service = make_service(store, fake_glm, tmp_path, workdir)
        running = asyncio.Event()
        seen: list[TurnEvent] = []

        async def turn() -> None:
            stream = service.send("fetch")
            async with contextlib.aclosing(stream):  # type: ignore[type-var]
                async for event in stream:
                    seen.append(event)
                    if isinstance(event, ToolCallStarted):
                        running.set()

        task = asyncio.create_task(turn())
        await running.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    started = next(e for e in seen if isinstance(e, ToolCallStarted))
    row = store.get_message(started.message.id)
    assert row.status == "stopped"
    assert row.tool is not None and row.tool.status == "cancelled"
    assert len(fake_glm.requests) == 1  # nothing went back to the model


async def test_regenerate_a_turn_that_used_tools_answers_its_prompt_again(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    fake_glm.enqueue(tool_calls_stream([read_call()]), zai_stream("First answer."))
    service = make_service(store, fake_glm, tmp_path, workdir)
    first = (await collect(service.send("read")))[-1]
    assert isinstance(first, TurnEnded)
    path = store.current_path(first.message.conversation_id)
    fake_glm.enqueue(zai_stream("Second answer."))
    second = (await collect(service.regenerate(first.message.id)))[-1]
    assert isinstance(second, TurnEnded)
    assert second.message.parent_id == path[0].id  # a sibling of the turn's first reply
    assert [m.id for m in store.siblings(second.message.id)] == [path[1].id, second.message.id]
    # the new request carries the prompt, not the old turn's calls
    assert [m["role"] for m in fake_glm.requests[-1].json["messages"]] == ["user"]


async def test_search_show_and_export_keep_calls_and_results(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    fake_glm.enqueue(
        tool_calls_stream([("c1", "search_files", json.dumps({"text": "pelican"}))]),
        zai_stream("It says pelicans fly."),
    )
    service = make_service(store, fake_glm, tmp_path, workdir)
    end = (await collect(service.send("find it")))[-1]
    assert isinstance(end, TurnEnded)
    cid = end.message.conversation_id
    # search finds the arguments (the assistant's call) and the result (the tool message)
    roles = {hit.role for hit in store.search("search_files")}
    assert "assistant" in roles and "tool" in roles
    assert any(hit.role == "tool" for hit in store.search("notes.txt"))

    data = store.export_conversation(cid)
    again = store.import_data(json.loads(json.dumps(data)))[0]
    copy = store.export_conversation(again)

    def without_ids(d: dict[str, Any]) -> Any:
        conv = d["conversations"][0]
        return [
            {k: v for k, v in m.items() if k not in ("id", "parent_id")} for m in conv["messages"]
        ]

    assert without_ids(copy) == without_ids(data)
    # The import writes the tool columns after the rows: the copy's call and result are found.
    found = {(hit.conversation_id, hit.role) for hit in store.search("search_files")}
    assert {(again, "assistant"), (again, "tool")} <= found
    assert (again, "tool") in {(hit.conversation_id, hit.role) for hit in store.search("notes.txt")}
    tool_json = next(m for m in data["conversations"][0]["messages"] if m["role"] == "tool")
    assert tool_json["tool"]["name"] == "search_files"
    assert tool_json["tool"]["status"] == "ok" and "pelicans fly" in tool_json["content"]

    text = store.export_markdown(cid)
    assert '**Tool call** `search_files`\n\n```json\n{\n  "text": "pelican"\n}\n```' in text
    assert "## Tool · `search_files`" in text
    assert "```text\nREADME.md:2: The secret word is pelican.\nnotes.txt:1: pelicans fly" in text


def test_history_answers_every_call_even_when_a_turn_was_cut_short(
    store: Store,
) -> None:
    from glm_tui.api.events import ToolCall
    from glm_tui.store import ToolResultInfo

    cid = store.create_conversation(title="t", provider="openai", model="m")
    user = store.add_message(cid, parent_id=None, role="user", content="go")
    reply = store.add_message(cid, parent_id=user, role="assistant", reasoning="plan")
    calls = [ToolCall("a", "read_file", "{}"), ToolCall("b", "read_file", "{}")]
    store.update_message(reply, tool_calls=calls, finish_reason="tool_calls")
    store.add_message(
        cid,
        parent_id=reply,
        role="tool",
        content="A",
        tool=ToolResultInfo("a", "read_file", "{}", "ok"),
    )
    sent = history_for(store.current_path(cid), None)
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "tool"]
    assert sent[1]["reasoning_content"] == "plan"
    assert sent[3] == {"role": "tool", "tool_call_id": "b", "content": NOT_RUN}


async def test_web_search_sources_are_saved_and_listed(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    sources = [
        {
            "title": "Pelicans [wiki]",
            "link": "https://example.org/p",
            "media": "Example",
            "refer": "ref_1",
        },
        {"title": "Birds", "link": "https://example.org/b"},
    ]
    response = zai_stream("Pelicans fly [ref_1].")
    response.steps = [
        b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"web_search":'
        + json.dumps(sources).encode()
        + b"}\n\n",
        *(response.steps or []),
    ]
    fake_glm.enqueue(response)
    service = make_service(store, fake_glm, tmp_path, workdir, provider="zai", web_search=True)
    end = (await collect(service.send("pelicans?")))[-1]
    assert isinstance(end, TurnEnded)
    tools = fake_glm.requests[0].json["tools"]
    assert tools[-1]["type"] == "web_search" and tools[-1]["web_search"]["search_result"] is True
    saved = store.get_message(end.message.id)
    assert [s.link for s in saved.sources] == ["https://example.org/p", "https://example.org/b"]
    text = store.export_markdown(end.message.conversation_id)
    assert "1. [Pelicans \\[wiki\\]](https://example.org/p)" in text
    assert "2. [Birds](https://example.org/b)" in text


async def test_allow_once_asks_again_next_time(
    fake_glm: FakeGLM, store: Store, tmp_path: Path, workdir: Path
) -> None:
    approver = Scripted(ALLOW_ONCE, ALLOW_ONCE)
    fake_glm.enqueue(
        tool_calls_stream([read_call("c1")]), tool_calls_stream([read_call("c2")]), zai_stream("ok")
    )
    service = make_service(store, fake_glm, tmp_path, workdir, approver)
    events = await collect(service.send("twice"))
    assert approver.asked == [["read_file"], ["read_file"]]
    assert sum(isinstance(e, ReplyContinued) for e in events) == 2
    assert sum(isinstance(e, ToolCallsProposed) for e in events) == 2
