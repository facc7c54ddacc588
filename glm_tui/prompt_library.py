"""The prompt library: Markdown files that become slash commands (``/NAME rest of line``).

The bundled examples (the ``prompts/`` folder, shipped in the wheel like the themes) and the
user's own, ``prompts/*.md`` next to ``config.toml`` (one of the user's replaces a bundled one of
its name). A file's name is its command; it may start with front matter::

    ---
    description: Translate into another language
    model: glm-4.7
    thinking: false
    system: |
      You are a careful translator.
    ---
    Translate into {{language}}:

    {{input}}

``{{input}}`` is the rest of the command's line (appended after a blank line when the prompt does
not say where), ``{{clipboard}}`` the clipboard's text, ``{{date}}`` today's date; any other
``{{name}}`` is asked for. A file that cannot be used gives one line naming it, and the others
still load. Never imports Textual: ``glm-tui ask --prompt`` uses it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from datetime import date
from pathlib import Path

from glm_tui.records import record

INPUT, CLIPBOARD, DATE = "input", "clipboard", "date"
FRONT_MATTER_KEYS = ("description", "model", "system", "thinking")
MAX_BYTES = 256 * 1024
"""A larger file is surely not a prompt."""
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
"""A command's name: the file's name without ``.md``, in lower case."""
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*:(.*)")
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


class PromptFileError(Exception):
    """A prompt file that cannot be used: one line naming it."""


class PromptUsageError(Exception):
    """A prompt asked for in a way that cannot work (unknown, a value missing): one line."""


def bundled_prompts_dir() -> Path | None:
    """The bundled prompts: inside an installed wheel, or at the root of a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "prompts", package.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    return None


def user_prompts_dir(config_path: Path) -> Path:
    return config_path.parent / "prompts"


@record
class LibraryPrompt:
    """One prompt of the library."""

    name: str
    path: Path
    body: str
    description: str | None = None
    model: str | None = None
    """The model a conversation it starts uses."""
    system: str | None = None
    """The system prompt a conversation it starts gets: a prompt with one is a role."""
    thinking: bool | None = None
    """Thinking on or off for its request (None: as the window says)."""
    bundled: bool = False

    @property
    def variables(self) -> tuple[str, ...]:
        """Its ``{{variables}}``, each once, in order."""
        return tuple(dict.fromkeys(VARIABLE.findall(self.body)))

    @property
    def summary(self) -> str:
        """One line for a completion list."""
        if self.description:
            return self.description
        first = next((ln.strip() for ln in self.body.splitlines() if ln.strip()), "")
        return first if len(first) <= 60 else first[:59].rstrip() + "…"

    def missing(
        self, input_text: str, values: Mapping[str, str], clipboard: str | None
    ) -> tuple[str, ...]:
        """The variables that still need a value (to ask for in a form): ``input`` when it is
        used and empty, ``clipboard`` when no clipboard text was given, any other not in
        ``values``."""
        needed: list[str] = []
        for name in self.variables:
            if name == DATE:
                continue
            if name == INPUT:
                if not input_text.strip() and not values.get(INPUT, "").strip():
                    needed.append(name)
            elif name == CLIPBOARD:
                if clipboard is None and CLIPBOARD not in values:
                    needed.append(name)
            elif name not in values:
                needed.append(name)
        return tuple(needed)

    def render(
        self,
        input_text: str,
        values: Mapping[str, str] | None = None,
        *,
        clipboard: str | None = None,
        today: date | None = None,
    ) -> str:
        """The text to send; PromptUsageError names a variable still missing."""
        values = dict(values or {})
        # Without the newline a pipe ends with (leading spaces may be code's indentation).
        input_text = input_text.rstrip().lstrip("\r\n")
        missing = self.missing(input_text, values, clipboard)
        if missing:
            raise PromptUsageError(f"the prompt {self.name} needs {{{{{missing[0]}}}}}")
        filled = {
            **values,
            INPUT: input_text if input_text.strip() else values.get(INPUT, ""),
            DATE: (today or date.today()).isoformat(),
        }
        if clipboard is not None:
            filled[CLIPBOARD] = clipboard
        text = VARIABLE.sub(lambda m: filled.get(m[1], m[0]), self.body)
        if INPUT not in self.variables and input_text.strip():
            text = f"{text.rstrip()}\n\n{input_text.strip()}"
        return text


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return raw[1:-1]
        return value if isinstance(value, str) else raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    return raw


def parse_front_matter(lines: list[str]) -> dict[str, str]:
    """``key: value`` lines (a value may be quoted, or a ``|`` / ``>`` block of indented
    lines); ValueError, one sentence, for anything else."""
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.fullmatch(line.rstrip())
        if match is None or line[:1].isspace():
            raise ValueError(f"front matter line {index + 1} is not 'key: value': {line.strip()!r}")
        key, rest = match[1], match[2].strip()
        if key not in FRONT_MATTER_KEYS:
            raise ValueError(
                f"unknown front matter key {key!r} (known: {', '.join(FRONT_MATTER_KEYS)})"
            )
        if key in values:
            raise ValueError(f"the front matter gives {key} twice")
        if rest in ("|", ">", "|-", ">-"):
            block: list[str] = []
            while index < len(lines) and (not lines[index].strip() or lines[index][:1].isspace()):
                block.append(lines[index])
                index += 1
            indent = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
            texts = [b[indent:].rstrip() for b in block]
            joined = "\n".join(texts) if rest.startswith("|") else " ".join(t for t in texts if t)
            values[key] = joined.strip("\n")
        else:
            values[key] = _scalar(rest)
    return values


def _thinking(value: str | None) -> bool | None:
    if value is None:
        return None
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"thinking must be true or false, not {value!r}")


