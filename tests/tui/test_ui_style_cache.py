"""Textual's styling kept for nodes in places alike (ui/textual_private/style_cache.py): every
node styled from it is styled as Textual styles it, in any theme, focus or disabled state."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import Static

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.textual_private import style_cache
from glm_tui.ui.textual_private.style_cache import StyleCache
from tests.app_fixture import Tui
from tests.ui_helpers import seed_conversation, wait_until

REPLY = """## Airships

Rigid airships had a **frame**; blimps did not (see `envelope`).

- hydrogen, then helium
- the *Hindenburg*, 1937

| ship | length |
|---|---:|
| Graf Zeppelin | 236 m |

```python
def lift(volume: float) -> float:
    return volume * 1.1
```
"""


def styled(node: DOMNode) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The rules set on a node, and on each of its component classes."""
    components = {name: dict(styles.get_rules()) for name, styles in node._component_styles.items()}
    return dict(node.styles.base.get_rules()), components


def check_every_node(app: GLMApp) -> int:
    """Style each node of the screen as Textual does, then from the cache (a result made, then
    one kept): the rules must be the same. Returns how many came from a kept result."""
    cache = app.style_cache
    assert isinstance(cache, StyleCache)
    hits = cache.hits
    for node in app.screen.walk_children(with_self=True):
        cache.original(node)
        expected = styled(node)
        for _ in range(2):
            cache.apply(node)
            assert styled(node) == expected, node
    return cache.hits - hits


async def opened(tui_run: tuple[GLMApp, Pilot[Any]], cid: int) -> None:
    app, pilot = tui_run
    await app.main.open_conversation(cid)
    await wait_until(pilot, lambda: app.session.current_id == cid, what="the open")
    await pilot.pause()


async def test_a_node_styled_from_the_cache_is_styled_as_textual_styles_it(
    tui: Tui, store: Store
) -> None:
    cid = seed_conversation(
        store,
        "Airships",
        [("Tell me", REPLY, "Recall the history.")],
        updated_at="2024-03-14T14:00:00Z",
    )
    async with tui(size=(100, 40)) as (app, pilot):
        await wait_until(pilot, lambda: app.style_cache is not None, what="the first frame")
        await opened((app, pilot), cid)
        assert isinstance(app.style_cache, StyleCache)
        assert check_every_node(app) > 50
        # Focus elsewhere (:focus), a disabled part (:disabled), the other theme (:light).
        app.main.sidebar.option_list.focus()
        await pilot.pause()
        check_every_node(app)
        app.main.sidebar.disabled = True  # its search box and list too, as its children
        await pilot.pause()
        check_every_node(app)
        app.main.sidebar.disabled = False
        app.theme = "glm-light"
        await pilot.pause()
        assert check_every_node(app) > 50


async def test_a_new_parse_of_the_stylesheet_empties_the_cache(tui: Tui) -> None:
    async with tui() as (app, pilot):
        await wait_until(pilot, lambda: app.style_cache is not None, what="the first frame")
        cache = app.style_cache
        assert isinstance(cache, StyleCache)
        check_every_node(app)
        keys = cache.entries.keys()
        made = [cache.entries.get(key) for key in keys]
        assert made
        rules = cache.rules
        app.theme = "glm-light"  # new variables: a new parse, every node styled again
        await pilot.pause()
        assert cache.rules is not rules
        keys = cache.entries.keys()
        kept = [cache.entries.get(key) for key in keys]
        assert kept and not any(old is new for old in made for new in kept)


class Twins(App[None]):
    """The same widgets under two parents that only their ids tell apart."""

    CSS = """
    #left Static { color: red; }
    #right Static { color: blue; }
    Static.note { text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        for side in ("left", "right"):
            with Vertical(id=side):
                yield Static("plain")
                yield Static("note", classes="note")


async def test_an_ancestors_id_and_a_nodes_classes_tell_places_apart() -> None:
    app = Twins()
    async with app.run_test() as pilot:
        cache = style_cache.install(app.stylesheet)
        for side in ("left", "right"):
            for _ in range(2):  # the second of each from a kept result
                await app.query_one(f"#{side}").mount(
                    Static("late"), Static("late note", classes="note")
                )
        await pilot.pause()
        assert cache.hits >= 4
        colors = {
            (side, str(widget.render())): (widget.styles.color, bool(widget.styles.text_style.bold))
            for side in ("left", "right")
            for widget in app.query_one(f"#{side}").query(Static)
        }
    red, blue = colors[("left", "plain")][0], colors[("right", "plain")][0]
    assert red != blue
    assert colors[("left", "late")] == (red, False)
    assert colors[("right", "late")] == (blue, False)
    assert colors[("left", "note")] == colors[("left", "late note")] == (red, True)
    assert colors[("right", "note")] == colors[("right", "late note")] == (blue, True)
