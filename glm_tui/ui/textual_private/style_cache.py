"""Textual's styling of a node, kept for the next node in the same kind of place in the DOM.

Textual styles each widget it mounts (``Stylesheet.apply``) by matching every rule that could
apply to it against the node and its ancestors: 420-480 us a node of an opened conversation,
a fifth of the time of opening one. What the match gives depends only on the node's path from
the app: for each node of it, its type, its classes, its id if a selector names that id, and
the pseudo-classes (``:focus``, ``:dark``, ``:disabled``...) that the rules in question ask
about. Textual keeps a result only for siblings styled together; ``StyleCache`` keeps it for
any node whose path is alike (the paragraphs of every reply, the parts of every message), in a
bounded cache that a new parse of the stylesheet (a theme, new variables) empties. A node
styled from it costs 180-230 us, most of it Textual's setting of the rules on the node.

A node whose rules Textual's own cache would not keep (those that ask about its place among
its siblings, ``:first-child`` or ``:odd``, or ``:focus-within``) is styled as Textual styles
it, as is any node before the app's first frame (the first screen's nodes are each of a kind
of their own: the cache would only add its own work to the start).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from textual.cache import LRUCache
from textual.css.model import SelectorType
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widget import Widget

PRIVATE_NAMES = (
    (Stylesheet, "_process_component_classes", "styles a node's component classes"),
    (
        Stylesheet,
        "_EXCLUDE_PSEUDO_CLASSES_FROM_CACHE",
        "the pseudo-classes (order among siblings, :focus-within) Textual keeps no result for",
    ),
    (DOMNode, "_selector_names", "the names a node is matched by (type, classes, id)"),
    (DOMNode, "_classes", "a node's classes"),
    (DOMNode, "_id", "a node's id"),
    (DOMNode, "_PSEUDO_CLASSES", "a node's pseudo-classes, each with its check"),
    (DOMNode, "_has_hover_style", "set by Stylesheet.apply: a rule of the node asks :hover"),
    (DOMNode, "_has_focus_within", "likewise, :focus-within"),
    (DOMNode, "_has_order_style", "likewise, its place among its siblings"),
    (DOMNode, "_has_odd_or_even", "likewise, :odd or :even"),
)

SIZE = 512
"""Paths kept. Opening 43 conversations of every kind the benchmarks have (2,000 messages,
20,000-token and 1 MB replies, ordinary ones) made 70, their keys 178 KB."""

_DISABLED = frozenset({"disabled", "enabled"})
_NOT_KEPT = frozenset(Stylesheet._EXCLUDE_PSEUDO_CLASSES_FROM_CACHE)
"""Textual keeps no result for rules that ask these: ``apply`` gives none to keep."""


class StyleCache:
    """Kept results of one stylesheet's ``apply``, by path (see the module)."""

    def __init__(self, stylesheet: Stylesheet) -> None:
        self.stylesheet = stylesheet
        self.original = stylesheet.apply
        self.rules: list[Any] | None = None
        self.entries: LRUCache[Hashable, Any] = LRUCache(SIZE)
        self.ids: set[str] = set()
        """The ids a selector names, anywhere in it (an ancestor's id counts too)."""
        self.pseudo: dict[frozenset[str], tuple[str, ...]] = {}
        """By a node's selector names, the pseudo-classes that the rules it could match ask."""
        self.hits = self.misses = 0

    def _current(self) -> None:
        rules = self.stylesheet.rules  # parses first, if a parse is due
        if rules is self.rules:
            return
        self.rules = rules
        self.entries.clear()
        self.pseudo.clear()
        self.ids = {
            selector.name
            for rule in rules
            for selector_set in rule.selector_set
            for selector in selector_set.selectors
            if selector.type == SelectorType.ID
        }

    def _pseudo_classes(self, names: frozenset[str]) -> tuple[str, ...]:
        found = self.pseudo.get(names)
        if found is None:
            if len(self.pseudo) >= SIZE:  # names with an id each: keep it bounded
                self.pseudo.clear()
            rules_map = self.stylesheet.rules_map
            wanted: set[str] = set()
            for name in rules_map.keys() & names:
                for rule in rules_map[name]:
                    wanted.update(rule.pseudo_classes)
            found = self.pseudo[names] = tuple(sorted(wanted))
        return found

    def _path_key(self, node: DOMNode, pseudo: tuple[str, ...]) -> tuple[Hashable, ...]:
        """What matching the rules against ``node`` depends on, from the app down to it."""
        ids = self.ids
        parts: list[Hashable] = []
        # A widget is disabled when it or an ancestor is: one walk down the path, where
        # asking each node walked up from it again.
        disabled = False
        for path_node in node.css_path_nodes:
            checks: dict[str, Callable[[Any], bool]] = path_node._PSEUDO_CLASSES
            widget = path_node if isinstance(path_node, Widget) else None
            if widget is not None:
                disabled = disabled or widget.disabled
            bits = 0
            for name in pseudo:
                if widget is not None and name in _DISABLED:
                    value = disabled if name == "disabled" else not disabled
                else:
                    check = checks.get(name)
                    value = check is not None and check(path_node)
                bits = bits << 1 | value
            parts.append(
                (type(path_node), path_node._id if path_node._id in ids else None,
                 frozenset(path_node._classes), bits)
            )  # fmt: skip
        return tuple(parts)

    def apply(
        self,
        node: DOMNode,
        *,
        animate: bool = False,
        cache: dict[tuple[Any, ...], Any] | None = None,
    ) -> None:
        """``Stylesheet.apply``, from a kept result when a node in a place alike had one."""
        self._current()
        pseudo = self._pseudo_classes(frozenset(node._selector_names))
        if not _NOT_KEPT.isdisjoint(pseudo):
            self.original(node, animate=animate, cache=cache)
            return
        key = self._path_key(node, pseudo)
        rules = self.entries.get(key)
        if rules is None:
            self.misses += 1
            made: dict[tuple[Any, ...], Any] = {}
            self.original(node, animate=animate, cache=made)
            if len(made) == 1:  # none when no rule applies
                self.entries[key] = next(iter(made.values()))
            return
        self.hits += 1
        # What Stylesheet.apply does with a result it kept.
        node._has_hover_style = "hover" in pseudo
        node._has_focus_within = False
        node._has_order_style = False
        node._has_odd_or_even = False
        stylesheet = self.stylesheet
        stylesheet.replace_rules(node, rules, animate=animate)
        stylesheet._process_component_classes(node)


def install(stylesheet: Stylesheet) -> StyleCache:
    """Style through a ``StyleCache`` from now on (this stylesheet only)."""
    cache = StyleCache(stylesheet)
    # An attribute of the instance: Textual calls ``stylesheet.apply``, and so does the
    # stylesheet itself for component classes.
    stylesheet.apply = cache.apply  # type: ignore[method-assign]
    return cache
