"""Issue 8, item 3: two TUIs and a script on one database at once. All of them work, nothing is
lost, and each TUI shows the others' new conversations: on a timer (``POLL_SECONDS``, one cheap
``PRAGMA data_version`` a tick) and at once when the terminal gets the focus back.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual import events

from glm_tui.store import Store
from glm_tui.ui.screens import main as main_screen
from tests.app_fixture import Tui
from tests.cli_helpers import CLI
from tests.fakeglm import FakeGLM, gated_stream
from tests.tui_process import TUIProcess
from tests.ui_helpers import send, shows, wait_idle, wait_until


async def test_focus_shows_what_another_process_wrote_at_once(
    tui: Tui, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "POLL_SECONDS", 3600.0)  # only the focus can notice it
    with Store.open(store.path) as other:
        async with tui() as (app, pilot):
            other.create_conversation(title="Written elsewhere", provider="openai", model="m")
            await pilot.pause()
            assert "Written elsewhere" not in [s.title for s in app.main.sidebar.summaries]
            app.post_message(events.AppFocus())
            await shows(pilot, "Written elsewhere")


async def test_poll_failures_are_quiet_and_retried(tui: Tui, store: Store) -> None:
    async with tui() as (app, pilot):
        real = store.data_version
        store.data_version = _failing  # type: ignore[method-assign]
        await app.session.look_elsewhere()
        await pilot.pause()
        assert not app._notifications  # no error toast every two seconds
        store.data_version = real  # type: ignore[method-assign]
        with Store.open(store.path) as other:
            other.create_conversation(title="Back again", provider="openai", model="m")
        await app.session.look_elsewhere()
        await shows(pilot, "Back again")


def _failing() -> int:
    from glm_tui.store import DatabaseLocked

    raise DatabaseLocked("locked for the test")


@pytest.mark.slow
async def test_two_tuis_and_a_script_at_once(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    # Three replies held open together until every program is writing, then released at once.
    fake_glm.enqueue(
        *(gated_stream(f"Reply {i} begins ", f"and reply {i} ends.", gate) for i in range(3))
    )
    cli = CLI(tmp_path, fake_glm.base_url)
    # Automatic titles are requests of their own (test_auto_title.py): the titles stay the prompts.
    (tmp_path / "config.toml").write_text("auto_title = false\n")
    with TUIProcess([], cli.env()) as other:
        async with tui(fake_glm.base_url) as (app, pilot):
            await wait_until(pilot, lambda: "Message GLM" in other.text(), 20, "the other TUI")
            other.type("Alpha one\r")
            await send(pilot, app, "Bravo two")
            script = cli.popen("ask", "Charlie three")
            try:
                await fake_glm.await_requests(3)
                await shows(pilot, "Reply")  # all three are writing now
                gate.set()
                await wait_until(pilot, lambda: script.poll() is not None, 20, "the script")
                out, err = script.communicate()
                assert script.returncode == 0, err
                assert out.startswith("Reply ") and out.endswith(" ends.\n")
            finally:
                if script.poll() is None:
                    script.kill()
                    script.communicate()
            await wait_idle(pilot, app)
            # This TUI shows the other TUI's conversation and the script's.
            await shows(pilot, "Alpha one")
            await shows(pilot, "Charlie three")
            # ...and the other TUI shows this one's and the script's.
            await wait_until(pilot, lambda: "Bravo two" in other.text(), 20, "Bravo in the TUI")
            await wait_until(pilot, lambda: "Charlie three" in other.text(), 20, "Charlie there")

        conversations = {c.title: c for c in store.list_conversations()}
        assert sorted(conversations) == ["Alpha one", "Bravo two", "Charlie three"]
        replies = set()
        for conversation in conversations.values():
            user, reply = store.current_path(conversation.id)
            assert user.content == conversation.title
            assert reply.status == "complete", (conversation.title, reply)
            replies.add(reply.content)
        assert replies == {f"Reply {i} begins and reply {i} ends." for i in range(3)}


async def test_the_open_conversation_shows_what_another_process_adds_to_it(
    tui: Tui, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "POLL_SECONDS", 3600.0)  # the test says when to look
    with Store.open(store.path) as other:
        cid = other.create_conversation(title="Shared", provider="openai", model="m")
        first = other.add_message(cid, parent_id=None, role="user", content="First question")
        answer = other.add_message(cid, parent_id=first, role="assistant", content="First answer")
        async with tui(open=cid) as (app, pilot):
            await shows(pilot, "First answer")
            kept = app.main.pane.widget_for(first)
            # `glm-tui ask -c` elsewhere: a prompt, and a reply still being written.
            second = other.add_message(cid, parent_id=answer, role="user", content="Second one")
            reply = other.add_message(
                cid, parent_id=second, role="assistant", content="Half of", status="streaming"
            )
            await app.session.look_elsewhere()
            await shows(pilot, "Half of")
            other.update_message(reply, content="Half of the second answer.", status="complete")
            await app.session.look_elsewhere()
            await shows(pilot, "Half of the second answer.")
            # What was shown before is the same widget: the view did not move or rebuild.
            assert app.main.pane.widget_for(first) is kept
            assert [w.message.id for w in app.main.pane.message_widgets()] == [  # type: ignore[attr-defined]
                first,
                answer,
                second,
                reply,
            ]
