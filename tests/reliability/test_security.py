"""Issue 8, item 7: the API key never appears in the database file (nor its -wal), exports, logs,
screenshots or error messages, also when the provider echoes it; config.toml holding a key is
written with mode 0600, and a warning is shown (CLI stderr, a TUI notification) when others can
read it; ``glm-tui config`` redacts it.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.traceback import Traceback

from glm_tui.api import APIError, GLMClient
from glm_tui.chat import ChatService
from glm_tui.cli import cli
from glm_tui.config import load_settings, save_config
from glm_tui.store import Store
from tests.app_fixture import Tui
from tests.cli_helpers import CLI
from tests.fakeglm import (
    FakeGLM,
    Response,
    body_response,
    chunk,
    error_stream,
    raw_stream,
    sse,
    zai_error,
    zai_stream,
)
from tests.tui_process import TUIProcess
from tests.ui_helpers import SIZE, make_app, send, shows, ui_settings, wait_idle, wait_until

# No well-known prefix: any 8 characters of it in a row count as a leak.
KEY = "sk-Zq7Wm2Kp9Xv4Tr6Ys1Nb8Lc3Hd5Fg0Jt"


def leaks(data: str | bytes) -> list[str]:
    """The pieces of the key (8 characters or more) found in ``data``; [] when none."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    found = []
    for start in range(len(KEY) - 7):
        piece = KEY[start : start + 8]
        if piece in text:
            found.append(piece)
    return found


# -- error messages: every way a provider may echo the key ---------------------------------

PAD = "y" * 180  # puts the key across the 200-character cut of a long message


def _echoes() -> list[tuple[str, Response]]:
    return [
        ("json-401", zai_error(401, "1001", f"Invalid API key: Bearer {KEY}")),
        ("html-title", body_response(502, f"<html><title>{PAD} {KEY}</title></html>", "text/html")),
        ("text-body", body_response(500, f"{PAD} {KEY} more words", "text/plain")),
        (
            "wrong-content-type",
            body_response(
                200, json.dumps({"error": {"message": f"key {KEY}"}}), "application/json"
            ),
        ),
        ("error-frame", error_stream("Partial", code="1001", message=f"bad key {KEY}")),
        ("bad-json-frame", raw_stream([sse(chunk(content="x")), f"data: {{{PAD} {KEY}\n\n"])),
        ("event-error", raw_stream([f"event: error\ndata: {PAD} {KEY}\n\n"])),
    ]


@pytest.mark.parametrize(("name", "response"), _echoes(), ids=[n for n, _ in _echoes()])
def test_errors_never_carry_the_key(fake_glm: FakeGLM, name: str, response: Response) -> None:
    fake_glm.enqueue(response)

    async def run() -> APIError:
        client = GLMClient(base_url=fake_glm.base_url, api_key=KEY, model="m", max_retries=0)
        async with client:
            try:
                async for _ in client.stream_chat([{"role": "user", "content": "hi"}]):
                    pass
            except APIError as err:
                return err
        raise AssertionError("no error")

    err = asyncio.run(run())
    for text in (str(err), err.user_message, err.provider_message or "", repr(err)):
        assert leaks(text) == [], (name, text)
    assert err.provider_message  # the provider's words are still there, less the key


# -- one TUI session where the provider echoes the key; then every place it could land ------


