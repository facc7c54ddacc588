"""The provider's model list: both shapes read, cached with its ETag, used offline."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from glm_tui.api.models import ModelListError, parse_models
from glm_tui.config import Settings
from glm_tui.models_cache import REFRESH_AFTER, ModelCatalog
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, openai_models

KEY = "sk-test-models-0123456789"


def settings_for(tmp_path: Path, base_url: str, provider: str = "aimlapi") -> Settings:
    return Settings(
        provider=provider,
        base_url=base_url,
        model="glm-4.7",
        api_key=KEY,
        db_path=tmp_path / "h.db",
        config_path=tmp_path / "c.toml",
    )


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def catalog(tmp_path: Path, base_url: str, clock: Clock, provider: str = "aimlapi") -> ModelCatalog:
    return ModelCatalog(
        settings_for(tmp_path, base_url, provider), cache_dir=tmp_path / "cache", clock=clock
    )


def gets(fake: FakeGLM) -> list[str]:
    return [r.path for r in fake.requests if r.method == "GET"]


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


async def test_the_aimlapi_catalogue_is_read_with_its_optional_sections(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    listed = await catalog(tmp_path, fake_glm.base_url, Clock()).load()
    assert gets(fake_glm) == ["/v1/models?include=pricing,capabilities,modalities"]
    assert [m.id for m in listed.models] == [
        "o3-mini",  # chat models first, by id
        "openai/gpt-5",
        "zhipu/glm-4.7",
        "odd/model",  # the entry does not say
        "flux/schnell",  # not a chat model
    ]
    glm = listed.find("glm-4.7")  # an alias finds it too
    assert glm is not None and glm.id == "zhipu/glm-4.7"
    assert (glm.name, glm.developer, glm.chat) == ("GLM-4.7", "Zhipu", True)
    assert (glm.context_length, glm.output_limit) == (200_000, 131_072)
    assert (glm.tools, glm.vision) == (True, False)
    assert (glm.input_price, glm.output_price, glm.cached_price) == (0.6, 2.2, 0.11)
    gpt = listed.find("openai/gpt-5")
    assert gpt is not None and (gpt.vision, gpt.tools, gpt.output_limit) == (True, True, None)
    assert gpt.input_price == pytest.approx(1.25)  # 0.00125 per 1,000 tokens
    old = listed.find("o3-mini")  # the older vocabulary: features, endpoints, maxTokens
    assert old is not None and (old.chat, old.tools, old.output_limit) == (True, True, 100_000)
    odd = listed.find("odd/model")  # wrong types are unknown, never an error
    assert odd is not None and (odd.name, odd.context_length, odd.output_limit) == (None,) * 3
    assert (odd.chat, odd.tools, odd.input_price, odd.price_kind) == (None, None, None, "variable")
    image = listed.find("flux/schnell")
    assert image is not None and (image.chat, image.input_price) == (False, None)
    assert glm.to_json()["aliases"] == ["glm-4.7"]


async def test_the_plain_openai_list_gives_ids(fake_glm: FakeGLM, tmp_path: Path) -> None:
    fake_glm.models = ModelsEndpoint(openai_models("glm-4.7", "glm-4.5-air", "embedding-3"))
    listed = await catalog(tmp_path, fake_glm.base_url, Clock(), provider="zai").load()
    assert gets(fake_glm) == ["/v1/models"]
    assert [m.id for m in listed.models] == ["embedding-3", "glm-4.5-air", "glm-4.7"]
    first = listed.models[0]
    assert (first.chat, first.context_length, first.developer) == (None, None, "z-ai")
    assert fake_glm.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_a_bare_array_and_broken_bodies() -> None:
    assert [m.id for m in parse_models([{"id": "a"}, {"id": "a"}, {"id": ""}, 3])] == ["a"]
    for body in ({"data": {"id": "x"}}, "models", None, 7):
        with pytest.raises(ModelListError):
            parse_models(body)


async def test_the_list_is_cached_with_its_etag_and_asked_again_once_a_day(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    clock = Clock()
    models = catalog(tmp_path, fake_glm.base_url, clock)
    first = await models.load()
    assert not first.from_cache and models.path.exists()
    clock.now += 3600
    again = await models.load()  # less than a day: not asked
    assert len(gets(fake_glm)) == 1 and again.from_cache
    assert again.age_text(clock.now) == "fetched 1 hour ago"
    clock.now += REFRESH_AFTER
    assert models.is_due()
    confirmed = await models.load()  # a day later: asked, and 304 Not Modified
    assert len(gets(fake_glm)) == 2
    assert fake_glm.requests[-1].headers["if-none-match"] == 'W/"models-1"'
    assert [m.id for m in confirmed.models] == [m.id for m in first.models]
    assert confirmed.checked_at == clock.now and confirmed.fetched_at == first.fetched_at
    assert not models.is_due()


async def test_refresh_on_demand_gets_a_changed_list(fake_glm: FakeGLM, tmp_path: Path) -> None:
    clock = Clock()
    models = catalog(tmp_path, fake_glm.base_url, clock)
    await models.load()
    fake_glm.models = ModelsEndpoint(openai_models("glm-5"), etag='W/"models-2"')
    clock.now += 60
    fresh = await models.load(refresh=True)
    assert [m.id for m in fresh.models] == ["glm-5"] and fresh.fetched_at == clock.now
    assert [m.id for m in (models.cached() or fresh).models] == ["glm-5"]


async def test_offline_the_cached_list_is_used_and_says_how_old_it_is(tmp_path: Path) -> None:
    clock = Clock()
    with FakeGLM() as server:
        models = catalog(tmp_path, server.base_url, clock)
        await models.load()
    clock.now += 2 * REFRESH_AFTER + 5 * 3600  # the server is gone since
    listed = await models.load()
    assert [m.id for m in listed.models] == ["glm-4.6", "glm-4.7"]
    assert listed.from_cache and listed.problem
    assert listed.problem.startswith(f"cannot fetch the model list from {models.url} (")
    assert listed.age_text(clock.now) == "fetched 2 days ago"
    assert listed.note(clock.now).startswith("offline: the list fetched 2 days ago (cannot fetch")


async def test_no_cache_and_no_server_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelListError, match=r"^cannot fetch the model list from http"):
        await catalog(tmp_path, dead_url(), Clock()).load()


async def test_a_failing_server_leaves_the_cache_in_use(fake_glm: FakeGLM, tmp_path: Path) -> None:
    clock = Clock()
    models = catalog(tmp_path, fake_glm.base_url, clock)
    await models.load()
    fake_glm.models = ModelsEndpoint(status=503)
    listed = await models.load(refresh=True)
    assert listed.problem == (
        f"the model list at {models.url} answered HTTP 503 (the list is down)"
    )
    assert [m.id for m in listed.models] == ["glm-4.6", "glm-4.7"]
    fake_glm.models = ModelsEndpoint(body={"unexpected": True}, etag=None)
    listed = await models.load(refresh=True)
    assert listed.problem == "the provider's model list is not a list of models"


async def test_a_broken_cache_file_is_ignored(fake_glm: FakeGLM, tmp_path: Path) -> None:
    models = catalog(tmp_path, fake_glm.base_url, Clock())
    models.path.parent.mkdir(parents=True)
    models.path.write_text("{not json")
    assert models.cached() is None and models.is_due()
    listed = await models.load()
    assert [m.id for m in listed.models] == ["glm-4.6", "glm-4.7"]


async def test_the_demo_has_its_own_list_and_never_goes_out(tmp_path: Path) -> None:
    demo = ModelCatalog(
        Settings(provider="demo", db_path=tmp_path / "h.db", config_path=tmp_path / "c.toml"),
        cache_dir=tmp_path / "cache",
    )
    listed = await demo.load(refresh=True)
    assert [m.id for m in listed.models] == ["glm-4.7-demo"] and not demo.is_due()
    assert not (tmp_path / "cache").exists()


async def test_the_key_reaches_neither_the_cache_nor_an_error(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    models = catalog(tmp_path, fake_glm.base_url, Clock())
    await models.load()
    assert KEY not in models.path.read_text()
    fake_glm.models = ModelsEndpoint(status=401, message=f"Bad key {KEY}")
    listed = await models.load(refresh=True)
    assert listed.problem is not None and KEY not in listed.problem
    assert listed.problem.endswith("answered HTTP 401 (Bad key [redacted])")


@pytest.mark.parametrize(
    ("kind", "chat"),
    [
        ("openai/chat-completions", True),
        ("chat-completion", True),
        ("anthropic/messages", True),
        ("openai/responses", True),
        ("image", False),
        ("video", False),
        ("embedding", False),
        ("tts", False),
    ],
)
def test_the_endpoint_type_says_which_are_chat_models(kind: str, chat: bool) -> None:
    [model] = parse_models([{"id": "m", "type": kind}])
    assert model.chat is chat
