"""Why a reply is not complete, as one line a person reads: ``Interrupted: the connection ...``.

One function, :func:`describe_reply`, turns a reply's status and saved error into that line, for
every place that shows it: the TUI's footer under the reply, ``ask``'s ``error:`` or ``warning:``
line, ``show`` and the Markdown export. The label names the status; the text says what happened
in one sentence (two at most: what to do, or a second failure), with the provider's code and
words in a parenthesis. Errors saved by older versions ("Summary. (detail)") read right too.

No Textual and no layer of the app is imported: the store's Markdown uses it as well.
"""

from __future__ import annotations

import re

from glm_tui.records import record
from glm_tui.terminal_text import strip_controls

LABELS: dict[str, str] = {
    "streaming": "In progress",
    "stopped": "Stopped",
    "interrupted": "Interrupted",
    "error": "Error",
    "truncated": "Truncated",
    "filtered": "Filtered",
}
"""The label of each status that is not ``complete`` (a complete reply with an error: Error)."""

_WHY: dict[str, str] = {
    "streaming": "another program is still writing this reply.",
    "stopped": "you ended this reply before it finished.",
    "interrupted": "the reply did not finish because the app or its connection went away.",
    "error": "the reply failed, and no reason was saved.",
    "truncated": "the reply reached the length limit (max_tokens or the context window).",
    "filtered": "the provider's content filter stopped this reply.",
}
THOUGHT_TO_THE_LIMIT = (
    "the model was still thinking when it reached the length limit "
    "(max_tokens or the context window)."
)
"""A reply cut short before its answer began: the reasoning used the whole budget."""

NOT_SAVED = "The reply could not be saved in full"
_OLD_NOT_SAVED = re.compile(re.escape(NOT_SAVED) + r": (.+?)(?: \((.+)\))?")


@record
class ReplyNote:
    """``label`` names the status (``Interrupted``); ``text`` goes on from it in lower case."""

    label: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.label}: {self.text}"


def describe_reply(status: str, error: str | None, *, answered: bool = True) -> ReplyNote | None:
    """Why a reply with this ``status`` and saved ``error`` is not complete; None if it is.

    ``answered``: the reply has some answer text (a reply cut short without one ran out while
    thinking). Control characters in the error (the provider's words) are removed.
    """
    text = tidy_error(error) if error else ""
    if not text:
        if status == "complete":
            return None
        if status == "truncated" and not answered:
            return ReplyNote(LABELS[status], THOUGHT_TO_THE_LIMIT)
        why = _WHY.get(status, f"the reply ended with the status “{status}”.")
        return ReplyNote(_label(status), why)
    # The error says what happened; the label keeps the status, so neither is said twice.
    return ReplyNote(LABELS["error"] if status == "complete" else _label(status), _lower(text))


def not_saved_error(problem: object, earlier: str | None = None) -> str:
    """The error of a reply the store could not save in full: the store's reason, then what
    else went wrong (``earlier``, one sentence), if anything did."""
    first = f"{NOT_SAVED} ({_words(str(problem))})."
    return f"{first} {_capital(tidy_error(earlier))}" if earlier else first


def tidy_error(error: str | None) -> str:
    """A saved error as sentences: one line, no control characters, ending with a full stop;
    older wordings ("Summary. (detail)") rewritten to the current ones."""
    text = " ".join(strip_controls(error or "").split())
    if not text:
        return ""
    old = _OLD_NOT_SAVED.fullmatch(text)
    if old is not None:
        return not_saved_error(old.group(1), old.group(2))
    text = re.sub(r"\.\s*\(", " (", text)  # "Summary. (detail)" from before
    text = text.rstrip(" :;,")
    if text.endswith(".)"):
        text = text[:-2].rstrip(" .") + ")"
    if not text.endswith((".", "!", "?")):
        text += "."
    return text


def _words(text: str) -> str:
    return " ".join(strip_controls(text).split()).rstrip(" .")


def _label(status: str) -> str:
    return LABELS.get(status, status.capitalize() or "Unknown")


def _lower(text: str) -> str:
    """Lower-case the first letter after a label, but not that of "API" or "HTTP"."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