def read_prompt_file(path: Path, *, bundled: bool = False) -> LibraryPrompt:
    """One prompt file; PromptFileError (one line naming it) when it cannot be used."""
    name = path.stem.lower()
    try:
        if not NAME.fullmatch(name):
            raise ValueError(
                "its name (the command's) must be letters, digits, '-' or '_',"
                " starting with a letter or digit, at most 40"
            )
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ValueError(f"it is {size:,} bytes; a prompt has at most {MAX_BYTES:,}")
            raw = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read it ({exc.strerror})") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("it is not UTF-8 text") from None
        lines = text.splitlines()
        meta: dict[str, str] = {}
        body = text
        if lines and lines[0].strip() == "---":
            end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() in ("---", "...")), 0)
            if not end:
                raise ValueError("its front matter (opened by ---) is never closed by ---")
            meta = parse_front_matter(lines[1:end])
            body = "\n".join(lines[end + 1 :])
        body = body.strip()
        if not body:
            raise ValueError("the prompt's text is empty")
        return LibraryPrompt(
            name=name,
            path=path,
            body=body,
            description=" ".join(meta["description"].split()) if meta.get("description") else None,
            model=meta.get("model") or None,
            system=meta.get("system") or None,
            thinking=_thinking(meta.get("thinking")),
            bundled=bundled,
        )
    except ValueError as exc:
        raise PromptFileError(f"{path}: {exc}") from None


def _prompt_files(directory: Path | None) -> list[Path]:
    if directory is None or not directory.is_dir():
        return []
    try:
        return sorted(p for p in directory.iterdir() if p.suffix.lower() == ".md" and p.is_file())
    except OSError:
        return []


@record(frozen=False, slots=False)
class PromptLibrary:
    """Every prompt that loaded, by name, and one line per file that did not."""

    prompts: dict[str, LibraryPrompt] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    user_dir: Path | None = None

    @classmethod
    def load(
        cls,
        user_dir: Path | None,
        *,
        bundled_dir: Path | None = None,
        reserved: Iterable[str] = (),
        use_bundled: bool = True,
    ) -> PromptLibrary:
        """The bundled prompts, then the user's (which replace bundled ones of their name).
        ``reserved``: names taken by built-in commands (a file named so is a problem)."""
        taken = set(reserved)
        library = cls(user_dir=user_dir)
        bundled = bundled_dir if bundled_dir is not None else bundled_prompts_dir()
        sources = [(bundled, True)] if use_bundled else []
        for directory, is_bundled in [*sources, (user_dir, False)]:
            seen: set[str] = set()
            for path in _prompt_files(directory):
                try:
                    prompt = read_prompt_file(path, bundled=is_bundled)
                    if prompt.name in taken:
                        raise PromptFileError(
                            f"{path}: /{prompt.name} is a built-in command; rename the file"
                        )
                    if prompt.name in seen:
                        raise PromptFileError(
                            f"{path}: another file here is also named {prompt.name}"
                            " (names are compared in lower case)"
                        )
                except PromptFileError as exc:
                    library.problems.append(str(exc))
                    continue
                seen.add(prompt.name)
                library.prompts[prompt.name] = prompt
        library.prompts = dict(sorted(library.prompts.items()))
        return library

    def get(self, name: str) -> LibraryPrompt | None:
        return self.prompts.get(name.lower())

    def roles(self) -> list[LibraryPrompt]:
        """The prompts with a system prompt: each can start a conversation in that role."""
        return [prompt for prompt in self.prompts.values() if prompt.system]

    def find(self, name: str) -> LibraryPrompt:
        """The prompt of that name; PromptFileError (the problem of its file) when its file did
        not load, PromptUsageError saying what there is when there is none."""
        prompt = self.get(name)
        if prompt is not None:
            return prompt
        for problem in self.problems:
            if Path(problem.split(": ", 1)[0]).stem.lower() == name.lower():
                raise PromptFileError(problem)
        where = f" in {self.user_dir}" if self.user_dir is not None else ""
        known = ", ".join(self.prompts) or "none"
        raise PromptUsageError(f"no prompt named {name!r}{where} (there are: {known})")


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs (``--var``); PromptUsageError for one without ``=``."""
    values: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not VARIABLE.fullmatch("{{" + name.strip() + "}}"):
            raise PromptUsageError(f"--var takes NAME=VALUE, not {item!r}")
        values[name.strip()] = value
    return values


def expand_for_ask(
    library: PromptLibrary,
    name: str,
    input_text: str,
    assignments: Iterable[str],
    *,
    today: date | None = None,
) -> tuple[LibraryPrompt, str]:
    """The prompt ``glm-tui ask --prompt NAME`` sends, and its text: ``input_text`` for
    ``{{input}}``, ``--var NAME=VALUE`` for the others (``clipboard`` too). PromptUsageError
    names what is missing; PromptFileError is the prompt's broken file."""
    prompt = library.find(name)
    values = parse_assignments(assignments)
    unknown = [v for v in values if v not in prompt.variables]
    if unknown:
        known = ", ".join(v for v in prompt.variables if v not in (INPUT, DATE)) or "none"
        raise PromptUsageError(
            f"the prompt {prompt.name} has no variable {unknown[0]!r} (it has: {known})"
        )
    missing = prompt.missing(input_text, values, values.get(CLIPBOARD))
    if missing == (INPUT,):
        raise PromptUsageError(
            f"the prompt {prompt.name} needs an input: give it after the prompt's name"
            " or on standard input"
        )
    if missing:
        names = " ".join(f"--var {m}=VALUE" for m in missing if m != INPUT)
        raise PromptUsageError(f"the prompt {prompt.name} needs {names}")
    text = prompt.render(input_text, values, clipboard=values.get(CLIPBOARD), today=today)
    return prompt, text
