"""Files in the TUI (issue 15): the ``@`` list, the picker (Ctrl+O), pastes that become
attachments, the chips above the composer and under a sent prompt, and files that cannot go."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import TextArea

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.attach_file import AttachFileScreen
from glm_tui.ui.screens.attachment_view import AttachmentScreen
from glm_tui.ui.screens.dialogs import ConfirmScreen
from glm_tui.ui.screens.mention_completion import mention_at
from glm_tui.ui.widgets.attachment_chips import Chip
from glm_tui.ui.widgets.messages import UserMessage
from glm_tui.ui.widgets.path_completion import PathCompletion
from tests.app_fixture import Running, Tui
from tests.attachment_helpers import binary_bytes, write
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    send,
    shows,
    type_text,
    wait_idle,
    wait_until,
)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The working directory the app attaches from: real files."""
    folder = tmp_path / "work"
    write(folder / "app.py", "print('quokka')\n")
    write(folder / "src" / "main.py", "import app\n")
    write(folder / "blob.bin", binary_bytes())
    return folder


@pytest.fixture
def in_work(tui: Tui, work: Path) -> Tui:
    """The app attaching from ``work`` (``tui``'s arguments)."""

    @asynccontextmanager
    async def run(*args: Any, **kwargs: Any) -> AsyncIterator[Running]:
        async with tui(*args, **kwargs) as (app, pilot):
            app.session.attachments.cwd = work
            yield app, pilot

    return run


def completion(app: GLMApp) -> PathCompletion:
    return app.main.query_one("#path-completion", PathCompletion)


def listed(app: GLMApp) -> list[str]:
    listing = completion(app)
    return [c.path for c in listing.candidates] if listing.display else []


def chips(app: GLMApp) -> list[str]:
    return [chip.attachment.name for chip in app.main.query(Chip)]


def notified(app: GLMApp, text: str, title: str = "") -> bool:
    return any(text in n.message and title in n.title and not n.markup for n in app._notifications)


async def paste(pilot: Pilot[Any], app: GLMApp, text: str) -> None:
    app.main.composer.focus()
    app.post_message(events.Paste(text))  # as the terminal sends it: the app forwards it
    await pilot.pause()


def test_a_mention_starts_at_an_at_sign_after_a_space() -> None:
    assert mention_at("Explain @gl") == (8, "gl")
    assert mention_at("@") == (0, "")
    assert mention_at('see @"my no') == (4, "my no")
    assert mention_at('see @"my notes.txt" and') is None
    assert mention_at("mail me@example.com") is None
    assert mention_at("@app.py then") is None


async def test_at_lists_paths_tab_inserts_one_and_enter_then_sends_it(
    in_work: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("It prints quokka."))
    async with in_work(fake_glm.base_url) as (app, pilot):
        await type_text(pilot, "Explain @ap")
        await wait_until(pilot, lambda: listed(app)[:1] == ["app.py"], what="the @ list")
        await shows(pilot, "app.py")
        await pilot.press("tab")
        assert app.main.composer.text == "Explain @app.py "
        await wait_until(pilot, lambda: not completion(app).display, what="the list to close")
        await pilot.press("enter")
        await wait_idle(pilot, app)
        sent = fake_glm.requests[-1].json["messages"][-1]["content"]
        assert sent == "File: app.py\n```python\nprint('quokka')\n```\n\nExplain @app.py "
        # The sent prompt keeps its chip.
        await shows(pilot, "[app.py · 16 B]")


async def test_a_folder_is_listed_into_and_escape_closes_the_list_without_stopping(
    in_work: Tui,
) -> None:
    async with in_work(size=(60, 16)) as (app, pilot):  # a small terminal
        await type_text(pilot, "@sr")
        await wait_until(pilot, lambda: listed(app)[:1] == ["src/"], what="the folder")
        await pilot.press("enter")  # chooses, does not send
        assert app.main.composer.text == "@src/"
        await wait_until(pilot, lambda: "src/main.py" in listed(app), what="the folder's files")
        await pilot.press("down", "enter")
        assert app.main.composer.text == "@src/main.py "
        await type_text(pilot, "and @")
        await wait_until(pilot, lambda: listed(app)[:1] == ["src/"], what="the top level")
        await pilot.press("escape")
        assert not completion(app).display and app.main.composer.has_focus
        await type_text(pilot, "m")  # another mention: the list is back for it
        await wait_until(pilot, lambda: bool(listed(app)), what="the list again")
        await pilot.press("space")
        await wait_until(pilot, lambda: not completion(app).display, what="a space to close it")


