"""``glm-tui serve`` in a real Chromium driven by Playwright: typing a prompt in the page, the
token at the door, an export downloaded, a reply copied to the browser's clipboard.

Run alone with ``pytest -m browser``. The browser is $GLM_TUI_CHROMIUM or Debian's chromium
(``playwright install`` cannot download one here; .ci/run installs the package). Set
$GLM_TUI_BROWSER_SHOT to a .png path to keep the page's screenshot (the README's).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.cli_helpers import CLI, SECRET_KEY
from tests.serve_helpers import CHROMIUM_ARGS, chromium_path, serving
from tests.waiting import CEILING, wait_for

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 800}
MS = int(CEILING * 1000)
"""Playwright's waits, in milliseconds: the suite's ceiling."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None or not shutil.which(path):
        message = "no Chromium: install Debian's chromium or set GLM_TUI_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing one is a broken CI, not a skip
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


class Drawn:
    """Everything the app drew in the page so far, as text (escape codes taken out): what the
    page shows is on a canvas, so the tests read the websocket that feeds it."""

    def __init__(self, page: Any) -> None:
        self.chunks: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.chunks.append(ESCAPES.sub("", payload.decode("utf-8", "replace")))

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def open_app(context: Any, url: str) -> Any:
    """A new tab on ``url``, once the app has drawn its first screen and takes keys; what it
    draws is in ``page.drawn``."""
    page = context.new_page()
    page.set_default_timeout(MS)
    page.drawn = Drawn(page)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("body.-first-byte")
    # Click the composer: three rows above the bottom (the status line and the footer under it).
    box = page.locator("#terminal").bounding_box()
    page.click("#terminal", position={"x": box["width"] * 0.6, "y": box["height"] - 72})
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList"
        ".contains('xterm-helper-textarea')"
    )
    return page


def assistant_replies(db: Path) -> list[tuple[str, str]]:
    """(status, content) of every reply saved so far."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(
            "SELECT status, content FROM messages WHERE role = 'assistant' ORDER BY id"
        ).fetchall()


def ask(page: Any, db: Path, prompt: str) -> str:
    """Type ``prompt`` in the page, press Enter, and wait for the whole reply in the database."""
    before = len(assistant_replies(db)) if db.exists() else 0
    page.keyboard.type(prompt)
    page.keyboard.press("Enter")

    def done() -> bool:
        replies = assistant_replies(db) if db.exists() else []
        return len(replies) > before and replies[-1][0] == "complete"

    wait_for(done, "the reply in the database")
    # The reply's Copy buttons are drawn once the app is done with it (and the composer has
    # the focus back).
    pump_until(page, lambda: page.drawn.text.count("Copy code") > before, "the finished reply")
    return str(assistant_replies(db)[-1][1])


def pump_until(page: Any, condition: Any, what: str) -> None:
    """``wait_for`` that lets Playwright deliver its events meanwhile (its sync API hands them
    to listeners only inside its own calls)."""
    deadline = time.monotonic() + CEILING
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)


def not_blank(png: bytes) -> bool:
    """The picture shows something: many colours, no single one covering nearly all of it."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    most = max(count for count, _ in colours)
    return len(colours) > 50 and most < 0.95 * image.width * image.height


def test_a_prompt_typed_in_the_page_is_answered_and_saved(browser: Any, cli: CLI) -> None:
    with serving(cli, "--demo", "serve", GLM_TUI_DEMO_SPEED="0") as served:
        context = browser.new_context(viewport=VIEWPORT)
        page = open_app(context, served.url)
        reply = ask(page, cli.db, "Owls at night?")
        shown = cli.run("show", "1")
        assert shown.returncode == 0
        assert "Owls at night?" in shown.stdout and reply.strip()[:40] in shown.stdout
        # The status line says the reply is done: then the screenshot shows all of it.
        png = page.screenshot()
        assert not_blank(png)
        if target := os.environ.get("GLM_TUI_BROWSER_SHOT"):
            Path(target).write_bytes(png)
        html = page.content()
        assert SECRET_KEY not in html and SECRET_KEY not in page.drawn.text
        assert "Owls at night?" in page.drawn.text
        context.close()


