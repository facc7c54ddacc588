"""Slash commands: the registry and its completion, parsing a line, and running each command
through a real session against the fake server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.chat import ChatService
from glm_tui.config import Settings
from glm_tui.prompt_library import PromptLibrary
from glm_tui.session import (
    ConversationChanged,
    Done,
    Failed,
    NeedsValues,
    Sent,
    Session,
    SessionEvent,
    ShowHelp,
    SlashRunner,
)
from glm_tui.slash import (
    BUILTIN_NAMES,
    CommandCall,
    PlainText,
    SlashCommands,
    UnknownCommand,
)
from glm_tui.store import Store
from tests.fakeglm import FakeGLM


def library(tmp_path: Path) -> PromptLibrary:
    user = tmp_path / "prompts"
    user.mkdir(exist_ok=True)
    (user / "pirate.md").write_text(
        "---\ndescription: Talk like a pirate\nsystem: You are a pirate.\nmodel: glm-4.5\n"
        "thinking: false\n---\nSay it like a pirate: {{input}}\n"
    )
    (user / "letter.md").write_text("Write to {{name}} about {{input}} in a {{tone}} tone.")
    return PromptLibrary.load(user, reserved=BUILTIN_NAMES)


# -- the registry ------------------------------------------------------------------------------


def test_every_builtin_and_every_prompt_is_listed_with_one_line_of_help(tmp_path: Path) -> None:
    commands = SlashCommands(library(tmp_path))
    names = [c.name for c in commands.all()]
    assert names[:8] == ["model", "system", "title", "thinking", "tag", "export", "clear", "help"]
    assert {"pirate", "letter", "translate", "explain"} <= set(names[8:])
    for command in commands.all():
        assert command.help and "\n" not in command.help and command.usage.startswith("/")
    assert commands.get("pirate").help == "Talk like a pirate"  # type: ignore[union-attr]
    assert commands.get("letter").help == "Write to {{name}} about {{input}} in a {{tone}} tone."  # type: ignore[union-attr]


def test_completion_while_typing(tmp_path: Path) -> None:
    commands = SlashCommands(library(tmp_path))
    names = [c.name for c in commands.complete("/t")]
    assert names[:4] == ["title", "thinking", "tag", "translate"]  # the names that start so
    holding = {c.name for c in commands.all() if "t" in c.name and not c.name.startswith("t")}
    assert set(names[4:]) == holding and "letter" in holding  # then those that hold it
    assert [c.name for c in commands.complete("/th")] == ["thinking"]
    assert [c.name for c in commands.complete("/RAT")] == ["pirate"]  # holds it
    assert len(commands.complete("/")) == len(commands.all())
    assert commands.complete("/model x") == [] and commands.complete("hello") == []
    assert commands.complete("//") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("hello", PlainText("hello")),
        ("/usr/bin/env what is this?", PlainText("/usr/bin/env what is this?")),
        ("/ spaced", PlainText("/ spaced")),
        ("//help me", PlainText("/help me")),
        ("/nope at all", UnknownCommand("nope")),
        ("/Model  glm-4.5 ", "model:glm-4.5"),
        ("/clear", "clear:"),
        ("/pirate\nahoy\nthere", "pirate:ahoy\nthere"),
    ],
)
def test_parsing_a_line(tmp_path: Path, line: str, expected: object) -> None:
    parsed = SlashCommands(library(tmp_path)).parse(line)
    if isinstance(expected, str):
        assert isinstance(parsed, CommandCall)
        assert f"{parsed.command.name}:{parsed.argument}" == expected
    else:
        assert parsed == expected
    if isinstance(parsed, UnknownCommand):
        assert parsed.message.startswith("Unknown command /nope: /help lists")


# -- running, through a session ----------------------------------------------------------------


class Told(list[SessionEvent]):
    async def __call__(self, event: SessionEvent) -> None:
        self.append(event)


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    settings = Settings(
        provider="openai",
        base_url=fake_glm.base_url,
        model="glm-4.7",
        api_key="sk-test",
        db_path=tmp_path / "history.db",
        config_path=tmp_path / "config.toml",
        auto_title=False,
    )
    service = ChatService(store, settings)
    session = Session(store, service, clock=lambda: 0.0)
    yield session
    await session.close()
    await service.aclose()


@pytest.fixture
def runner(session: Session, tmp_path: Path) -> SlashRunner:
    library(tmp_path)  # the files next to config.toml
    return SlashRunner(session)


async def chat(session: Session, text: str = "Hello") -> int:
    turn = await session.send(text)
    assert turn is not None
    await session.run(turn)
    return turn.live.conversation_id


async def test_plain_text_and_unknown_commands_send_nothing(
    runner: SlashRunner, fake_glm: FakeGLM
) -> None:
    assert await runner.run("just a question") == PlainText("just a question")
    outcome = await runner.run("/nope")
    assert isinstance(outcome, Failed) and outcome.message.startswith("Unknown command /nope")
    assert fake_glm.requests == []


async def test_model_and_system_for_the_open_conversation_and_the_next(
    runner: SlashRunner, session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    assert await runner.run("/model glm-4.5") == Done("The next conversation uses glm-4.5.")
    assert await runner.run("/system Be terse.") == Done(
        "The next conversation starts with this system prompt."
    )
    assert session.status().model == "glm-4.5"
    cid = await chat(session)
    conversation = store.get_conversation(cid)
    assert (conversation.model, conversation.system_prompt) == ("glm-4.5", "Be terse.")
    assert fake_glm.requests[0].json["model"] == "glm-4.5"
    assert await runner.run("/model glm-4.6") == Done("This conversation now uses glm-4.6.")
    assert await runner.run("/system") == Done("This conversation has no system prompt now.")
    conversation = store.get_conversation(cid)
    assert (conversation.model, conversation.system_prompt) == ("glm-4.6", None)
    assert isinstance(await runner.run("/model two words"), Failed)
    assert isinstance(await runner.run("/model"), Failed)


async def test_title_tag_thinking_clear_help(
    runner: SlashRunner, session: Session, store: Store
) -> None:
    assert await runner.run("/title Nothing open") == Failed(
        "No conversation is open: /title needs one."
    )
    cid = await chat(session)
    told = Told()
    session.subscribe(told)
    assert await runner.run("/title  Owls   at night ") == Done("Renamed.")
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.title_source) == ("Owls at night", "user")
    assert await runner.run("/tag work q3") == Done("Tags: #q3 #work")
    assert await runner.run("/tag -work") == Done("Tags: #q3")
    assert [e.what for e in told if isinstance(e, ConversationChanged)] == ["tags"] * 3
    assert await runner.run("/tag a,b") == Failed("A tag cannot hold a comma: 'a,b'.")
    thinking = session.thinking
    assert await runner.run("/thinking off") == Done("Thinking off for the next requests.")
    assert session.thinking is False
    assert await runner.run("/thinking") == Done("Thinking on for the next requests.")
    assert session.thinking is True and thinking is True
    assert await runner.run("/thinking maybe") == Failed("Usage: /thinking on|off")
    helped = await runner.run("/help")
    assert isinstance(helped, ShowHelp) and helped.commands[0].name == "model"
    assert await runner.run("/clear") == Done("New conversation.")
    assert session.current_id is None


async def test_export_writes_a_new_file_each_time(
    runner: SlashRunner, session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert await runner.run("/export", directory=out) == Failed(
        "No conversation is open: /export needs one."
    )
    cid = await chat(session, "Owls at night?")
    first = await runner.run("/export", directory=out)
    again = await runner.run("/export md", directory=out)
    as_json = await runner.run("/export JSON", directory=out)
    assert first == Done(f"Saved in {out / f'glm-tui-{cid}-owls-at-night.md'}")
    assert again == Done(f"Saved in {out / f'glm-tui-{cid}-owls-at-night-2.md'}")
    assert as_json == Done(f"Saved in {out / f'glm-tui-{cid}-owls-at-night.json'}")
    assert (out / f"glm-tui-{cid}-owls-at-night.md").read_text().startswith("# Owls at night?")
    data = json.loads((out / f"glm-tui-{cid}-owls-at-night.json").read_text())
    assert data["format"] == "glm-tui-export"
    assert await runner.run("/export pdf", directory=out) == Failed("Usage: /export [md|json]")


async def test_a_prompt_with_variables_asks_for_them_then_sends(
    runner: SlashRunner, session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    outcome = await runner.run("/letter the new roof")
    assert isinstance(outcome, NeedsValues)
    assert (outcome.prompt.name, outcome.input_text, outcome.names) == (
        "letter",
        "the new roof",
        ("name", "tone"),
    )
    assert fake_glm.requests == []
    sent = await runner.fill(outcome.prompt, outcome.input_text, {"name": "Ann", "tone": "warm"})
    assert isinstance(sent, Sent)
    assert sent.text == "Write to Ann about the new roof in a warm tone."
    await session.run(sent.turn)
    assert store.current_path(sent.turn.live.conversation_id)[0].content == sent.text
    assert fake_glm.requests[0].json["messages"][-1]["content"] == sent.text


async def test_a_prompt_uses_the_clipboard_given_or_asks_for_it(runner: SlashRunner) -> None:
    asked = await runner.run("/commit-message")
    assert isinstance(asked, NeedsValues) and asked.names == ("clipboard",)
    sent = await runner.run("/commit-message", clipboard="+ added owls")
    assert isinstance(sent, Sent) and sent.text.endswith("+ added owls")


async def test_a_role_prompt_starts_its_conversation_with_its_system_model_and_thinking(
    runner: SlashRunner, session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    sent = await runner.run("/pirate where is the treasure?")
    assert isinstance(sent, Sent)
    await session.run(sent.turn)
    conversation = store.get_conversation(sent.turn.live.conversation_id)
    assert (conversation.system_prompt, conversation.model) == ("You are a pirate.", "glm-4.5")
    body = fake_glm.requests[0].json
    assert body["messages"][0] == {"role": "system", "content": "You are a pirate."}
    assert body["messages"][1]["content"] == "Say it like a pirate: where is the treasure?"
    assert body["thinking"] == {"type": "disabled"} and body["model"] == "glm-4.5"
    # In a conversation already open, only its thinking applies.
    again = await runner.run("/pirate and the map?")
    assert isinstance(again, Sent) and again.turn.live.conversation_id == conversation.id
    await session.run(again.turn)
    assert fake_glm.requests[1].json["thinking"] == {"type": "disabled"}
    assert store.get_conversation(conversation.id).system_prompt == "You are a pirate."
    assert session.thinking is True  # the window's own choice is untouched


async def test_roles_can_start_a_conversation(
    runner: SlashRunner, session: Session, store: Store
) -> None:
    roles = runner.roles()
    assert {r.name for r in roles} == {"pirate", "reviewer"}
    await runner.start_role(next(r for r in roles if r.name == "reviewer"))
    cid = await chat(session, "def f(): pass")
    system = store.get_conversation(cid).system_prompt
    assert system is not None and system.startswith("You are a careful senior software engineer")


async def test_a_broken_prompt_file_is_reported_and_the_rest_work(
    session: Session, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "broken.md").write_text("---\nmodel: x\n")
    (prompts / "fine.md").write_text("Fine: {{input}}")
    runner = SlashRunner(session)
    assert runner.problems == [
        f"{prompts / 'broken.md'}: its front matter (opened by ---) is never closed by ---"
    ]
    assert runner.commands.get("fine") is not None
    assert isinstance(await runner.run("/broken"), Failed)


async def test_export_goes_to_the_deliverer_when_there_is_one(
    runner: SlashRunner, session: Session, tmp_path: Path
) -> None:
    # Under glm-tui serve the UI sets one: the file downloads in the browser, nothing is written
    # where the server runs.
    delivered: list[tuple[str, str]] = []

    def deliver(name: str, text: str) -> str:
        delivered.append((name, text))
        return f"Downloading {name}."

    session.organizer.deliver = deliver
    cid = await chat(session, "Owls at night?")
    out = tmp_path / "out"
    out.mkdir()
    assert await runner.run("/export", directory=out) == Done(
        f"Downloading glm-tui-{cid}-owls-at-night.md."
    )
    assert await runner.run("/export json", directory=out) == Done(
        f"Downloading glm-tui-{cid}-owls-at-night.json."
    )
    assert list(out.iterdir()) == []
    (md_name, md_text), (json_name, json_text) = delivered
    assert (md_name, json_name) == (
        f"glm-tui-{cid}-owls-at-night.md",
        f"glm-tui-{cid}-owls-at-night.json",
    )
    assert md_text.startswith("# Owls at night?")
    assert json.loads(json_text)["format"] == "glm-tui-export"
