"""The model picker's side of the session: the list, the current model, choosing one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.chat import ChatService
from glm_tui.config import ConfigError, read_config_file
from glm_tui.session import ModelsChanged, Session
from glm_tui.store import Store
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, zai_stream
from tests.ui_helpers import seed_conversation
from tests.unit.test_session import Recorder, settings_for
from tests.waiting import CEILING


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url, provider="aimlapi"))
    session = Session(store, service, clock=time.monotonic)
    session.model_picker.cache_dir = tmp_path / "cache"
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    yield session
    await service.aclose()


def gets(fake: FakeGLM) -> int:
    return sum(r.method == "GET" for r in fake.requests)


async def test_the_picker_gets_the_list_chat_models_first_and_the_current_one(
    session: Session, store: Store
) -> None:
    choices = await session.model_choices()
    assert [m.id for m in choices.models][:3] == ["o3-mini", "openai/gpt-5", "zhipu/glm-4.7"]
    assert choices.current == choices.default == "glm-4.7"
    marked = [m.id for m in choices.models if choices.is_current(m)]
    assert marked == ["zhipu/glm-4.7"]  # the current model answers to its alias
    glm = choices.find("zhipu/glm-4.7")
    assert glm is not None and (glm.context_length, glm.output_limit) == (200_000, 131_072)
    assert (glm.vision, glm.tools, glm.input_price) == (False, True, 0.6)
    assert choices.problem is None and choices.note == ""
    assert choices.conversation_model is None


async def test_choosing_a_model_for_the_open_conversation_saves_it_with_it(
    session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    cid = seed_conversation(store, "Chat", [("q", "a", None)], updated_at="2024-03-14T12:00:00Z")
    await session.open(cid)
    await session.set_conversation_model("openai/gpt-5")
    assert store.get_conversation(cid).model == "openai/gpt-5"
    assert session.status().model == "openai/gpt-5"
    choices = await session.model_choices()
    assert choices.current == choices.conversation_model == "openai/gpt-5"
    assert choices.default == "glm-4.7"
    fake_glm.enqueue(zai_stream("From GPT."))
    turn = await session.send("Next")
    assert turn is not None
    await session.run(turn)
    assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"
    with pytest.raises(ValueError, match="empty"):
        await session.set_conversation_model("  ")


async def test_a_model_chosen_before_the_first_prompt_makes_the_conversation(
    session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    await session.set_conversation_model("a-model-the-list-does-not-know")
    assert session.status().model == "a-model-the-list-does-not-know"
    fake_glm.enqueue(zai_stream("Free text works."))
    turn = await session.send("Hello")
    assert turn is not None
    await session.run(turn)
    assert fake_glm.chat_requests()[-1].json["model"] == "a-model-the-list-does-not-know"
    cid = turn.live.conversation_id
    assert store.get_conversation(cid).model == "a-model-the-list-does-not-know"
    await session.open(None)  # the choice was for that conversation only
    assert session.status().model == "glm-4.7"


async def test_choosing_the_model_of_new_conversations_writes_config_toml(
    session: Session, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    await session.set_default_model("openai/gpt-5")
    assert read_config_file(tmp_path / "c.toml")["model"] == "openai/gpt-5"
    assert session.settings.model == "openai/gpt-5"
    assert (await session.model_choices()).default == "openai/gpt-5"
    fake_glm.enqueue(zai_stream("New default."))
    turn = await session.send("Hi")
    assert turn is not None
    await session.run(turn)
    assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"
    (tmp_path / "c.toml").unlink()
    (tmp_path / "c.toml").mkdir()  # cannot be written now
    with pytest.raises(ConfigError, match=r"c\.toml"):
        await session.set_default_model("glm-4.7")


async def test_the_list_is_refreshed_in_the_background_once_a_day(
    session: Session, fake_glm: FakeGLM
) -> None:
    told = Recorder()
    session.subscribe(told)
    fetching = session.refresh_models()  # no list yet: fetched
    assert fetching is not None
    await asyncio.wait_for(fetching, CEILING)
    assert gets(fake_glm) == 1
    changed = told.of(ModelsChanged)
    assert len(changed) == 1 and len(changed[0].choices.models) == 5
    session.refresh_models()  # fresh: nothing asked
    assert gets(fake_glm) == 1 and len(told.of(ModelsChanged)) == 1
    fetching = session.refresh_models(force=True)  # on demand: asked, 304
    assert fetching is not None
    await asyncio.wait_for(fetching, CEILING)
    assert gets(fake_glm) == 2 and fake_glm.requests[-1].headers["if-none-match"]
    assert len(told.of(ModelsChanged)) == 2


async def test_offline_with_no_list_the_picker_says_why(session: Session) -> None:
    # The catalog follows the settings: another base URL, another (missing) list.
    settings = session.settings.with_values(base_url="http://127.0.0.1:9/v1")
    await session.apply_settings(settings)
    choices = await session.model_choices()
    assert choices.models == () and choices.listed is None
    assert choices.problem is not None and choices.problem.startswith("cannot fetch")
    assert choices.current == "glm-4.7"  # free text still works
