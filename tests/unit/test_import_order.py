"""The order an import writes a conversation's messages in: each after its parent."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from glm_tui.store.validate import MessagePlan, _parents_first


def _tree(parents: list[int]) -> list[MessagePlan]:
    """Messages 1..n; message k's parent is None or an earlier message."""
    return [
        MessagePlan(k, None if p == 0 else 1 + p % (k - 1) if k > 1 else None, ())
        for k, p in enumerate(parents, start=1)
    ]


def _parents_come_first(ordered: list[MessagePlan]) -> bool:
    placed: set[int] = set()
    for message in ordered:
        if message.old_parent_id is not None and message.old_parent_id not in placed:
            return False
        placed.add(message.old_id)
    return True


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=30), st.integers())
def test_each_message_comes_after_its_parent_in_any_order_given(
    parents: list[int], seed: int
) -> None:
    messages = _tree(parents)
    # An export's own order is kept as it is.
    assert _parents_first(messages, "m") == messages
    shuffled = messages[:]
    random.Random(seed).shuffle(shuffled)
    ordered = _parents_first(shuffled, "m")
    assert sorted(m.old_id for m in ordered) == [m.old_id for m in messages]
    assert _parents_come_first(ordered)
