"""Issue 8, item 2: kill -9 in the middle of a reply, with the TUI as a real process on a
pseudo-terminal. After a restart the prompt and the partial reply are there, marked
interrupted, and Retry works. (``ask`` killed the same way: test_cli_ask.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from glm_tui.store import Store
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.cli_helpers import CLI
from tests.cli_helpers import wait_until as wait_for_state
from tests.fakeglm import FakeGLM, stall_stream, zai_stream
from tests.reliability_helpers import click_when_still
from tests.tui_process import TUIProcess
from tests.ui_helpers import SIZE, make_app, screen_text, shows, ui_settings, wait_until

pytestmark = pytest.mark.slow

PARTIAL = "Once upon a time, in a land far away"
REASONING = "A fairy tale, then."


def saved_reply(db: Path) -> str | None:
    """The reply's text as it is in the database file right now (None before it exists)."""
    if not db.exists():
        return None
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchone()
    except sqlite3.OperationalError:  # the schema is not written yet
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])


async def test_kill_9_mid_reply_then_restart_shows_it_interrupted_and_retries(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(stall_stream(PARTIAL, reasoning=REASONING))
    cli = CLI(tmp_path, fake_glm.base_url)
    with TUIProcess([], cli.env()) as tui:
        tui.wait_for("Message GLM")  # the composer is there: the app is up
        tui.type("Tell me a story\r")
        tui.wait_for(PARTIAL)
        wait_for_state(lambda: saved_reply(cli.db) == PARTIAL)
        tui.kill9()
        assert tui.proc.returncode == -9

    fake_glm.enqueue(zai_stream("The End, told in full this time."))
    settings = ui_settings(tmp_path, fake_glm.base_url)
    with Store.open(cli.db) as store:
        [conversation] = store.list_conversations()
        app = make_app(settings, store)
        async with app.run_test(size=SIZE) as pilot:
            await shows(pilot, "Tell me a story")  # the title, in the sidebar
            await app.main.open_conversation(conversation.id)
            await shows(pilot, PARTIAL)
            await shows(pilot, "Interrupted: the reply did not finish")
            assert "Tell me a story" in screen_text(app)
            [reply] = app.query(AssistantMessage)
            assert reply.message.status == "interrupted"
            assert reply.message.content == PARTIAL
            assert reply.message.reasoning == REASONING

            await click_when_still(pilot, reply.query_one(".retry"))
            await shows(pilot, "The End, told in full this time.")
            await wait_until(pilot, lambda: not app.session.live)
            [user, new] = store.current_path(conversation.id)
            assert user.content == "Tell me a story"
            assert (new.status, new.content) == ("complete", "The End, told in full this time.")
            old = store.get_message(reply.message.id)
            assert (old.status, old.content) == ("interrupted", PARTIAL)
            # What the retry sent: the prompt, not the dead partial reply.
            assert fake_glm.requests[-1].json["messages"] == [
                {"role": "user", "content": "Tell me a story"}
            ]
