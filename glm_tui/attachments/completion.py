"""Completion of ``@`` paths: fuzzy, ranked, over what is under the working directory.

The tree is walked once (``.gitignore`` respected, ``.git`` skipped) into a list of paths,
directories ending with ``/``; each query then filters that list with one regular expression
(the query's characters in order, case-insensitively), and ranks what is left: a match in the
name beats one spread over the path, a name that starts with the query beats one that contains
it, and shorter paths come first. ``benchmarks/bench_completion.py`` measures it on a tree of
20,000 files.
"""

from __future__ import annotations

import heapq
import re
import time
from pathlib import Path

from glm_tui.records import record

from .ignore import IgnoreWalker

MAX_ENTRIES = 200_000
"""The walk stops there (a home directory, a huge monorepo): completion works on what it has."""
_SCORED = 2000
"""At most this many matches are scored in full; the others keep the cheap score."""


@record
class PathCandidate:
    """One line of the ``@`` list."""

    path: str
    """Relative to the working directory, ``/`` separators; a directory ends with ``/``."""
    is_dir: bool
    score: float
    positions: tuple[int, ...] = ()
    """Where the query's characters matched in ``path`` (to highlight them)."""

    @property
    def mention(self) -> str:
        from .mentions import mention_text

        return mention_text(self.path)


class PathIndex:
    """The paths under ``root``, walked once; ``search`` answers each keystroke."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: list[str] = []
        self.lowered: list[str] = []
        self.names: list[str] = []
        self.truncated = False
        self.built_at: float | None = None

    def build(self) -> PathIndex:
        paths: list[str] = []
        for relative, is_dir in IgnoreWalker(self.root).walk():
            paths.append(relative + "/" if is_dir else relative)
            if len(paths) >= MAX_ENTRIES:
                self.truncated = True
                break
        self.paths = paths
        self.lowered = [p.lower() for p in paths]
        self.names = [_name(p) for p in self.lowered]
        self.built_at = time.monotonic()
        return self

    def age(self) -> float | None:
        return None if self.built_at is None else time.monotonic() - self.built_at

    def search(self, query: str, limit: int = 50) -> list[PathCandidate]:
        if self.built_at is None:
            self.build()
        query = query.strip().lower()
        if not query:
            return self._top_level(limit)
        # The query's characters in order: "[^r]*r[^e]*e..." never backtracks.
        pattern = re.compile("".join(f"[^{re.escape(ch)}]*{re.escape(ch)}" for ch in query))
        match = pattern.match
        lowered = self.lowered
        matches = [i for i, text in enumerate(lowered) if match(text)]
        if len(matches) > _SCORED:
            # Many matches (a query of a letter or two): keep those where the query is in the
            # name, then the shortest paths, before the full scoring.
            names = self.names
            matches = heapq.nsmallest(
                _SCORED, matches, key=lambda i: (query not in names[i], len(lowered[i]))
            )
        scored = [(_score(lowered[i], query), i) for i in matches]
        scored.sort(key=lambda item: (-item[0][0], self.paths[item[1]]))
        return [
            PathCandidate(self.paths[i], self.paths[i].endswith("/"), score, positions)
            for (score, positions), i in scored[:limit]
        ]

    def _top_level(self, limit: int) -> list[PathCandidate]:
        top = [p for p in self.paths if "/" not in p.rstrip("/")]
        top.sort(key=lambda p: (not p.endswith("/"), p.lower()))
        return [PathCandidate(p, p.endswith("/"), 0.0) for p in top[:limit]]


def _name(path: str) -> str:
    """The last segment of a path (a directory's, without its ``/``)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


_BOUNDARIES = "/_-. "


def _score(path: str, query: str) -> tuple[float, tuple[int, ...]]:
    """Higher is better, and where the query matched. Both lowered."""
    name = _name(path)
    name_start = len(path.rstrip("/")) - len(name)
    bare = query.rstrip("/")
    found = name.find(bare)
    if found >= 0:
        start = name_start + found
        score = 100.0 if name == bare else 80.0 if found == 0 else 60.0
        positions = tuple(range(start, start + len(query)))
    elif (found := path.rfind(query)) >= 0:
        at_boundary = found == 0 or path[found - 1] in _BOUNDARIES
        score = 45.0 + (5.0 if at_boundary else 0.0)
        positions = tuple(range(found, found + len(query)))
    else:
        score, positions = _fuzzy(path, query, name_start)
    score -= path.count("/", 0, len(path) - 1) * 2
    score -= len(path) / 20
    return score, positions


def _fuzzy(path: str, query: str, name_start: int) -> tuple[float, tuple[int, ...]]:
    """A spread-out match: found left to right, then pulled as far right as it goes (so that
    it ends tight, in the name); runs of characters and starts of words count."""
    positions: list[int] = []
    position = -1
    for ch in query:
        position = path.find(ch, position + 1)
        positions.append(position)
    for index in range(len(query) - 2, -1, -1):
        positions[index] = path.rfind(query[index], 0, positions[index + 1])
    score = 0.0
    previous = -2
    for position in positions:
        if position == previous + 1:
            score += 3
        if position == 0 or path[position - 1] in _BOUNDARIES:
            score += 4
        if position >= name_start:
            score += 2
        previous = position
    return min(score, 40.0), tuple(positions)
