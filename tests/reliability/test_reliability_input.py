"""Issue 8, item 5: huge and strange input. A 1 MB paste, a 200,000-character reply, a
10,000-line code block, a single 100,000-character line, right-to-left text, combining marks,
wide characters and emoji, NUL bytes, lone surrogates and broken UTF-8 from the provider: nothing
crashes, the text is saved and shown.

The big ones are marked slow: they measure Textual's rendering as much as ours (README,
"Reliability", says how long each takes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from glm_tui.chat import title_from_prompt
from glm_tui.cli import cli
from glm_tui.store import Store
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.app_fixture import Tui
from tests.cli_helpers import CLI, SECRET_KEY
from tests.fakeglm import FakeGLM, Response, chunk, error_stream, raw_stream, sse, zai_stream
from tests.tui_process import TUIProcess
from tests.ui_helpers import screen_text, send, shows, wait_idle

STRANGE = {
    "right-to-left": "שלום עולם · مرحبا بالعالم",
    "combining marks": "e\u0301te\u0301 n\u0303o Z\u0324\u0308algo",
    "wide characters": "漢字のテスト 한국어 全角ＡＢＣ",
    "emoji": "family 👩\u200d👩\u200d👧\u200d👦 flag 🇫🇷 thumbs 👍🏽 ok ✅",
}
STRANGE_TEXT = " | ".join(STRANGE.values())


async def _one_turn(
    tui: Tui,
    store: Store,
    fake_glm: FakeGLM,
    response: Response,
    end_marker: str,
    timeout: float = 60,
) -> tuple[str, str]:
    """Send a prompt, take ``response``; returns (the saved reply, the screen at the end)."""
    fake_glm.enqueue(response)
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Go")
        await wait_idle(pilot, app, timeout=timeout)
        await shows(pilot, end_marker, timeout=timeout)  # the view followed to the end
        [reply] = app.query(AssistantMessage)
        assert reply.message.status == "complete"
        saved = store.get_message(reply.message.id).content
        assert app.is_running
        return saved, screen_text(app)


@pytest.mark.slow
async def test_a_megabyte_paste_is_sent_saved_and_shown(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    line = "lorem ipsum dolor sit amet, " * 36 + "\n"
    big = line * (1_000_000 // len(line)) + "LAST LINE OF THE PASTE"
    fake_glm.enqueue(zai_stream("Received a megabyte."))
    async with tui(fake_glm.base_url) as (app, pilot):
        app.main.composer.focus()
        # In the composer as typed: pasted, so long a text becomes an attachment (issue 15,
        # tests/tui/test_ui_attachments.py).
        app.main.composer.load_text(big)
        await pilot.press("enter")
        # Over GLM-4.7's window by the estimate: sent only when the user says so.
        await shows(pilot, "would not fit the model's window")
        await pilot.press("y")
        await wait_idle(pilot, app)
        await shows(pilot, "Received a megabyte.")
        [user] = app.query(UserMessage)
        assert store.get_message(user.message.id).content == big
        assert fake_glm.requests[0].json["messages"][-1]["content"] == big
        assert app.main.composer.text == ""
        assert [c.title for c in store.list_conversations()] == [title_from_prompt(big)]
        assert app.is_running


def token_stream(pieces: list[str], per_write: int = 256) -> Response:
    """One event per piece, as a provider streams tokens, several events per network write."""
    events = [sse(chunk(content=piece)) for piece in pieces]
    events += [sse(chunk(content="", finish_reason="stop")), b"data: [DONE]\n\n"]
    return raw_stream(
        [b"".join(events[i : i + per_write]) for i in range(0, len(events), per_write)]
    )


@pytest.mark.slow
async def test_a_200000_character_reply(tui: Tui, store: Store, fake_glm: FakeGLM) -> None:
    pieces = ["tok "] * 49_998 + ["THE-END."]  # 50,000 events, as many as real tokens would be
    saved, _ = await _one_turn(tui, store, fake_glm, token_stream(pieces), "THE-END.")
    assert saved == "".join(pieces) and len(saved) == 200_000


@pytest.mark.slow
async def test_a_10000_line_code_block(tui: Tui, store: Store, fake_glm: FakeGLM) -> None:
    code = "\n".join(f"value_{i} = compute({i}, 'text')  # line {i}" for i in range(10_000))
    text = f"Here it is:\n\n```python\n{code}\n```\n\nAFTER-THE-CODE"
    saved, screen = await _one_turn(
        tui, store, fake_glm, zai_stream(text, chunk_chars=4000), "AFTER-THE-CODE"
    )
    assert saved == text
    assert "value_9999 = compute(9999, 'text')" in screen


async def test_a_single_100000_character_line(tui: Tui, store: Store, fake_glm: FakeGLM) -> None:
    text = "x" * 100_000 + "\n\nAFTER-THE-LINE"
    saved, _ = await _one_turn(
        tui, store, fake_glm, zai_stream(text, chunk_chars=4000), "AFTER-THE-LINE"
    )
    assert saved == text


async def test_right_to_left_combining_wide_and_emoji(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream(STRANGE_TEXT, reasoning=STRANGE["emoji"], chunk_chars=3))
    async with tui(fake_glm.base_url, size=(160, 40)) as (app, pilot):
        await send(pilot, app, STRANGE["wide characters"] + "\n" + STRANGE_TEXT)
        await wait_idle(pilot, app)
        [user, reply] = store.current_path(app.session.current_id)  # type: ignore[arg-type]
        assert user.content == STRANGE["wide characters"] + "\n" + STRANGE_TEXT
        assert reply.content == STRANGE_TEXT and reply.reasoning == STRANGE["emoji"]
        await shows(pilot, "thumbs")
        text = screen_text(app)
        for name, sample in STRANGE.items():
            for word in sample.split():
                assert word in text, (name, word)
        # The title, in the sidebar.
        assert store.list_conversations()[0].title == STRANGE["wide characters"]
        assert app.is_running


# -- what a provider should never send, but might -------------------------------------------

# JSON escapes for a NUL and for lone surrogates, raw bytes that are not UTF-8, an escape code.
BAD_STREAM = [
    b'data: {"choices":[{"index":0,"delta":{"reasoning_content":"think\\u0000ing "}}]}\n\n',
    b'data: {"choices":[{"index":0,"delta":{"content":"nul\\u0000byte "}}]}\n\n',
    b'data: {"choices":[{"index":0,"delta":{"content":"lone \\ud800 high \\udfff low "}}]}\n\n',
    b'data: {"choices":[{"index":0,"delta":{"content":"bad \xff\xfe utf8 "}}]}\n\n',
    b'data: {"choices":[{"index":0,"delta":{"content":"\\u001b[2Jescape END"}}]}\n\n',
    sse(chunk(content="", finish_reason="stop")),
    b"data: [DONE]\n\n",
]
# Saved as sent, but for the NUL (SQLite's functions end text there) and the lone surrogates.
SAVED_CONTENT = "nulbyte lone ? high ? low bad \ufffd\ufffd utf8 \x1b[2Jescape END"
CLEAN_CONTENT = "nulbyte lone ? high ? low bad \ufffd\ufffd utf8 escape END"
CLEAN_REASONING = "thinking "


async def test_nul_bytes_lone_surrogates_and_bad_utf8_in_the_tui(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(raw_stream(list(BAD_STREAM)))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Misbehave")
        await wait_idle(pilot, app)
        [reply] = app.query(AssistantMessage)
        saved = store.get_message(reply.message.id)
        assert (saved.status, saved.content, saved.reasoning) == (
            "complete",
            SAVED_CONTENT,
            CLEAN_REASONING,
        )
        await shows(pilot, CLEAN_CONTENT)
        assert "\x00" not in screen_text(app) and "\x1b" not in screen_text(app)
        assert "[2J" not in screen_text(app)


def test_nul_bytes_lone_surrogates_and_bad_utf8_through_ask(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(raw_stream(list(BAD_STREAM)))
    env = {
        "GLM_TUI_DB": str(tmp_path / "history.db"),
        "GLM_TUI_CONFIG": str(tmp_path / "config.toml"),
        "GLM_TUI_API_KEY": SECRET_KEY,
        "GLM_TUI_PROVIDER": "openai",
        "GLM_TUI_BASE_URL": fake_glm.base_url,
        "GLM_TUI_MODEL": "glm-4.7",
    }
    result = CliRunner().invoke(cli, ["ask", "--json", "Misbehave"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["content"], data["reasoning"]) == (SAVED_CONTENT, CLEAN_REASONING)


# -- issue 12, item 10: escape codes are removed whole where text is shown -------------------

ESC_REASONING = "I \x1b[1mthink\x1b[0m so"
ESC_CONTENT = (
    "Plain \x1b[31mred\x1b[0m text\x1b]0;evil title\x07 and a \x1b]8;;http://x\x1b\\link"
    "\x1b]8;;\x1b\\ END-OF-ESCAPES"
)
SHOWN_REASONING = "I think so"
SHOWN_CONTENT = "Plain red text and a link END-OF-ESCAPES"
ESC_PROMPT = "Say \x1b[32mgreen\x1b[0m things"
ESC_ERROR = "\x1b[31mOverloaded\x1b[0m\x1b]0;t\x07"
LEFTOVERS = ("[31m", "[0m", "[1m", "[32m", "]0;", "]8;", "evil title", "\x1b")


def _no_leftovers(text: str) -> None:
    for piece in LEFTOVERS:
        assert piece not in text, piece


async def test_escape_codes_are_removed_whole_in_the_tui_and_kept_in_the_store(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    # Three characters per delta: every sequence is split across pieces.
    fake_glm.enqueue(
        zai_stream(ESC_CONTENT, reasoning=ESC_REASONING, chunk_chars=3),
        error_stream("Half \x1b[", code="1302", message=ESC_ERROR),
    )
    async with tui(fake_glm.base_url, size=(160, 40)) as (app, pilot):
        await send(pilot, app, ESC_PROMPT)
        await wait_idle(pilot, app)
        await shows(pilot, SHOWN_CONTENT)
        await shows(pilot, "Say green things")
        _no_leftovers(screen_text(app))
        [reply] = app.query(AssistantMessage)
        assert reply.thinking is not None
        assert reply.thinking.body.source == SHOWN_REASONING
        # The history keeps what the provider (and the user) sent.
        [user, saved] = store.current_path(app.session.current_id)  # type: ignore[arg-type]
        assert (user.content, saved.content, saved.reasoning) == (
            ESC_PROMPT,
            ESC_CONTENT,
            ESC_REASONING,
        )
        await send(pilot, app, "Again")
        await wait_idle(pilot, app)
        await shows(pilot, "(code 1302: Overloaded).")
        _no_leftovers(screen_text(app))
        cid = app.session.current_id
    # After a restart (a new app, a new connection), the saved text is shown the same way.
    with Store.open(store.path) as reopened:
        async with tui(fake_glm.base_url, store=reopened, size=(160, 40), open=cid) as (app, pilot):
            await shows(pilot, SHOWN_CONTENT)
            await shows(pilot, "(code 1302: Overloaded).")
            await shows(pilot, "Say green things")
            _no_leftovers(screen_text(app))
            first = app.query(AssistantMessage).first()
            assert first.thinking is not None
            assert first.thinking.body.source == SHOWN_REASONING


def test_escape_codes_are_removed_whole_in_ask_and_show(tmp_path: Path, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(
        zai_stream(ESC_CONTENT, reasoning=ESC_REASONING, chunk_chars=3),
        error_stream("Half \x1b[", code="1302", message=ESC_ERROR),
    )
    cli_ = CLI(tmp_path, fake_glm.base_url)
    result = cli_.run("ask", "--reasoning", ESC_PROMPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == SHOWN_CONTENT + "\n"
    assert result.stderr == SHOWN_REASONING + "\n\n"
    result = cli_.run("ask", "-c", "Again")
    assert result.returncode == 1
    assert result.stdout == "Half \n"
    assert result.stderr == (
        "error: the provider reported an error while replying (code 1302: Overloaded).\n"
    )
    [conv] = cli_.json("list")
    shown = cli_.run("show", str(conv["id"]))
    assert shown.returncode == 0, shown.stderr
    for text in (SHOWN_CONTENT, SHOWN_REASONING, "Say green things", "Overloaded)."):
        assert text in shown.stdout
    _no_leftovers(shown.stdout)
    _no_leftovers(cli_.run("show", "--all", str(conv["id"])).stdout)
    _no_leftovers(cli_.run("export", str(conv["id"])).stdout)
    # JSON keeps what was sent.
    data = cli_.json("show", str(conv["id"]))
    assert [m["content"] for m in data["messages"]] == [
        ESC_PROMPT,
        ESC_CONTENT,
        "Again",
        "Half \x1b[",
    ]
    assert data["messages"][1]["reasoning"] == ESC_REASONING
    assert ESC_ERROR in data["messages"][3]["error"]


@pytest.mark.slow
def test_strange_text_in_a_real_terminal(tmp_path: Path, fake_glm: FakeGLM) -> None:
    """The real TUI writes it all to a real terminal (a pty: the bytes are really encoded)."""
    fake_glm.enqueue(raw_stream(list(BAD_STREAM)), zai_stream(STRANGE_TEXT + " DONE-HERE"))
    cli_ = CLI(tmp_path, fake_glm.base_url)
    (tmp_path / "config.toml").write_text("auto_title = false\n")  # no title request between
    with TUIProcess([], cli_.env()) as tui:
        tui.wait_for("Message GLM")
        tui.type("Misbehave\r")
        tui.wait_for("escape END")
        tui.type("\x0e")  # Ctrl+N: a new conversation
        tui.type(STRANGE["right-to-left"] + "\r")
        tui.wait_for("DONE-HERE")
        assert tui.proc.poll() is None  # still running
        for word in STRANGE["emoji"].split():
            assert word in tui.text()
    with Store.open(cli_.db) as store:
        replies = [store.current_path(c.id)[-1] for c in store.list_conversations()]
    assert sorted(r.content for r in replies) == sorted(
        [SAVED_CONTENT, STRANGE_TEXT + " DONE-HERE"]
    )
