"""What differs in a browser (``glm-tui serve``), driven with Pilot in a terminal: the export
commands (a file here; the download in a real browser is in test_serve_browser.py) and which
links of a reply open."""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest

from glm_tui.store import Store
from glm_tui.ui.browser import opens
from tests.test_ui_palette import demo_app, run_command
from tests.ui_helpers import send, wait_idle, wait_until

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _demo_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.db") as store:
        yield store


def notes(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_the_palette_exports_the_conversation_to_a_new_file_in_a_terminal(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    app = demo_app(tmp_path, store)
    async with app.run_test(size=(120, 40)) as pilot:
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
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url))
    app = demo_app(tmp_path, store)
    async with app.run_test(size=SIZE) as pilot:
        app.open_url("javascript:alert(1)")
        app.open_url("https://example.org/")
        await pilot.pause()
        assert opened == ["https://example.org/"]
        assert "Not opened: javascript:alert(1) (only web and mail links open)" in notes(app)
