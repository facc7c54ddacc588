"""``@path`` in a prompt: each mention of a file or folder that exists becomes an attachment.

A mention starts with ``@`` at the start of the text or after a space, and runs to the next
space; ``@"a path with spaces"`` is quoted. Punctuation that ends a sentence (``see @notes.md.``)
is not part of the path unless the path with it exists. The text itself is sent as typed.
"""

from __future__ import annotations

import re
from pathlib import Path

from glm_tui.records import record

_MENTION = re.compile(r'(?<!\S)@(?:"([^"\n]+)"|(\S+))')
_TRAILING = ".,;:!?)]}'\"`>"


@record
class Mention:
    start: int
    end: int
    """The span of ``@path`` in the text."""
    typed: str
    """The path as typed (without the ``@`` and quotes)."""
    path: Path
    """Where it is (absolute)."""


def _resolve(typed: str, cwd: Path) -> Path | None:
    path = Path(typed).expanduser()
    if not path.is_absolute():
        path = cwd / path
    try:
        return path if path.exists() else None
    except OSError:
        return None


def find_mentions(text: str, cwd: Path | None = None) -> list[Mention]:
    """The mentions of existing paths, in order, each path once."""
    cwd = Path.cwd() if cwd is None else cwd
    found: list[Mention] = []
    seen: set[Path] = set()
    for match in _MENTION.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        typed = quoted if quoted is not None else bare
        end = match.end()
        path = _resolve(typed, cwd)
        while path is None and bare is not None and typed and typed[-1] in _TRAILING:
            typed = typed[:-1]
            end -= 1
            path = _resolve(typed, cwd) if typed else None
        if path is None:
            continue
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        found.append(Mention(match.start(), end, typed, path))
    return found


def mention_text(path: str) -> str:
    """What completion inserts for a path: ``@path``, quoted when it has a space."""
    return f'@"{path}"' if any(ch.isspace() for ch in path) else f"@{path}"
