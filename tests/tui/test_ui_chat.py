"""The TUI against the fake GLM server: sending, streaming, thinking, stopping, retrying."""

from __future__ import annotations

import inspect
import sys
import threading
from typing import Any

from textual import events
from textual.widgets import Static

from glm_tui.store import Store
from glm_tui.ui.textual_private import paint_now
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.app_fixture import Tui
from tests.fakeglm import (
    DEFAULT_REASONING,
    DEFAULT_REPLY,
    FakeGLM,
    chunk,
    gated_stream,
    raw_stream,
    slow_stream,
    sse,
    stall_stream,
    zai_error,
    zai_stream,
)
from tests.tui_process import _ANSI
from tests.ui_helpers import (
    click,
    hides,
    screen_text,
    send,
    shows,
    wait_idle,
    wait_until,
)


def replies(app) -> list[AssistantMessage]:
    return list(app.query(AssistantMessage))


async def test_send_and_stream(tui: Tui, fake_glm: FakeGLM, store: Store) -> None:
    fake_glm.enqueue(zai_stream("# Title\n\nSome **bold** text.", reasoning="Let me think."))
    async with tui(fake_glm.base_url) as (app, pilot):
        assert app.focused is app.main.composer
        await send(pilot, app, "Hello there")
        await wait_idle(pilot, app)
        [user] = app.query(UserMessage)
        [reply] = replies(app)
        assert user.message.content == "Hello there"
        assert reply.answer.source == "# Title\n\nSome **bold** text."
        assert reply.message.status == "complete"
        assert app.main.composer.text == ""
        assert app.focused is app.main.composer
        await shows(pilot, "Some bold text.")
        text = screen_text(app)
        assert "Some bold text." in text
        assert "Hello there" in text  # the prompt, and the sidebar title
        assert "conversation: " in text  # the status line: tokens so far
        saved = store.current_path(app.session.current_id)
        assert [m.role for m in saved] == ["user", "assistant"]
        assert saved[1].reasoning == "Let me think."
    body = fake_glm.requests[0].json
    assert body["messages"][-1] == {"role": "user", "content": "Hello there"}


