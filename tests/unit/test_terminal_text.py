"""Issue 12, item 10: whole terminal control sequences are removed from text that is shown,
however the text is split into pieces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glm_tui.terminal_text import ControlStripper, strip_controls

CASES = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[38;2;255;0;0mtrue colour\x1b[m", "true colour"),
    ("\x1b[?25l\x1b[2J\x1b[Hclear", "clear"),
    ("\x1b]0;title\x07after", "after"),
    ("\x1b]0;title\x1b\\after", "after"),
    ("\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1bPq#0;2;0;0;0#1~~\x1b\\sixel gone", "sixel gone"),
    ("\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\x", "x"),
    ("\x1b(Bcharset \x1b7saved\x1b8 \x1bcreset", "charset saved reset"),
    ("\x9b31mC1 CSI\x9b0m", "C1 CSI"),
    ("\x9d0;c1 title\x9cok", "ok"),
    ("nul\x00 bell\x07 back\x08 del\x7f cr\r\n", "nul bell back del cr\n"),
    ("tabs\tand\nnewlines\n", "tabs\tand\nnewlines\n"),
    ("c1 \x85\x8d\x80 gone", "c1  gone"),
    # A sequence cut short by a character that cannot be part of it keeps that character.
    ("\x1b[31\nnext line", "\nnext line"),
    ("\x1b[1;é", "é"),
    ("\x1b\x1b[1mbold", "bold"),
    ("esc then newline\x1b\nkept", "esc then newline\nkept"),
    # A title with no terminator ends with its line: the rest of the reply is not hidden.
    ("\x1b]0;runaway title\nthe answer", "\nthe answer"),
    # CAN and SUB cancel a sequence.
    ("\x1b[12\x18x\x1b]2;t\x1ay", "xy"),
    ("unfinished at the end \x1b[", "unfinished at the end "),
    ("unfinished string \x1b]0;abc", "unfinished string "),
    ("plain text, 漢字 and emoji 👍🏽 stay", "plain text, 漢字 and emoji 👍🏽 stay"),
]


@pytest.mark.parametrize(("raw", "shown"), CASES)
def test_whole_sequences_are_removed(raw: str, shown: str) -> None:
    assert strip_controls(raw) == shown


@pytest.mark.parametrize(("raw", "shown"), CASES)
def test_one_character_at_a_time_gives_the_same(raw: str, shown: str) -> None:
    stripper = ControlStripper()
    assert "".join(stripper.feed(ch) for ch in raw) == shown


def test_a_sequence_split_across_pieces_is_held_back() -> None:
    stripper = ControlStripper()
    assert stripper.feed("before \x1b[3") == "before "
    assert stripper.feed("1mred") == "red"
    assert stripper.feed("\x1b]0;ti") == ""
    assert stripper.feed("tle\x1b") == ""
    assert stripper.feed("\\after") == "after"


_pieces = st.sampled_from(
    [
        "\x1b",
        "[",
        "]",
        "P",
        "31",
        ";",
        "m",
        "0;title",
        "\x07",
        "\\",
        "\x9b",
        "\x9c",
        "\x9d",
        "\n",
        "\t",
        "\r",
        "\x00",
        "\x18",
        "(",
        "B",
        "text ",
        "é",
        "👍",
    ]
)


@given(st.lists(_pieces | st.text(max_size=4), max_size=40), st.lists(st.integers(0, 500)))
@settings(max_examples=400, deadline=None)
def test_any_split_gives_the_whole_text_result(parts: list[str], cuts: list[int]) -> None:
    text = "".join(parts)
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    stripper = ControlStripper()
    shown = "".join(stripper.feed(piece) for piece in pieces)
    assert shown == strip_controls(text)
    # Nothing a terminal acts on is left: only tab and newline among the controls.
    assert not any((ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F for ch in shown)


def test_text_without_controls_is_returned_as_is() -> None:
    text = "x" * 10_000
    assert strip_controls(text) is text
    assert ControlStripper().feed(text) is text
