"""What differs in a browser (``glm-tui serve``), driven with Pilot in a terminal: the export
commands (a file here; the download in a real browser is in test_serve_browser.py) and which
links of a reply open."""

from __future__ import annotations

import webbrowser
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from glm_tui.store import Store
from glm_tui.ui.browser import opens
from tests.app_fixture import Tui
from tests.tui.test_ui_palette import demo_settings, run_command
from tests.ui_helpers import seed_conversation, send, wait_idle, wait_until


@pytest.fixture(autouse=True)
def _demo_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")


@pytest.fixture
def demo(tui: Tui, tmp_path: Path) -> Tui:
    """The app on the demo provider: ``async with demo() as (app, pilot)``."""
    return partial(tui, settings=demo_settings(tmp_path))


async def wait_for_widget(pilot: Any, app: Any, selector: str) -> Any:
    def shown() -> bool:
        found = app.screen.query(selector)
        return bool(found) and found.first().region.width > 0

    await wait_until(pilot, shown, what=selector)
    return app.screen.query(selector).first()


def notes(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_the_palette_exports_the_conversation_to_a_new_file_in_a_terminal(
    demo: Tui, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    async with demo() as (app, pilot):
        await send(pilot, app, "Owls at night?")
        await wait_idle(pilot, app)
        await run_command(pilot, app, "export as m", "Export as Markdown")
        await wait_until(pilot, lambda: list(out.glob("*.md")), what="the Markdown file")
        await run_command(pilot, app, "export as j", "Export as JSON")
        await wait_until(pilot, lambda: list(out.glob("*.json")), what="the JSON file")
        [md] = out.glob("*.md")
        assert md.name.startswith(f"glm-tui-{app.session.current_id}-")
        assert "## User" in md.read_text() and "\nOwls at night?\n" in md.read_text()
        assert f"Saved in {md}" in notes(app)


@pytest.mark.parametrize(
    ("url", "opened"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org", True),
        ("mailto:owl@example.org", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("javascript:alert(document.cookie)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("file:///etc/passwd", False),
        ("notes.md", False),
    ],
)
def test_only_web_and_mail_links_open(url: str, opened: bool) -> None:
    assert opens(url) is opened


async def test_a_link_of_another_kind_is_refused_and_said(
    demo: Tui, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url))
    async with demo() as (app, pilot):
        app.open_url("javascript:alert(1)")
        app.open_url("https://example.org/")
        await pilot.pause()
        assert opened == ["https://example.org/"]
        assert "Not opened: javascript:alert(1) (only web and mail links open)" in notes(app)


async def test_a_link_clicked_in_a_reply_opens_in_a_new_tab(
    demo: Tui, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a browser the driver hands the page open_url(url, new_tab): window.open(url, "_blank").
    opened: list[tuple[str, bool]] = []
    cid = seed_conversation(
        store,
        "Links",
        [("Where?", "See [the owl site](https://example.org/owls) today.", None)],
        updated_at="2024-03-14T14:00:00Z",
    )
    async with demo() as (app, pilot):
        assert app._driver is not None
        monkeypatch.setattr(
            app._driver, "open_url", lambda url, new_tab=True: opened.append((url, new_tab))
        )
        await app.main.open_conversation(cid)
        await app.workers.wait_for_complete()
        paragraph = await wait_for_widget(pilot, app, "AssistantMessage MarkdownParagraph")
        # What a click on the link runs (its @click); Pilot's clicks on a message that is not
        # selected yet sometimes miss the link, which is a matter of the mouse, not of links.
        await paragraph.run_action("link('https://example.org/owls')")
        await wait_until(pilot, lambda: opened, what="the link to open")
        assert opened == [("https://example.org/owls", True)]
