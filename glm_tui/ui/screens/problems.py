"""Saying what went wrong, in one place: a failed store call, a send that cannot go out, a
conversation still busy. Every action of the main screen calls the session through ``attempt``
(or ``attempt_now`` for a plain call)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual.app import App

from glm_tui.attachments.model import AttachmentError
from glm_tui.session import Busy, CannotSend
from glm_tui.store import StoreError

T = TypeVar("T")

SETTINGS_HINT = "F3 opens the settings, where a key can be typed and saved."
"""Said wherever glm-tui says that no request can be sent for want of a key (or a URL, a model)."""


def cannot_send_text(problem: str) -> str:
    """The notification for a prompt that cannot be sent: the problem, and where to fix it.
    (Here, not with the first-run screen: importing that screen and its dialogs cost the first
    screen 2-3 ms.)"""
    return f"{problem[:1].upper()}{problem[1:]}. {SETTINGS_HINT}"


EXPECTED = (StoreError, CannotSend, Busy, AttachmentError, ValueError)
"""What a user can run into; anything else is a bug, for the app's worker handler."""


def say(app: App[Any], problem: Exception, title: str = "") -> None:
    """One line for the user, never a traceback."""
    if isinstance(problem, CannotSend):
        text = cannot_send_text(str(problem))
        app.notify(text, title="Cannot send", severity="error", markup=False)
    elif isinstance(problem, Busy):
        app.notify(str(problem), severity="warning")
    elif isinstance(problem, AttachmentError):
        app.notify(str(problem), title="Not sent", severity="error", markup=False)
    elif isinstance(problem, StoreError):
        app.notify(str(problem), title=title or "History database", severity="error", markup=False)
    else:
        app.notify(str(problem), title=title, severity="error", markup=False)


async def attempt(app: App[Any], call: Awaitable[T], *, title: str = "") -> T | None:
    """Await ``call``; a problem the user should hear about is said, and gives None."""
    try:
        return await call
    except EXPECTED as problem:
        say(app, problem, title)
    return None


def attempt_now(app: App[Any], func: Callable[[], T], *, title: str = "") -> T | None:
    """``attempt`` for a plain call."""
    try:
        return func()
    except EXPECTED as problem:
        say(app, problem, title)
    return None
