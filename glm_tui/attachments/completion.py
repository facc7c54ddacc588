"""Completion of ``@`` paths: fuzzy, ranked, over what is under the working directory.

The tree is walked once (``.gitignore`` respected, ``.git`` skipped) into a list of paths,
directories ending with ``/``; each query then filters that list with one regular expression
(the query's characters in order, case-insensitively), and ranks what is left: a match in the
name beats one spread over the path, a name that starts with the query beats one that contains
it, and shorter paths come first. ``benchmarks/bench_completion.py`` measures it on a tree of
20,000 files.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .ignore import IgnoreWalker

MAX_ENTRIES = 200_000
"""The walk stops there (a home directory, a huge monorepo): completion works on what it has."""
_SCORED = 5000
"""At most this many matches are scored in full; the others keep the cheap score."""


@dataclass(frozen=True, slots=True)
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
        self.built_at = time.monotonic()
        return self

    def age(self) -> float | None:
        return None if self.built_at is None else time.monotonic() - self.built_at

    def search(self, query: str, limit: int = 50) -> list[PathCandidate]:
        if self.built_at is None:
            self.build()
        query = query.strip()
        if not query:
            return self._top_level(limit)
        lowered_query = query.lower()
        pattern = re.compile(".*?".join(re.escape(ch) for ch in lowered_query), re.DOTALL)
        search = pattern.search
        matches = [i for i, text in enumerate(self.lowered) if search(text)]
        if len(matches) > _SCORED:
            # Many matches (a query of a letter or two): keep those where the query is in the
            # name, then the shortest paths, before the full scoring.
            matches.sort(
                key=lambda i: (lowered_query not in _name(self.lowered[i]), len(self.lowered[i]))
            )
            matches = matches[:_SCORED]
        scored = [(_score(self.lowered[i], lowered_query), i) for i in matches]
        scored.sort(key=lambda item: (-item[0], self.paths[item[1]]))
        return [
            PathCandidate(
                self.paths[i],
                self.paths[i].endswith("/"),
                score,
                _positions(self.lowered[i], lowered_query),
            )
            for score, i in scored[:limit]
        ]

    def _top_level(self, limit: int) -> list[PathCandidate]:
        top = [p for p in self.paths if "/" not in p.rstrip("/")]
        top.sort(key=lambda p: (not p.endswith("/"), p.lower()))
        return [PathCandidate(p, p.endswith("/"), 0.0) for p in top[:limit]]


def _name(path: str) -> str:
    """The last segment of a path (a directory's, without its ``/``)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _score(path: str, query: str) -> float:
    """Higher is better. Both lowered."""
    name = _name(path)
    score = 0.0
    if name == query.rstrip("/"):
        score += 100
    elif name.startswith(query):
        score += 60
    elif query in name:
        score += 40
    elif query in path:
        score += 30
        if path.startswith(query):
            score += 10
    else:
        # Spread out: fewer, tighter gaps are better.
        score += 20 - min(15, _gaps(path, query))
    score -= path.count("/") * 2
    score -= len(path) / 20
    return score


def _gaps(path: str, query: str) -> int:
    gaps = 0
    position = -1
    for ch in query:
        found = path.find(ch, position + 1)
        if found > position + 1 and position >= 0:
            gaps += 1
        position = found
    return gaps


def _positions(path: str, query: str) -> tuple[int, ...]:
    """Where the query matched: in the name when it fits there, else the earliest."""
    start = path.rfind(query)
    if start >= 0:
        return tuple(range(start, start + len(query)))
    positions: list[int] = []
    position = -1
    for ch in query:
        position = path.find(ch, position + 1)
        if position < 0:
            return ()
        positions.append(position)
    return tuple(positions)
