"""What the app does differently in a web browser (``glm-tui serve``), and links anywhere.

In a browser, an export downloads there (Textual's ``deliver_text``) instead of landing in the
server's working directory, which the user may not even see; Copy already reaches the browser's
clipboard (Textual writes it as a terminal clipboard code, which the page passes on). A link in
a reply opens in a new tab, and only a web or mail link opens at all: model output is
untrusted, and a ``javascript:`` link opened by the page would run in the page's origin.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual.app import App

from glm_tui.session import Session

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
"""The links the app opens (in a browser tab; in a terminal, with the system's web browser)."""
MIME_TYPES = {"md": "text/markdown", "json": "application/json"}


def opens(url: str) -> bool:
    """Whether a link of a reply may be opened."""
    return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES


def connect_browser(app: App[Any], session: Session) -> None:
    """Under ``glm-tui serve``, send the session's exports to the browser."""
    if app.is_web:
        session.organizer.deliver = lambda name, text: download(app, name, text)


def download(app: App[Any], name: str, text: str) -> str:
    """Hand ``text`` to the browser as the file ``name``; the note to show."""
    kind = MIME_TYPES.get(name.rsplit(".", 1)[-1], "text/plain")
    app.deliver_text(io.StringIO(text), save_filename=name, mime_type=kind, encoding="utf-8")
    return f"Downloading {name} in the browser."


def export_current(screen: MainScreen, fmt: str) -> None:
    """Export the open conversation (a download in a browser, else a new file in the working
    directory) and say where it went."""
    cid = screen.session.current_id
    if cid is None:
        return
    try:
        note = screen.session.organizer.export(cid, fmt, Path.cwd())
    except OSError as exc:
        screen.notify(f"Cannot export: {exc}", severity="error", markup=False)
        return
    screen.notify(note, markup=False)
