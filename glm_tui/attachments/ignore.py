"""Walking a directory the way git sees it: ``.gitignore`` files respected, ``.git`` skipped.

A small matcher of our own rather than a dependency: the rules of gitignore(5) that matter for
picking files (comments, ``!`` to re-include, a trailing ``/`` for directories only, a pattern
with a ``/`` anchored to its file's directory and one without matching a name at any depth,
``*``, ``?``, ``[...]`` and ``**``), each file compiled once to regular expressions. The rules of
a deeper ``.gitignore`` win over those above it, and the last matching line of a file wins, as
in git. A directory that is ignored is not entered, so nothing below it can come back (git does
the same). The ``.gitignore`` files above the starting directory, up to the repository's root,
and the repository's ``.git/info/exclude`` apply too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from glm_tui.records import record

ALWAYS_SKIPPED = frozenset({".git"})


@record
class Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    anchored: bool
    """Matched against the path from the file's directory (else against the name alone)."""


def _segment(glob: str) -> str:
    """The regular expression of one path segment's glob (no ``/`` in it)."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if ch == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1 : end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                body = body.replace("\\", "\\\\").replace("[", "\\[")
                out.append(f"[{'^/' if negate else ''}{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def compile_line(line: str) -> Rule | None:
    """One line of a .gitignore as a rule (None for a blank line or a comment)."""
    line = line.rstrip("\n").rstrip("\r")
    if not line or line.startswith("#"):
        return None
    # Trailing spaces go unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negate = line.startswith("!")
    if negate or line.startswith(("\\!", "\\#")):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    pieces = line.split("/")
    regex = ""
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if piece == "**":
            regex += ".+" if last else "(?:.*/)?"
        else:
            regex += _segment(piece) + ("" if last else "/")
    return Rule(re.compile(regex, re.DOTALL), negate, dir_only, anchored)


def read_rules(path: Path) -> list[Rule]:
    """The rules of one ignore file ([] if it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [rule for rule in map(compile_line, text.splitlines()) if rule is not None]


@record
class _Level:
    base: str
    """The directory of the ignore file, absolute, without a trailing separator."""
    rules: list[Rule]


def _verdict(levels: list[_Level], path: str, name: str, is_dir: bool) -> bool:
    """Whether the absolute ``path`` is ignored: the deepest level with a matching rule
    decides, and in it the last matching rule."""
    for level in reversed(levels):
        relative: str | None = None
        for rule in reversed(level.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.anchored:
                if relative is None:
                    relative = path[len(level.base) + 1 :].replace(os.sep, "/")
                subject = relative
            else:
                subject = name
            if rule.regex.fullmatch(subject):
                return not rule.negate
    return False


def _repository_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _ancestor_levels(start: Path) -> list[_Level]:
    """The ignore files that apply to ``start`` from above it (its repository's)."""
    root = _repository_root(start)
    if root is None:
        return []
    levels: list[_Level] = []
    exclude = read_rules(root / ".git" / "info" / "exclude")
    if exclude:
        levels.append(_Level(str(root), exclude))
    # The directories above ``start`` up to the root, the root first (``start``'s own file
    # is read by the walk).
    above = [] if root == start else list(start.parents)[: list(start.parents).index(root) + 1]
    for directory in reversed(above):
        rules = read_rules(directory / ".gitignore")
        if rules:
            levels.append(_Level(str(directory), rules))
    return levels


class IgnoreWalker:
    """Yields what is under a directory and not ignored, directories before their contents."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._above = _ancestor_levels(self.root)

    def is_ignored(self, path: Path) -> bool:
        """Whether a path under the root is ignored (by its own name or a directory above)."""
        path = path.resolve()
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            return False
        levels = list(self._above)
        current = self.root
        self._add_level(levels, current)
        for index, part in enumerate(parts):
            current = current / part
            is_dir = index < len(parts) - 1 or current.is_dir()
            if part in ALWAYS_SKIPPED or _verdict(levels, str(current), part, is_dir):
                return True
            if is_dir:
                self._add_level(levels, current)
        return False

    @staticmethod
    def _add_level(levels: list[_Level], directory: Path) -> None:
        rules = read_rules(directory / ".gitignore")
        if rules:
            levels.append(_Level(str(directory), rules))

    def walk(self, start: Path | None = None) -> Iterator[tuple[str, bool]]:
        """(path relative to the root with ``/`` separators, is a directory) for each entry
        under ``start`` (the root if None), depth first, names in order."""
        start = self.root if start is None else start.resolve()
        levels = list(self._above)
        if start != self.root:
            # The rules between the root and the start directory apply too.
            self._add_level(levels, self.root)
            for parent in reversed(start.relative_to(self.root).parents[:-1]):
                self._add_level(levels, self.root / parent)
        prefix_length = len(str(self.root)) + 1
        yield from self._walk_dir(str(start), levels, prefix_length)

    def _walk_dir(
        self, directory: str, levels: list[_Level], prefix_length: int
    ) -> Iterator[tuple[str, bool]]:
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return
        if any(entry.name == ".gitignore" for entry in entries):
            rules = read_rules(Path(directory) / ".gitignore")
            if rules:
                levels = [*levels, _Level(directory, rules)]
        for entry in entries:
            name = entry.name
            if name in ALWAYS_SKIPPED:
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if _verdict(levels, entry.path, name, is_dir):
                continue
            relative = entry.path[prefix_length:].replace(os.sep, "/")
            yield relative, is_dir
            if is_dir:
                yield from self._walk_dir(entry.path, levels, prefix_length)