def test_another_host_is_closed_without_the_token_and_open_with_it(browser: Any, cli: CLI) -> None:
    with serving(cli, "--demo", "serve", "--host", "0.0.0.0") as served:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(MS)
        refused = page.goto(f"{served.base}/")
        assert refused is not None and refused.status == 401
        assert "needs the token" in page.content()
        assert served.app_processes() == []

        opened = page.goto(f"{served.base}/?token={served.token}", wait_until="domcontentloaded")
        assert opened is not None and opened.status == 200
        assert page.url == f"{served.base}/"  # the token left the address bar
        page.wait_for_selector("body.-first-byte")
        assert len(served.app_processes()) == 1
        [cookie] = context.cookies()
        assert cookie["httpOnly"] and cookie["value"] == served.token
        assert served.token not in page.evaluate("document.cookie")

        reloaded = page.reload(wait_until="domcontentloaded")
        assert reloaded is not None and reloaded.status == 200
        page.wait_for_selector("body.-first-byte")
        context.close()


def run_palette_command(page: Any, query: str, help_text: str) -> None:
    """Open the palette, type ``query``, and run the first hit once the list shows the
    command's ``help_text`` (keys typed before the palette is up would go to the composer)."""
    drawn = page.drawn
    mark = len(drawn.text)
    page.keyboard.press("Control+p")
    pump_until(page, lambda: "Search for commands" in drawn.text[mark:], "the palette")
    mark = len(drawn.text)
    page.keyboard.type(query)
    pump_until(page, lambda: help_text in drawn.text[mark:], f"{query!r} in the palette")
    page.keyboard.press("Enter")


def test_an_export_downloads_in_the_browser(browser: Any, cli: CLI, tmp_path: Path) -> None:
    with serving(cli, "--demo", "serve", GLM_TUI_DEMO_SPEED="0") as served:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        page = open_app(context, served.url)
        ask(page, cli.db, "Owls at night?")
        downloads: list[Any] = []

        # The page opens each download in a new tab.
        def keep(download: Any) -> None:
            downloads.append(download)

        context.on("page", lambda tab: tab.on("download", keep))
        page.on("download", keep)
        run_palette_command(page, "Export as JSON", "All of it")
        pump_until(page, lambda: downloads, "the download")
        [download] = downloads
        assert download.suggested_filename == "glm-tui-1-owls-at-night.json"
        saved = tmp_path / "saved.json"
        download.save_as(saved)
        data = json.loads(saved.read_text())
        assert data["format"] == "glm-tui-export"
        assert data["conversations"][0]["messages"][0]["content"] == "Owls at night?"
        assert not list(Path.cwd().glob("glm-tui-1-*"))  # nothing written where serve runs
        context.close()


def test_copy_puts_the_reply_on_the_browser_clipboard(browser: Any, cli: CLI) -> None:
    # A reply written before the page opens, opened from the palette: no reply ends meanwhile
    # (an ending reply gives the composer the focus back).
    asked = cli.run("--demo", "ask", "Owls at night?", GLM_TUI_DEMO_SPEED="0")
    assert asked.returncode == 0
    with serving(cli, "--demo", "serve") as served:
        context = browser.new_context(viewport=VIEWPORT)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base)
        page = open_app(context, served.url)
        drawn = page.drawn
        run_palette_command(page, "night", "Owls at ")  # Open conversation: Owls at night?
        pump_until(page, lambda: "Copy code" in drawn.text, "the reply on the screen")
        mark = len(drawn.text)
        page.keyboard.press("ArrowUp")  # from the composer to the last message
        pump_until(page, lambda: "Fork" in drawn.text[mark:], "the reply selected (its keys)")
        page.keyboard.press("c")
        pump_until(page, lambda: page.evaluate("navigator.clipboard.readText()"), "the copy")
        assert page.evaluate("navigator.clipboard.readText()") == assistant_replies(cli.db)[0][1]
        context.close()
