"""Issue 12, item 11: why a reply is not complete, in one clear line, for every status and every
error the app can save (and the older wordings already in people's histories)."""

from __future__ import annotations

import re

import pytest

from glm_tui.api import errors
from glm_tui.chat import NETWORK_ERROR
from glm_tui.reply_status import LABELS, describe_reply, not_saved_error
from glm_tui.store import STATUSES
from glm_tui.store.errors import DiskFullError

API_ERRORS = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.APIError)
]


def _variants(cls: type[errors.APIError]) -> list[errors.APIError]:
    return [
        cls(),
        cls("the stream ended before a finish_reason"),
        cls("Authentication failed.", code="1000", status_code=401),
        cls("Too   many\nrequests...", status_code=429),
        cls(None, code="1302"),
        cls("\x1b[31mred\x1b[0m words\x1b]0;title\x07 here", code="7"),
    ]


ERROR_TEXTS: list[tuple[str, str | None, str | None]] = [
    # (what it is, the saved error, the provider's words that must still be there)
    ("none", None, None),
    ("network_error", NETWORK_ERROR, "network_error"),
    (
        "not saved",
        not_saved_error(DiskFullError("cannot write to /tmp/h.db: the disk is full"), None),
        "disk is full",
    ),
    # Older glm-tui versions saved these wordings; they must read right too.
    (
        "old connection lost",
        "The connection was lost before the reply finished. "
        "(the stream ended before a finish_reason)",
        "the stream ended before a finish_reason",
    ),
    (
        "old auth",
        "The API key was rejected: check the key and the provider. (HTTP 401 code 1000: Bad key)",
        "Bad key",
    ),
    (
        "old not saved",
        "The reply could not be saved in full: cannot write to x.db: the disk is full "
        "(The connection was lost before the reply finished. (peer closed))",
        "peer closed",
    ),
]
for _cls in API_ERRORS:
    for _n, _err in enumerate(_variants(_cls)):
        _words = _err.provider_message
        ERROR_TEXTS.append((f"{_cls.__name__}-{_n}", _err.user_message, None))
        ERROR_TEXTS.append(
            (
                f"not saved after {_cls.__name__}-{_n}",
                not_saved_error(
                    DiskFullError("cannot write to /tmp/h.db: the disk is full"), _err.headline
                ),
                "disk is full",
            )
        )
_SHOWN_WORDS = {"2": "Authentication failed", "3": "Too many requests", "5": "red words here"}


def _outside_parentheses(text: str) -> str:
    while True:
        shorter = re.sub(r"\([^()]*\)", "", text)
        if shorter == text:
            return text
        text = shorter


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", _outside_parentheses(text)) if s]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("answered", [True, False])
@pytest.mark.parametrize(("kind", "error", "words"), ERROR_TEXTS, ids=[e[0] for e in ERROR_TEXTS])
def test_every_status_and_error_reads_as_one_clear_line(
    status: str, answered: bool, kind: str, error: str | None, words: str | None
) -> None:
    note = describe_reply(status, error, answered=answered)
    if status == "complete" and error is None:
        assert note is None
        return
    assert note is not None
    line = note.line
    assert line == f"{note.label}: {note.text}"
    assert note.label == (LABELS["error"] if status == "complete" else LABELS[status])
    # One or two sentences, each ending once, and no junk where two pieces meet.
    assert 1 <= len(_sentences(note.text)) <= 2, line
    assert line.endswith((".", ".)")) is True and not line.endswith(".)."), line
    for junk in (":.", ".:", ". (", "..", ") (", "((", "))", ": :", " ,", " .", "  ", ":)"):
        assert junk not in line, (junk, line)
    assert "\n" not in line and not re.search(r"[\x00-\x1f\x7f-\x9f]", line), line
    # The text reads on after the label: lower case, but for a word like "API" or "HTTP".
    first = note.text.split()[0]
    assert first[0].islower() or first.isupper() or first[:2].isupper(), line
    # No idea said twice (the old line said "did not finish" and "before ... finished").
    stems = [w[:6].lower() for w in re.findall(r"[A-Za-z']{6,}", _outside_parentheses(note.text))]
    repeated = {s for s in stems if stems.count(s) > 1}
    assert not repeated, (repeated, line)
    # The provider's code and words are kept, in a parenthesis.
    if words is not None:
        assert words in line
    suffix = kind.rsplit("-", 1)[-1]
    if kind[0].isupper() and suffix in _SHOWN_WORDS:
        assert f"{_SHOWN_WORDS[suffix]})" in line or f"{_SHOWN_WORDS[suffix]})." in line, line
    if kind[0].isupper() and suffix in ("2", "4", "5"):
        assert re.search(r"\((HTTP \d+, )?code \d+", line) or "(HTTP 429: " in line, line


@pytest.mark.parametrize(
    ("status", "error", "answered", "line"),
    [
        (
            "interrupted",
            errors.ConnectionLost("the stream ended before a finish_reason").user_message,
            True,
            "Interrupted: the connection was lost before the reply finished "
            "(the stream ended before a finish_reason).",
        ),
        (
            "interrupted",
            None,
            True,
            "Interrupted: the reply did not finish because the app or its connection went away.",
        ),
        (
            "error",
            errors.AuthError("Authentication failed", code="1000", status_code=401).user_message,
            False,
            "Error: the API key was rejected (HTTP 401, code 1000: Authentication failed). "
            "Check the key and the provider.",
        ),
        (
            "error",
            errors.TimeoutError("no data received within the read timeout").user_message,
            True,
            "Error: the provider timed out (no data received within the read timeout).",
        ),
        ("stopped", None, True, "Stopped: you ended this reply before it finished."),
        (
            "truncated",
            None,
            True,
            "Truncated: the reply reached the length limit (max_tokens or the context window).",
        ),
        (
            "truncated",
            None,
            False,
            "Truncated: the model was still thinking when it reached the length limit "
            "(max_tokens or the context window).",
        ),
        ("filtered", None, True, "Filtered: the provider's content filter stopped this reply."),
        ("streaming", None, True, "In progress: another program is still writing this reply."),
        (
            "error",
            not_saved_error(
                DiskFullError("cannot write to /tmp/h.db: the disk is full"),
                errors.ConnectionLost("peer closed").headline,
            ),
            True,
            "Error: the reply could not be saved in full (cannot write to /tmp/h.db: the disk is "
            "full). The connection was lost before the reply finished (peer closed).",
        ),
    ],
)
def test_the_lines_people_see_most(status: str, error: str, answered: bool, line: str) -> None:
    note = describe_reply(status, error, answered=answered)
    assert note is not None and note.line == line


def test_user_message_is_one_sentence_plus_advice() -> None:
    err = errors.RateLimitError("Slow down.", code="1302", status_code=429)
    assert (
        err.headline == "The provider is rate limiting requests (HTTP 429, code 1302: Slow down)."
    )
    assert err.user_message == err.headline + " Wait a moment and retry."
    assert str(err) == err.user_message
    assert errors.ServerError().user_message == "The provider had a server error."