async def test_the_picker_attaches_and_a_chip_is_removed_from_the_keyboard(
    in_work: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Two files."))
    async with in_work(fake_glm.base_url) as (app, pilot):
        await type_text(pilot, "Look")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        await type_text(pilot, "main")
        await wait_until(
            pilot,
            lambda: (
                [c.path for c in app.screen.query_one(PathCompletion).candidates][:1]
                == ["src/main.py"]
            ),
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: chips(app) == ["src/main.py"], what="the chip")
        await shows(pilot, "src/main.py · 11 B · ~")
        # The same again, then app.py: two chips; the draft is untouched.
        for name in ("main", "app.py"):
            await pilot.press("ctrl+o")
            await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
            await type_text(pilot, name)
            await pilot.pause()
            await wait_until(pilot, lambda: app.screen.query_one(PathCompletion).display)
            await pilot.press("enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, AttachFileScreen))
        await wait_until(pilot, lambda: chips(app) == ["src/main.py", "app.py"])
        assert app.main.composer.text == "Look" and app.main.composer.has_focus
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Chip) and app.focused.attachment.name == "app.py"
        await pilot.press("left", "delete")
        await wait_until(pilot, lambda: chips(app) == ["app.py"], what="the chip to go")
        assert isinstance(app.focused, Chip)  # on the next chip
        await pilot.press("escape")
        assert app.main.composer.has_focus
        await pilot.press("enter")
        await wait_idle(pilot, app)
        sent = fake_glm.requests[-1].json["messages"][-1]["content"]
        assert sent.startswith("File: app.py\n") and sent.endswith("\n\nLook")
        assert "main.py" not in sent
        assert chips(app) == [] and not app.main.attachment_bar.display


async def test_a_binary_cannot_be_attached_and_nothing_is_lost(
    in_work: Tui, fake_glm: FakeGLM
) -> None:
    async with in_work(fake_glm.base_url) as (app, pilot):
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        await type_text(pilot, "blob.bin")
        await wait_until(pilot, lambda: app.screen.query_one(PathCompletion).display)
        await pilot.press("enter")
        await wait_until(pilot, lambda: notified(app, "blob.bin is a binary file", "Cannot attach"))
        assert chips(app) == []
        # An @ mention of it: nothing is sent, the draft stays.
        await send(pilot, app, "What is @blob.bin?")
        await wait_until(pilot, lambda: notified(app, "blob.bin is a binary file", "Not sent"))
        assert app.main.composer.text == "What is @blob.bin?"
        assert fake_glm.requests == []
        # A path that does not exist.
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        await type_text(pilot, "/nowhere/at/all.txt")
        await wait_until(pilot, lambda: not app.screen.query_one(PathCompletion).display)
        await pilot.press("enter")
        await wait_until(pilot, lambda: notified(app, "all.txt", "Cannot attach"))
        assert chips(app) == [] and app.main.composer.text == "What is @blob.bin?"


async def test_a_long_paste_becomes_an_attachment_and_a_pasted_path_is_offered(
    in_work: Tui, work: Path
) -> None:
    async with in_work() as (app, pilot):
        await paste(pilot, app, "log line\n" * 300)
        await wait_until(pilot, lambda: chips(app) == ["pasted text"], what="the pasted chip")
        assert app.main.composer.text == ""
        await wait_until(pilot, lambda: notified(app, "is attached as “pasted text”"))
        await paste(pilot, app, "short words")
        assert app.main.composer.text == "short words" and chips(app) == ["pasted text"]
        app.main.composer.load_text("")
        await paste(pilot, app, str(work / "app.py"))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: chips(app) == ["pasted text", "app.py"])
        assert app.main.composer.text == ""
        await paste(pilot, app, "app.py")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # not attached: the text goes in as pasted
        await wait_until(pilot, lambda: app.main.composer.text == "app.py")
        assert chips(app) == ["pasted text", "app.py"]
        # Enter on a chip shows its content.
        await pilot.press("shift+tab", "left", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachmentScreen))
        assert app.screen.query_one("#attachment-text", TextArea).text.startswith("log line\n")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AttachmentScreen))


