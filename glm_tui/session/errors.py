"""Why the session refuses to start a turn: one line each, for the window to say."""

from __future__ import annotations


class CannotSend(Exception):
    """No request can be sent with these settings (no key, no base URL...): one line."""


class Busy(Exception):
    """A reply is still being written in that conversation."""

    def __str__(self) -> str:
        return "A reply is still being written here: wait for it, or press Escape to stop it."