async def test_key_not_in_database_wal_exports_screenshots_or_notifications(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(
        zai_error(401, "1001", f"Invalid key {KEY}"),
        error_stream("Half a reply", code="1302", message=f"Overloaded for {KEY}"),
        zai_stream("All good.", reasoning="fine"),
    )
    settings = ui_settings(tmp_path, fake_glm.base_url, api_key=KEY)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            for prompt in ("one", "two", "three"):
                await send(pilot, app, prompt)
                await wait_idle(pilot, app)
            await shows(pilot, "All good.")
            errors = [m.error for m in store.all_messages(app.session.current_id) if m.error]  # type: ignore[arg-type]
            assert len(errors) == 2 and all("[redacted]" in e for e in errors)
            assert fake_glm.requests[0].headers["authorization"] == f"Bearer {KEY}"

            # While the app runs, the writes are in the -wal file, not yet in the database.
            wal = settings.db_path.with_name(settings.db_path.name + "-wal")
            assert wal.exists()
            for path in (settings.db_path, wal):
                assert leaks(path.read_bytes()) == [], path
            assert leaks(app.export_screenshot()) == []
            assert leaks(" ".join(n.message for n in app._notifications)) == []
            await pilot.press("f3")  # the settings screen names the key's source
            await shows(pilot, "from")
            assert leaks(app.export_screenshot()) == []
            await pilot.press("escape")
            exported = json.dumps(store.export_all()) + "".join(
                store.export_markdown(c.id) for c in store.list_conversations()
            )
            assert "Overloaded for [redacted]" in exported
            assert leaks(exported) == []
    for path in tmp_path.iterdir():
        if path.is_file():
            assert leaks(path.read_bytes()) == [], path


@pytest.mark.slow
def test_real_tui_log_screen_and_files_never_hold_the_key(
    tmp_path: Path, fake_glm: FakeGLM
) -> None:
    """The real app on a pty with Textual's log file on (TEXTUAL_LOG): every event it logs, every
    byte it draws (the settings screen too), the database and -wal while it runs."""
    fake_glm.enqueue(error_stream("Half a reply", code="1302", message=f"Overloaded for {KEY}"))
    log = tmp_path / "textual.log"
    env = CLI(tmp_path, fake_glm.base_url).env(GLM_TUI_API_KEY=KEY, TEXTUAL_LOG=str(log))
    db = tmp_path / "history.db"
    with TUIProcess([], env, size=(200, 50)) as tui:
        tui.wait_for("Message GLM")
        tui.type("one\r")
        tui.wait_for("Overloaded for [redacted]")
        tui.type("\x1bOR")  # F3: settings
        tui.wait_for("from env GLM_TUI_API_KEY")
        for path in (db, db.with_name("history.db-wal")):
            assert leaks(path.read_bytes()) == [], path
        assert leaks(tui.text()) == []
        tui.type("\x1b")
    assert log.exists() and log.stat().st_size > 0
    assert leaks(log.read_bytes()) == []


def test_a_crash_traceback_with_locals_does_not_show_the_key(tmp_path: Path) -> None:
    """Textual prints a crash with the locals of every frame: what the app holds must not
    show the key in its repr (settings, client, service)."""
    settings = ui_settings(tmp_path, api_key=KEY)
    store = Store.open(":memory:")
    client = GLMClient(base_url="http://127.0.0.1:9/v1", api_key=KEY, model="m")
    service = ChatService(store, settings, client=client)

    def crash(settings: object, client: object, service: object) -> None:
        raise RuntimeError("boom")

    try:
        crash(settings, client, service)
    except RuntimeError:
        console = Console(record=True, width=200, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(Traceback(show_locals=True, locals_max_string=500))
    assert "boom" in console.export_text()
    assert leaks(console.export_text()) == []
    asyncio.run(client.aclose())
    store.close()


# -- config.toml --------------------------------------------------------------------------------


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {
        "GLM_TUI_CONFIG": str(tmp_path / "config.toml"),
        "GLM_TUI_DB": str(tmp_path / "history.db"),
        "GLM_TUI_API_KEY": None,
        "AIMLAPI_API_KEY": None,
        "ZAI_API_KEY": None,
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_key_is_saved_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "glm-dark"\n')
    path.chmod(0o644)
    save_config(path, {"api_key": KEY})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(env={"GLM_TUI_CONFIG": str(path)}).api_key == KEY


def test_cli_warns_when_others_can_read_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(path, {"api_key": KEY})
    code, out, err = _run(tmp_path, "list")
    assert (code, err) == (0, "")  # 0600: nothing to say
    path.chmod(0o644)
    for args in (["list"], ["config"], ["config", "--json"]):
        code, out, err = _run(tmp_path, *args)
        assert code == 0, err
        assert err.startswith("warning: ") and "chmod 600" in err and str(path) in err
        assert leaks(out + err) == []
    code, out, err = _run(tmp_path, "config")
    assert "…" + KEY[-4:] in out and "config file" in out
    data = json.loads(_run(tmp_path, "config", "--json")[1])
    assert data["api_key"]["value"] == "…" + KEY[-4:]


def test_no_warning_for_a_readable_file_without_a_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "glm-dark"\n')
    path.chmod(0o644)
    assert _run(tmp_path, "list")[2] == ""


def test_the_warning_names_a_file_holding_a_key_even_when_the_env_wins(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(path, {"api_key": KEY})
    path.chmod(0o640)
    result = CliRunner().invoke(
        cli,
        ["list"],
        env={
            "GLM_TUI_CONFIG": str(path),
            "GLM_TUI_DB": str(tmp_path / "history.db"),
            "GLM_TUI_API_KEY": "sk-from-the-environment-0000",
        },
    )
    assert "chmod 600" in result.stderr


async def test_tui_notifies_when_others_can_read_the_key(tui: Tui, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(path, {"api_key": KEY, "provider": "zai"})
    path.chmod(0o604)
    settings = load_settings(
        {"db_path": str(tmp_path / "history.db")}, env={"GLM_TUI_CONFIG": str(path)}
    )
    # Said at start-up: looked for at once, not after the main screen (the warning times out).
    async with tui(settings=settings, wait=False) as (app, pilot):
        await wait_until(pilot, lambda: any("chmod 600" in n.message for n in app._notifications))
        [note] = [n for n in app._notifications if "chmod 600" in n.message]
        assert note.severity == "warning" and not note.markup and str(path) in note.message
        assert leaks(note.message) == []
