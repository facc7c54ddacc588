"""Textual's parsed stylesheet, kept from one start to the next.

Textual parses the app's CSS (app.tcss and every widget's ``DEFAULT_CSS``: 16 sources, 19,000
characters) at every start, 13-15 ms of the 70 between ``App.run`` and the first frame, and
again in full at every change of theme. What a parse makes (a list of ``RuleSet``) depends only
on the CSS text, where it was read from, its place among the sources, and the theme's
variables, so it is kept, pickled, in the user's cache directory: loading it takes 1 ms.

Each entry is the pickled rules of one source, kept per theme, and is unpickled at each use (a
reparse never shares rule objects with the stylesheet it replaces). The file belongs to a
Python, glm-tui and Textual version (Textual's told by its files' sizes and times, as Python
tells a stale bytecode file): another version's file is ignored and replaced. Anything wrong
with it (missing, unreadable, damaged, not ours) means parsing as Textual does; a cache that
cannot be written is no error either. It is written after the first frame (a terminal closed
under the app never lets it quit), a second after a later parse it did not hold (a widget first
shown then: a reply's blocks, a dialog), and when the app ends, only if something was parsed
that it did not hold, and holds only what this run used.

The file is as trusted as the bytecode Python caches beside the code: it is written by this
program, for this user only (mode 0600), in a directory only they can write.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import textual
import textual.css.model as css_model
import textual.css.styles as css_styles
from textual.css.stylesheet import Stylesheet

from glm_tui import __version__

PRIVATE_NAMES = (
    (Stylesheet, "_parse_rules", "parses one CSS source into rule sets (wrapped: kept here)"),
    (Stylesheet, "_variables", "the theme's variables, part of what a parse depends on"),
    (Stylesheet, "_parse_cache", "the parses a stylesheet holds, looked at before this cache"),
)

FORMAT = 1
FILE_NAME = "textual-css.pickle"
SAVE_DELAY = 1.0
"""Seconds from a parse the file did not hold to writing it (the parses that follow with it)."""


# What the pickled objects are made of: a file written by another copy of these is ignored.
# Told by their size and modification time, as Python tells a stale bytecode file (asking for
# Textual's version reads package metadata: 20-25 ms).
_MODULES = (textual, css_model, css_styles)


def version_key() -> tuple[object, ...]:
    files = []
    for module in _MODULES:
        path = module.__file__ or ""
        try:
            stat = os.stat(path)
        except OSError:
            return ()  # nothing matches it: parsed and kept afresh
        files.append((path, stat.st_size, stat.st_mtime_ns))
    return (FORMAT, sys.version, __version__, pickle.HIGHEST_PROTOCOL, *files)


Variables = tuple[tuple[str, str], ...]
"""A theme's variables, sorted: the rules of each theme are kept apart."""


class ParseCache:
    """The pickled rule sets of earlier starts, and those parsed or used in this one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held: dict[Variables, dict[Hashable, bytes]] = {}
        self.used: dict[Variables, dict[Hashable, bytes]] = {}
        self.added = False
        self.hits = 0
        """Sources read from the file instead of parsed (what the tests look at)."""
        self.save_due = False

    def load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                version, entries = pickle.load(handle)
        except Exception:  # missing, unreadable, damaged or another program's: parse afresh
            return
        if version == version_key() and isinstance(entries, dict):
            self.held = entries

    def save(self) -> None:
        """Write what this run used, if it parsed anything the file did not hold."""
        if not self.added:
            return
        import tempfile

        # Whatever goes wrong (a full disk, a read-only home), the app goes on without it.
        with contextlib.suppress(Exception):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".css-")
            try:
                with os.fdopen(handle, "wb") as out:  # mkstemp makes it 0600
                    pickle.dump((version_key(), self.used), out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self.added = False

    def rules(
        self, variables: Variables, key: Hashable, parse: Callable[[], list[Any]]
    ) -> list[Any]:
        """The rules of one source: unpickled if held, else parsed (and held from now on)."""
        used = self.used.setdefault(variables, {})
        blob = self.held.get(variables, {}).get(key)
        if blob is not None:
            try:
                rules: list[Any] = pickle.loads(blob)
            except Exception:
                pass
            else:
                used[key] = blob
                self.hits += 1
                return rules
        rules = parse()
        try:
            blob = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something in it that does not pickle: parsed every time
            return rules
        self.held.setdefault(variables, {})[key] = used[key] = blob
        self.added = True
        self.save_soon()
        return rules

    def save_soon(self) -> None:
        """Write in ``SAVE_DELAY`` seconds, with whatever else is parsed meanwhile: the CSS of
        a widget first shown after the first frame (a reply's blocks, a dialog) is parsed then,
        and an app whose terminal is closed never writes it at its end."""
        if self.save_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not in the app: written when it ends
        self.save_due = True
        loop.call_later(SAVE_DELAY, self.save_when_due)

    def save_when_due(self) -> None:
        self.save_due = False
        self.save()


_original_parse_rules = Stylesheet._parse_rules
active: ParseCache | None = None


def cached_parse_rules(
    self: Stylesheet,
    css: str,
    read_from: tuple[str, str],
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list[Any]:
    def parse() -> list[Any]:
        return _original_parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)

    cache = active
    own_key = (css, read_from, is_default_rules, tie_breaker, scope)
    if cache is None or own_key in self._parse_cache:
        return parse()  # the stylesheet's own cache first: it parses again after each source
    rules = cache.rules(tuple(sorted(self._variables.items())), own_key, parse)
    self._parse_cache[own_key] = rules
    return rules


def install(path: Path) -> ParseCache:
    """Keep Textual's parses in ``path`` from now on (``save`` writes it)."""
    global active
    cache = ParseCache(path)
    cache.load()
    active = cache
    Stylesheet._parse_rules = cached_parse_rules  # type: ignore[method-assign]
    return cache


def save_active() -> None:
    if active is not None:
        active.save()


def uninstall() -> None:
    global active
    active = None
    Stylesheet._parse_rules = _original_parse_rules  # type: ignore[method-assign]