async def test_thinking_is_open_while_thinking_then_folds(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(
        raw_stream(
            [
                sse(chunk(reasoning="Weighing the ")),
                sse(chunk(reasoning="options carefully.")),
                1.0,
                sse(chunk(content="The answer is 42.")),
                sse(chunk(content="", finish_reason="stop")),
                sse("[DONE]"),
            ]
        )
    )
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Think about it")
        await wait_until(
            pilot,
            lambda: replies(app) and replies(app)[0].thinking.body.source.endswith("carefully."),
            what="the reasoning to show",
        )
        thinking = replies(app)[0].thinking
        assert not thinking.collapsed
        await shows(pilot, "Weighing the options carefully.")
        await shows(pilot, "Thinking…")
        await wait_idle(pilot, app)
        assert thinking.collapsed
        assert replies(app)[0].answer.source == "The answer is 42."
        await hides(pilot, "Weighing the options")
        # The user can open it again.
        await click(pilot, thinking._title)
        await pilot.pause()
        assert not thinking.collapsed
        await shows(pilot, "Weighing the options carefully.")


async def test_stop_with_escape_keeps_the_partial_reply(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(stall_stream(content="Partial answer", reasoning="Hmm"))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Tell me everything")
        await wait_until(
            pilot,
            lambda: replies(app) and replies(app)[0].answer.source == "Partial answer",
            what="the partial answer",
        )
        await pilot.press("escape")
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.message.status == "stopped"
        assert reply.answer.source == "Partial answer"
        await shows(pilot, "Stopped")
        saved = store.get_message(reply.message.id)
        assert saved.status == "stopped"
        assert saved.content == "Partial answer"
        assert app.focused is app.main.composer
        # A stopped reply can be retried: the button made when the reply stopped, in its place.
        assert reply.query_one(".retry").display
        footer = reply.query_one(".message-footer")
        names = ("meta", "retry", "copy")
        assert [next(n for n in names if c.has_class(n)) for c in footer.children] == list(names)


async def test_a_complete_reply_makes_no_parts_it_does_not_show(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("All fine, no code.", reasoning="ok"))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Hello")
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.message.status == "complete"
        for hidden in (".sources", ".status-text", ".retry", ".compact-retry", ".copy-code"):
            assert not reply.query(hidden), hidden  # made hidden before: a third of the widgets
        assert reply.query_one(".copy").display


async def test_a_reply_with_code_gets_copy_code_after_copy(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("Here:\n\n```python\nprint(1)\n```\n", reasoning="ok"))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Code please")
        await wait_idle(pilot, app)
        [reply] = replies(app)
        footer = reply.query_one(".message-footer")
        names = ("meta", "copy", "copy-code")
        assert [next(n for n in names if c.has_class(n)) for c in footer.children] == list(names)
        await shows(pilot, "Copy code")


async def test_error_then_retry(tui: Tui, fake_glm: FakeGLM, store: Store) -> None:
    fake_glm.enqueue(
        zai_error(401, "1000", "Authentication failed [check your key]"),
        zai_stream("Now it works.", reasoning="ok"),
    )
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "First try")
        await wait_idle(pilot, app)
        [failed] = replies(app)
        assert failed.message.status == "error"
        await shows(pilot, "Error: the API key was rejected")
        text = screen_text(app)
        assert "Error: the API key was rejected" in text
        # As written (markup shows literally), wrapped in the pane.
        assert "Authentication failed" in text and "[check your key])." in text
        assert str(failed.query_one(".status-text", Static).content) == (
            "Error: the API key was rejected "
            "(HTTP 401, code 1000: Authentication failed [check your key]). "
            "Check the key and the provider."
        )
        assert "First try" in text  # the prompt is kept
        await click(pilot, failed.query_one(".retry"))
        await wait_until(pilot, lambda: any(r.message.status == "complete" for r in replies(app)))
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.answer.source == "Now it works."
        assert len(app.query(UserMessage)) == 1
        path = store.current_path(app.session.current_id)
        assert [m.content for m in path] == ["First try", "Now it works."]
        assert len(store.siblings(reply.message.id)) == 2


async def test_ctrl_r_regenerates_the_last_reply(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("One."), zai_stream("Two."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Count")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 2)
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.answer.source == "Two."


async def test_switching_conversation_does_not_stop_a_reply(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    long_reply = " ".join(f"word{i}" for i in range(60))
    fake_glm.enqueue(gated_stream(long_reply[:100], long_reply[100:], gate))
    fake_glm.enqueue(zai_stream("Quick answer."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Write a long text")
        await wait_until(pilot, lambda: replies(app) and replies(app)[0].answer.source)
        first = app.session.current_id
        first_reply = replies(app)[0].message.id
        await pilot.press("ctrl+n")
        assert first in app.session.live
        await shows(pilot, "●")  # the sidebar marks the conversation being written
        await send(pilot, app, "Something else")
        await wait_until(
            pilot,
            lambda: (
                app.session.current_id != first and app.session.current_id not in app.session.live
            ),
        )
        assert first in app.session.live
        assert replies(app)[0].answer.source == "Quick answer."
        # Back to the first one, still streaming: it shows the text so far and goes on.
        await app.main.open_conversation(first)
        await pilot.pause()
        assert first in app.session.live
        gate.set()
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.message.id == first_reply
        assert reply.answer.source == long_reply
        assert store.get_message(first_reply).content == long_reply
        assert store.get_message(first_reply).status == "complete"


async def test_markup_and_escape_codes_show_literally(tui: Tui, fake_glm: FakeGLM) -> None:
    nasty = "Look: [bold]x[/bold] and [/ and [0] and \x1b[31mred\x1b[0m [link=x]y[/link]"
    fake_glm.enqueue(zai_stream(nasty, reasoning="Thinking about [i]this[/i] \x1b[2J"))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Say [bold]hi[/bold] [/ [0]")
        await wait_idle(pilot, app)
        reply = replies(app)[0]
        await click(pilot, reply.thinking._title)
        await pilot.pause()
        # Markup shows literally; escape codes are removed whole (issue 12, item 10).
        await shows(pilot, "Look: [bold]x[/bold] and [/ and [0] and red [link=x]y[/link]")
        text = screen_text(app)
        assert "Look: [bold]x[/bold] and [/ and [0] and red [link=x]y[/link]" in text
        assert "\x1b" not in text and "[31m" not in text and "[2J" not in text
        assert "Say [bold]hi[/bold] [/ [0]" in text  # the prompt and the sidebar title
        assert "Thinking about [i]this[/i] " in text
        assert app.is_running


async def test_copy_reply_and_code(tui: Tui, fake_glm: FakeGLM) -> None:
    """Each copy says what it copied: how many characters, which code blocks."""
    two_blocks = "Run:\n\n```bash\nls\npwd\n```\n\nThen:\n\n~~~\nplain\n~~~\n"
    fake_glm.enqueue(zai_stream("Here:\n\n```python\nprint('hi')\n```\n"), zai_stream(two_blocks))
    notices: list[str] = []
    async with tui(fake_glm.base_url) as (app, pilot):
        app.notify = lambda message, **kw: notices.append(str(message))  # type: ignore[method-assign,assignment]
        await send(pilot, app, "Code please")
        await wait_idle(pilot, app)
        reply = replies(app)[0]
        reply.focus()
        await pilot.press("k")
        assert app.clipboard == "print('hi')"
        assert notices[-1] == "Copied the python code block (1 line)."
        await pilot.press("c")
        assert app.clipboard == "Here:\n\n```python\nprint('hi')\n```\n"
        assert notices[-1] == f"Copied the reply ({len(app.clipboard)} characters, as Markdown)."
        app.main.pane.message_widgets()[0].focus()
        await pilot.press("c")
        assert notices[-1] == "Copied the prompt (11 characters)."

        await send(pilot, app, "More")
        await wait_idle(pilot, app)
        replies(app)[-1].focus()
        await pilot.press("k")
        assert app.clipboard == "ls\npwd\n\nplain"
        assert notices[-1] == "Copied 2 code blocks (bash, text; 3 lines)."


async def test_thinking_toggle_is_sent_and_shown(tui: Tui, fake_glm: FakeGLM) -> None:
    async with tui(fake_glm.base_url) as (app, pilot):
        await shows(pilot, "thinking on")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await shows(pilot, "thinking off")
        await send(pilot, app, "No thinking")
        await wait_idle(pilot, app)
        assert fake_glm.requests[0].json["thinking"] == {"type": "disabled"}
        await shows(pilot, DEFAULT_REPLY)
        await hides(pilot, DEFAULT_REASONING)


async def test_view_follows_the_reply_unless_scrolled_up(tui: Tui, fake_glm: FakeGLM) -> None:
    lines = "".join(f"Line {i} of a long answer.\n\n" for i in range(60))
    fake_glm.enqueue(slow_stream(lines, tokens_per_second=15, chunk_chars=40))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "A long one")
        pane = app.main.pane
        await wait_until(pilot, lambda: pane.max_scroll_y > 10, what="the reply to overflow")
        await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="pinned")
        assert app.session.current_id in app.session.live
        pane.scroll_home(animate=False)  # the user scrolls up to read
        await wait_idle(pilot, app)
        assert pane.scroll_y == 0
        assert pane.max_scroll_y > 10
        assert replies(app)[0].answer.source == lines


async def test_composer_keys(tui: Tui, fake_glm: FakeGLM) -> None:
    async with tui(fake_glm.base_url) as (app, pilot):
        await pilot.press(*"one", "ctrl+j", *"two", "shift+enter", *"three")
        assert app.main.composer.text == "one\ntwo\nthree"
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert app.query_one(UserMessage).message.content == "one\ntwo\nthree"
        assert fake_glm.requests[0].json["messages"][-1]["content"] == "one\ntwo\nthree"
        # Enter on an empty composer sends nothing.
        await pilot.press("enter")
        await pilot.pause()
        assert len(fake_glm.requests) == 1


async def test_r_on_a_selected_reply_regenerates_it(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("First."), zai_stream("Second."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Again")
        await wait_idle(pilot, app)
        replies(app)[0].focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 2)
        await wait_idle(pilot, app)
        [reply] = replies(app)
        assert reply.answer.source == "Second."
        assert app.focused is app.main.composer


async def test_keys_typed_right_after_enter_stay_in_the_composer(
    tui: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    """The prompt leaves the composer once it is saved; what was typed while it was being saved
    is the start of the next one, not thrown away with it."""
    fake_glm.enqueue(zai_stream("Sure."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await pilot.press(*"First")
        # As a terminal sends them: the keys after Enter reach the composer while the prompt
        # is being saved (Pilot's press would wait for each key's handlers to finish).
        composer = app.main.composer
        composer.post_message(events.Key("enter", None))
        for char in "next":
            composer.post_message(events.Key(char, char))
        await wait_until(pilot, lambda: store.list_conversations(), what="the prompt saved")
        await wait_idle(pilot, app)
        [conversation] = store.list_conversations()
        assert [m.content for m in store.current_path(conversation.id)] == ["First", "Sure."]
        assert app.main.composer.text == "next"


async def test_what_the_first_reply_needs_is_made_in_a_thread_after_the_first_screen(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    """The HTTP client and Textual's Markdown cost the event loop 50-100 ms when the first reply
    started: a thread makes them once the first screen is up, before any prompt."""
    async with tui(fake_glm.base_url) as (app, pilot):
        service = app.session.service
        await wait_until(
            pilot,
            lambda: service._client is not None and "textual.widgets._markdown" in sys.modules,
            what="the client and the Markdown widget",
        )
        assert fake_glm.chat_requests() == []  # nothing was asked of the provider


async def test_a_key_typed_in_the_composer_is_drawn_at_once_not_at_the_next_frame(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    """While a reply streams at full speed the screen's next update lays out and draws what the
    reply mounted meanwhile (tens of ms); the composer draws a key's echo itself, at once."""
    async with tui(fake_glm.base_url) as (app, pilot):
        drawn: list[tuple[str, bool]] = []  # (the text of an update, drawn by a frame)
        display = app._display

        def recording(screen: Any, renderable: Any) -> None:
            frame = any(f.function == "_on_timer_update" for f in inspect.stack(context=0))
            if renderable is not None:
                text = _ANSI.sub(b"", renderable.render_segments(app.console).encode()).decode()
                drawn.append((text, frame))
            display(screen, renderable)

        app._display = recording  # type: ignore[method-assign]
        await pilot.press("Q")
        assert app.main.composer.text == "Q"
        first = next(frame for text, frame in drawn if "Q" in text)
        assert first is False  # drawn by the composer, before any frame
        # Not when its region may change (it waits for a layout: it grew a line); yes while
        # updates are batched (Textual's Markdown batches while a render's blocks mount).
        composer = app.main.composer
        composer.refresh(layout=True)
        assert not paint_now(composer)
        await pilot.pause()
        drawn.clear()
        composer.insert("R")
        with app.batch_update():
            assert paint_now(composer)
        assert any("QR" in text and not frame for text, frame in drawn)
        # Should drawing early fail, the next frame draws it (and would report the failure).
        compositor = app.screen._compositor

        def failing(**_: Any) -> None:
            raise RuntimeError("drawing failed")

        compositor.render_update = failing  # type: ignore[assignment]
        composer.insert("S")
        assert not paint_now(composer)
        del compositor.render_update
        await pilot.pause()
        assert "QRS" in screen_text(app)  # type: ignore[arg-type]
