"""Replies as GLM writes them, for the streaming benchmarks: reasoning first, then an answer
with headings, prose (bold, inline code, links), bullet and numbered lists, a table and code
fences, in pieces of about one token.

Plain words are the cheapest text to render; these replies make the renderer do what a real
answer makes it do.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

_TEXT = (
    "the model streams tokens while terminal renders markdown blocks and code with syntax "
    "highlighting so every frame must stay short because people read along as text arrives "
    "cache index query buffer thread request response value list table file path setting "
    "error message test result function method object server client queue database schema"
)
_WORDS = _TEXT.split()
_PIECE = re.compile(r"\s*\S{1,5}|\s+")


@dataclass(frozen=True)
class Reply:
    reasoning: list[str]
    content: list[str]

    @property
    def text(self) -> str:
        return "".join(self.content)

    @property
    def tokens(self) -> int:
        return len(self.reasoning) + len(self.content)


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.section = 0

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(count))

    def sentence(self) -> str:
        text = self.words(self.rng.randrange(8, 18))
        roll = self.rng.random()
        if roll < 0.15:
            text += f" with `{self.rng.choice(_WORDS)}_{self.rng.randrange(100)}()`"
        elif roll < 0.25:
            text += f" and **{self.words(2)}**"
        elif roll < 0.3:
            text += f" (see [the docs](https://example.com/{self.rng.choice(_WORDS)}))"
        return text[:1].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randrange(3, 7)))

    def bullets(self) -> str:
        return "\n".join(f"- {self.sentence()}" for _ in range(self.rng.randrange(3, 7)))

    def numbered(self) -> str:
        return "\n".join(f"{i}. {self.sentence()}" for i in range(1, self.rng.randrange(3, 6)))

    def table(self) -> str:
        rows = ["| name | kind | cost | note |", "|---|---|---:|---|"]
        for _ in range(self.rng.randrange(4, 9)):
            name, kind = self.rng.choice(_WORDS), self.rng.choice(_WORDS)
            rows.append(f"| `{name}` | {kind} | {self.rng.randrange(1, 999)} | {self.words(4)} |")
        return "\n".join(rows)

    def code(self) -> str:
        if self.rng.random() < 0.5:
            lines = [f"def handle_{self.section}(items: list[str]) -> dict[str, int]:"]
            lines.append('    """Count the items, skipping blanks."""')
            lines.append("    counts: dict[str, int] = {}")
            for i in range(self.rng.randrange(6, 16)):
                lines.append(f"    counts['{self.rng.choice(_WORDS)}'] = len(items) * {i}  # {i}")
            lines.append("    return counts")
            return "```python\n" + "\n".join(lines) + "\n```"
        lines = [f"async function handle{self.section}(url) {{"]
        for i in range(self.rng.randrange(6, 16)):
            lines.append(f"  const {self.rng.choice(_WORDS)}{i} = await fetch(`${{url}}/{i}`);")
        lines.append("  return true;\n}")
        return "```javascript\n" + "\n".join(lines) + "\n```"

    def section_text(self) -> str:
        self.section += 1
        parts = [f"## {self.words(3).title()} {self.section}", self.paragraph()]
        parts += [self.bullets(), self.paragraph(), self.code()]
        if self.section % 2:
            parts += [self.table(), self.numbered()]
        parts.append(self.paragraph())
        return "\n\n".join(parts)


def pieces(text: str) -> list[str]:
    """``text`` cut into pieces of about one token (a word, or five characters of one)."""
    return _PIECE.findall(text)


def realistic_reply(n_tokens: int, seed: int = 3, reasoning_share: float = 0.08) -> Reply:
    """A reply of about ``n_tokens`` pieces: reasoning, then a structured Markdown answer."""
    writer = _Writer(seed)
    reasoning_target = int(n_tokens * reasoning_share)
    reasoning: list[str] = []
    while len(reasoning) < reasoning_target:
        reasoning += pieces(writer.paragraph() + "\n\n")
    content: list[str] = pieces("Here is the answer.\n\n")
    while len(reasoning[:reasoning_target]) + len(content) < n_tokens:
        content += pieces(writer.section_text() + "\n\n")
    content = content[: max(1, n_tokens - reasoning_target)]
    # Close a fence cut off by the length, as a model ends its reply.
    if "".join(content).count("```") % 2:
        content.append("\n```\n")
    return Reply(reasoning[:reasoning_target], content)


def reply_of_size(n_bytes: int, seed: int = 5) -> Reply:
    """A realistic reply of about ``n_bytes`` of UTF-8 text (the 1 MB reply)."""
    tokens = n_bytes // 5
    reply = realistic_reply(tokens, seed)
    while len(reply.text.encode()) < n_bytes:
        tokens = int(tokens * 1.1) + 1
        reply = realistic_reply(tokens, seed)
    return reply
