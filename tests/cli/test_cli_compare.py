"""``glm-tui ask --compare`` as a real subprocess: the models at once, printed in order."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import pytest

from tests.cli_helpers import CLI, assert_clean_failure, wait_until
from tests.fakeglm import FakeGLM, gated_stream, zai_error, zai_stream
from tests.waiting import CEILING

pytestmark = pytest.mark.slow

MODELS = ("zhipu/glm-4.7", "openai/gpt-5", "anthropic/claude")


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    return CLI(tmp_path, fake_glm.base_url)


def gated(fake: FakeGLM) -> list[threading.Event]:
    gates = [threading.Event() for _ in MODELS]
    for model, gate in zip(MODELS, gates, strict=True):
        fake.enqueue_for(model, gated_stream(f"From {model}: ", "the rest.", gate))
    return gates


def test_the_models_stream_at_once_and_print_in_the_order_given(
    cli: CLI, fake_glm: FakeGLM
) -> None:
    gates = gated(fake_glm)
    proc = cli.popen("ask", "--compare", ",".join(MODELS), "Which is best?")
    # All three requests are out while none can finish: they run at once.
    wait_until(lambda: len(fake_glm.chat_requests()) == 3)
    for gate in reversed(gates):  # the last model finishes first
        gate.set()
    out, err = proc.communicate(timeout=CEILING)
    assert proc.returncode == 0, err
    assert out == "".join(
        f"{'' if i == 0 else chr(10)}## {m}\n\nFrom {m}: the rest.\n" for i, m in enumerate(MODELS)
    )
    assert err == ""
    [conversation] = cli.json("list")
    assert conversation["message_count"] == 4
    messages = cli.json("show", str(conversation["id"]), "--all")["messages"]
    user, *replies = messages
    assert [r["parent_id"] for r in replies] == [user["id"]] * 3
    assert [r["model"] for r in replies] == list(MODELS)
    shown = cli.json("show", str(conversation["id"]))["messages"]
    assert [m["content"] for m in shown] == ["Which is best?", f"From {MODELS[0]}: the rest."]
    tree = cli.run("show", str(conversation["id"]), "--all").stdout
    assert all(f"From {m}" in tree for m in MODELS)
    exported = json.loads(cli.run("export", str(conversation["id"]), "--format", "json").stdout)
    assert len(exported["conversations"][0]["messages"]) == 4


def test_json_gives_a_list_in_the_order_given(cli: CLI, fake_glm: FakeGLM) -> None:
    for model in MODELS[:2]:
        fake_glm.enqueue_for(model, zai_stream(f"Answer of {model}.", reasoning="Hmm."))
    result = cli.run("ask", "--json", "--compare", f"{MODELS[0]}, {MODELS[1]}", "Q")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["model"] for d in data] == list(MODELS[:2])
    assert [d["content"] for d in data] == [f"Answer of {m}." for m in MODELS[:2]]
    assert all(d["status"] == "complete" and d["error"] is None for d in data)
    assert data[0]["conversation_id"] == data[1]["conversation_id"]
    assert data[0]["message_id"] != data[1]["message_id"] and data[0]["usage"]


def test_one_failure_is_an_error_line_naming_its_model(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue_for(MODELS[0], zai_stream("Fine."))
    fake_glm.enqueue_for(MODELS[1], zai_error(400, "1211", "Unknown model"))
    result = cli.run("ask", "--compare", ",".join(MODELS[:2]), "Q")
    assert result.returncode == 1
    assert f"## {MODELS[0]}\n\nFine.\n" in result.stdout
    line = assert_clean_failure(result)
    assert line.startswith(f"error: {MODELS[1]}: ") and "1211" in line


def test_two_or_three_models_or_it_is_bad_usage(cli: CLI, fake_glm: FakeGLM) -> None:
    for value in ("one-model", "a,b,c,d", "a,,b"):
        line = assert_clean_failure(cli.run("ask", "--compare", value, "Q"), code=2)
        assert line.startswith("error: --compare: ")
    assert not fake_glm.requests


def test_ctrl_c_stops_them_all(cli: CLI, fake_glm: FakeGLM) -> None:
    gates = gated(fake_glm)
    proc = cli.popen("ask", "--compare", ",".join(MODELS), "Stop us")

    def all_started() -> bool:
        result = cli.run("list", "--json")
        if result.returncode != 0 or not json.loads(result.stdout or "[]"):
            return False
        cid = json.loads(result.stdout)[0]["id"]
        messages = cli.json("show", str(cid), "--all")["messages"]
        return sum(m["content"].startswith("From") for m in messages) == 3

    wait_until(lambda: len(fake_glm.chat_requests()) == 3)
    wait_until(all_started)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=CEILING)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    [conversation] = cli.json("list")
    replies = cli.json("show", str(conversation["id"]), "--all")["messages"][1:]
    assert [(r["status"], r["content"]) for r in replies] == [
        ("stopped", f"From {m}: ") for m in MODELS
    ]
    for gate in gates:
        gate.set()


def test_json_is_a_list_even_when_nothing_could_be_sent(cli: CLI, fake_glm: FakeGLM) -> None:
    result = cli.run("ask", "--json", "--compare", "a,b", "Q", GLM_TUI_API_KEY="")
    line = assert_clean_failure(result)
    assert "no API key" in line
    data = json.loads(result.stdout)
    assert [d["model"] for d in data] == ["a", "b"]
    assert all(d["message_id"] is None and d["error"].startswith("No API key") for d in data)
    bad = cli.run("ask", "--json", "--compare", "a", "Q")
    assert bad.returncode == 2 and json.loads(bad.stdout)[0]["model"] == "a"