async def test_o_on_a_sent_prompt_shows_its_attachments(in_work: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("Seen."))
    async with in_work(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Read @app.py and @src/main.py")
        await wait_idle(pilot, app)
        await pilot.press("up", "up")
        assert isinstance(app.focused, UserMessage)
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachmentScreen))
        text = app.screen.query_one("#attachment-text", TextArea)
        assert text.text == "print('quokka')\n"
        await pilot.press("down")  # the list: the second attachment
        await wait_until(pilot, lambda: text.text == "import app\n")
        await pilot.press("escape")


async def test_the_status_line_shows_the_window_and_warns_past_80_percent(
    in_work: Tui, fake_glm: FakeGLM
) -> None:
    from glm_tui.ui.widgets.status_line import StatusLine
    from tests.fakeglm import usage_dict

    fake_glm.enqueue(
        zai_stream("ok", usage=usage_dict(prompt=5_000, completion=2)),
        zai_stream("ok", usage=usage_dict(prompt=8_500, completion=2)),
    )
    async with in_work(fake_glm.base_url, context_window=10_000) as (app, pilot):
        status = app.query_one(StatusLine)
        assert "ctx" not in str(status.render())  # nothing open
        await send(pilot, app, "Hello")
        await wait_idle(pilot, app)
        await shows(pilot, "ctx 5.0k/10k")

        def warned() -> bool:
            content = status.render()
            label = str(content).index("ctx ")
            return any(
                "warning" in str(span.style) and span.start <= label < span.end
                for span in content.spans  # type: ignore[attr-defined]
            )

        assert not warned()
        await send(pilot, app, "Again")
        await wait_idle(pilot, app)
        await shows(pilot, "ctx 8.5k/10k")
        assert warned()


async def test_the_seeded_history_shows_no_chips(tui: Tui, store: Store) -> None:
    """A prompt without attachments has no chip line (and ``o`` is not offered)."""
    from tests.ui_helpers import seed_conversation

    cid = seed_conversation(store, "Plain", [("Hi", "Hello.", None)], updated_at="2024-03-14")
    async with tui(open=cid) as (app, pilot):
        await pilot.pause()
        assert not app.main.query(".sent-chips")
        await pilot.press("up", "up")
        assert isinstance(app.focused, UserMessage)
        assert not app.focused.check_action("open_attachments", ())


async def test_a_folder_from_the_picker_attaches_its_text_files_and_says_what_was_left_out(
    in_work: Tui, work: Path
) -> None:
    write(work / "docs" / "guide.md", "# Guide\n")
    write(work / "docs" / "logo.bin", binary_bytes())
    async with in_work() as (app, pilot):
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        await type_text(pilot, "docs/")
        await wait_until(
            pilot,
            lambda: (
                [c.path for c in app.screen.query_one(PathCompletion).candidates][:1] == ["docs/"]
            ),
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: chips(app) == ["docs/guide.md", "docs/"])
        assert notified(app, "1 text file attached, 1 left out", "Attached")


async def test_chips_and_the_list_at_30x10(in_work: Tui) -> None:
    async with in_work(size=(30, 10)) as (app, pilot):
        await app.session.attachments.attach("app.py")
        await type_text(pilot, "@s")
        await wait_until(pilot, lambda: bool(listed(app)), what="the list")
        await pilot.pause()
        listing, composer = completion(app), app.main.composer
        assert listing.region.height >= 1 and composer.region.height >= 3
        assert app.main.attachment_bar.region.height == 1
        await pilot.press("tab")
        assert composer.text == "@src/"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not completion(app).display)
        assert app.is_running and composer.text == "@src/"
