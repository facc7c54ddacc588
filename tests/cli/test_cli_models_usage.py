"""``glm-tui models`` and ``glm-tui usage`` as real subprocesses against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import CLI, assert_clean_failure
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, aimlapi_stream, usage_dict

pytestmark = pytest.mark.slow

AIMLAPI = {"GLM_TUI_PROVIDER": "aimlapi"}


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    return CLI(tmp_path, fake_glm.base_url)


def gets(fake: FakeGLM) -> list[dict[str, str]]:
    return [r.headers for r in fake.requests if r.method == "GET"]


def test_models_prints_one_line_per_model_and_json_every_field(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    result = cli.run("models", **AIMLAPI)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0 if not line.startswith("*") else 1] for line in lines] == [
        "o3-mini",
        "openai/gpt-5",
        "zhipu/glm-4.7",
        "odd/model",
        "flux/schnell",
    ]
    glm = lines[2]
    assert glm.startswith("* zhipu/glm-4.7")  # the model in use (glm-4.7 is its alias)
    assert "200K ctx" in glm and "131K out" in glm
    assert "$0.60 in / $2.20 out per M" in glm and glm.endswith("tools")
    assert lines[1].endswith("vision  tools") and "400K ctx" in lines[1]
    assert "price variants" in lines[4] and lines[4].endswith("image")
    assert result.stderr == ""
    data = json.loads(cli.run("models", "--json", **AIMLAPI).stdout)
    assert [m["id"] for m in data][:3] == ["o3-mini", "openai/gpt-5", "zhipu/glm-4.7"]
    glm_json = data[2]
    assert glm_json["aliases"] == ["glm-4.7"] and glm_json["cached_price"] == 0.11
    assert set(glm_json) >= {
        "id",
        "name",
        "developer",
        "type",
        "chat",
        "context_length",
        "output_limit",
        "vision",
        "tools",
        "input_price",
        "output_price",
        "capabilities",
        "input_modalities",
    }


def test_models_are_cached_a_day_and_refreshed_on_demand(cli: CLI, fake_glm: FakeGLM) -> None:
    first = cli.run("models")
    again = cli.run("models")
    assert first.returncode == again.returncode == 0
    assert first.stdout == again.stdout and "glm-4.7" in first.stdout
    assert len(gets(fake_glm)) == 1  # the second run read the cache
    refreshed = cli.run("models", "--refresh")
    assert refreshed.returncode == 0 and refreshed.stdout == first.stdout
    assert len(gets(fake_glm)) == 2 and gets(fake_glm)[1]["if-none-match"] == 'W/"models-1"'


def test_offline_the_cache_is_used_and_its_age_said(tmp_path: Path) -> None:
    with FakeGLM() as server:
        cli = CLI(tmp_path, server.base_url)
        assert cli.run("models").returncode == 0
    result = cli.run("models", "--refresh")
    assert result.returncode == 0, result.stderr
    assert "glm-4.6" in result.stdout and "glm-4.7" in result.stdout
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: offline: the list fetched just now (cannot fetch")


def test_no_list_and_no_server_is_one_error(tmp_path: Path) -> None:
    with FakeGLM() as server:
        cli = CLI(tmp_path, server.base_url)
    line = assert_clean_failure(cli.run("models"))
    assert line.startswith("error: cannot fetch the model list from http://127.0.0.1:")


REPLIES = [("zhipu/glm-4.7", 0.125, 250_000, 10, 4), ("openai/gpt-5", 0.5, 1_000_000, 20, 8)]


def test_usage_adds_up_what_the_server_reported(cli: CLI, fake_glm: FakeGLM) -> None:
    for model, usd, credits, prompt, completion in REPLIES * 2:
        fake_glm.enqueue(
            aimlapi_stream(
                "Paid.",
                usage=usage_dict(prompt, completion, reasoning=1, cached=2),
                credits_used=credits,
                usd_spent=usd,
            )
        )
        assert cli.run("ask", "--model", model, f"Ask {model}").returncode == 0
    data = cli.json("usage", "--by", "model")
    assert data["by"] == "model" and data["budget"] is None
    assert [(r["key"], r["replies"], r["usd"], r["credits"]) for r in data["rows"]] == [
        ("openai/gpt-5", 2, 1.0, 2_000_000),
        ("zhipu/glm-4.7", 2, 0.25, 500_000),
    ]
    gpt = data["rows"][0]
    assert (gpt["prompt_tokens"], gpt["completion_tokens"], gpt["cached_tokens"]) == (40, 16, 4)
    assert gpt["reasoning_tokens"] == 2 and gpt["total_tokens"] == 56
    total = data["total"]
    assert (total["replies"], total["usd"], total["credits"]) == (4, 1.25, 2_500_000)
    by_conversation = cli.json("usage", "--by", "conversation")["rows"]
    assert len(by_conversation) == 4 and {r["label"] for r in by_conversation} == {
        "Ask zhipu/glm-4.7",
        "Ask openai/gpt-5",
    }
    by_day = cli.json("usage")
    assert len(by_day["rows"]) == 1 and by_day["rows"][0]["usd"] == 1.25
    text = cli.run("usage", "--by", "model")
    assert text.returncode == 0
    header, *rows, total_line = text.stdout.splitlines()
    assert header.split() == [
        "model", "replies", "prompt", "cached", "completion", "reasoning", "credits", "US$"
    ]  # fmt: skip
    assert rows[0].split() == ["openai/gpt-5", "2", "40", "4", "16", "2", "2,000,000", "1.00"]
    assert total_line.split()[0] == "total" and total_line.split()[-1] == "1.25"
    future = cli.run("usage", "--since", "2999-01-01")
    assert future.returncode == 0 and "no replies with usage since 2999-01-01" in future.stderr


def test_usage_bad_options_are_usage_errors(cli: CLI) -> None:
    assert cli.run("usage", "--since", "yesterday").returncode == 2
    assert cli.run("usage", "--by", "week").returncode == 2


def test_the_budget_warns_and_never_blocks(cli: CLI, fake_glm: FakeGLM, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("budget_usd = 0.25\n")
    fake_glm.enqueue(aimlapi_stream("First.", credits_used=500_000, usd_spent=0.25))
    first = cli.run("ask", "Spend it all")
    assert first.returncode == 0 and first.stderr == ""
    fake_glm.enqueue(aimlapi_stream("Still answered.", credits_used=2_000, usd_spent=0.001))
    second = cli.run("ask", "And more")
    assert second.returncode == 0 and second.stdout == "Still answered.\n"
    assert second.stderr == (
        "warning: This month's spend, US$0.25, is over the budget (100 % of US$0.25).\n"
    )
    usage = cli.run("usage")
    assert "budget: This month's spend, US$0.25" in usage.stderr
    budget = cli.json("usage")["budget"]
    assert budget["level"] == "over" and budget["spent_usd"] == pytest.approx(0.251)
    assert cli.json("config")["budget_usd"]["value"] == 0.25
    (tmp_path / "config.toml").write_text("budget_usd = -1\n")
    assert_clean_failure(cli.run("usage"))
