"""When the app applies its stylesheet (GLMApp.update_styles)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.dom import DOMNode

from glm_tui.ui.widgets.reply_parts import footer_button
from tests.app_fixture import Tui
from tests.ui_helpers import wait_until


async def test_a_widget_is_styled_when_mounted_not_each_time_a_class_is_set_before(
    tui: Tui, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with tui() as (app, pilot):
        # Styled through the app's StyleCache from its first frame on (style_cache.py).
        await wait_until(pilot, lambda: app.style_cache is not None, what="the first frame")
        applied: list[DOMNode] = []
        styled = app.stylesheet.apply

        def apply(node: DOMNode, **options: Any) -> None:
            applied.append(node)
            styled(node, **options)

        monkeypatch.setattr(app.stylesheet, "apply", apply)
        early = footer_button("Copy", "copy")  # a Button sets three classes as it is made
        early.add_class("-picked")
        early.remove_class("-default")
        assert applied == []
        late = footer_button("Copy", "copy")
        await app.screen.mount(early, late)
        assert applied.count(early) == 1
        late.add_class("-picked")
        late.remove_class("-default")
        await pilot.pause()
        # Styled as one whose classes changed once it was in the DOM.
        assert early.classes == late.classes
        assert early.styles.get_rules() == late.styles.get_rules()
