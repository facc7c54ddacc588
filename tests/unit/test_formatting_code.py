"""Finding a reply's code blocks (the Copy code button and the y key)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from glm_tui.ui.formatting import code_blocks, has_code_block

PIECES = ["```", "```python", "~~~", "\n", "text", "    indented", "`inline`", " ", "x = 1"]


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_has_code_block_agrees_with_code_blocks(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert has_code_block(text) == bool(code_blocks(text))


def test_has_code_block() -> None:
    assert has_code_block("Here:\n\n```python\nprint(1)\n```\n")
    assert not has_code_block("Only `inline` code and prose.")
