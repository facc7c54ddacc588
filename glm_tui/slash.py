"""Slash commands: the registry the composer's ``/`` completion lists, and parsing a line.

A line is a command when it starts with ``/`` and a name (letters, digits, ``-``, ``_``) ended by a
space or the end: ``/model glm-4.7``, ``/translate bonjour``. Anything else is a message as typed,
so a path (``/usr/bin/env?``) is sent as it is; ``//`` at the start sends a line that begins with
``/`` (``//help`` sends ``/help``). An unknown name is never sent: it says so. Running a command
is the session's (session/slash_runner.py); no Textual here.
"""

from __future__ import annotations

import re
from pathlib import Path

from glm_tui.prompt_library import LibraryPrompt, PromptLibrary, user_prompts_dir
from glm_tui.records import record


@record
class SlashCommand:
    """One entry of the ``/`` list: a built-in command, or a prompt of the library."""

    name: str
    usage: str
    """How it is typed: ``/model NAME``."""
    help: str
    """One line."""
    prompt: LibraryPrompt | None = None
    """The library prompt it sends (None: a built-in command)."""

    @property
    def is_prompt(self) -> bool:
        return self.prompt is not None


BUILTINS: tuple[SlashCommand, ...] = (
    SlashCommand("model", "/model NAME", "The model of this conversation (or of the next one)"),
    SlashCommand("system", "/system TEXT", "This conversation's system prompt (no text: none)"),
    SlashCommand("title", "/title TEXT", "Rename this conversation"),
    SlashCommand("thinking", "/thinking on|off", "Thinking on or off for the next requests"),
    SlashCommand("tag", "/tag NAME", "Tag this conversation (/tag -NAME takes the tag off)"),
    SlashCommand(
        "export", "/export [md|json]", "Save this conversation to a file (Markdown by default)"
    ),
    SlashCommand("clear", "/clear", "Start a new conversation"),
    SlashCommand("help", "/help", "List the commands and the library's prompts"),
)
BUILTIN_NAMES = frozenset(command.name for command in BUILTINS)


def load_library(config_path: Path) -> PromptLibrary:
    """The bundled prompts and those in ``prompts/`` next to ``config_path`` (a file named as a
    built-in command is a problem)."""
    return PromptLibrary.load(user_prompts_dir(config_path), reserved=BUILTIN_NAMES)


_COMMAND = re.compile(r"/([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s+|$)")
UNKNOWN = "Unknown command /{name}: /help lists the commands (start with // to send a /)."


@record
class PlainText:
    """Not a command: send ``text`` (``//`` at the start made into ``/``)."""

    text: str


@record
class CommandCall:
    """A known command and the rest of its line (stripped)."""

    command: SlashCommand
    argument: str


@record
class UnknownCommand:
    """``/name`` that is no command: nothing is sent; ``message`` says so."""

    name: str

    @property
    def message(self) -> str:
        return UNKNOWN.format(name=self.name)


ParsedLine = PlainText | CommandCall | UnknownCommand


class SlashCommands:
    """The built-in commands and the library's prompts, by name."""

    def __init__(self, library: PromptLibrary) -> None:
        self.library = library
        prompts = [
            SlashCommand(p.name, f"/{p.name} …", p.summary, p) for p in library.prompts.values()
        ]
        self.commands: dict[str, SlashCommand] = {c.name: c for c in (*BUILTINS, *prompts)}

    def all(self) -> list[SlashCommand]:
        """The built-in commands, then the prompts by name."""
        return list(self.commands.values())

    def get(self, name: str) -> SlashCommand | None:
        return self.commands.get(name.lower())

    def complete(self, typed: str) -> list[SlashCommand]:
        """The commands to list while ``typed`` (the composer's text, from its ``/`` to the
        cursor, no space yet) is being written: names that start with it, then names that
        hold it. [] when the text is no start of a command."""
        if not typed.startswith("/") or typed.startswith("//") or any(c.isspace() for c in typed):
            return []
        needle = typed[1:].lower()
        starts = [c for c in self.commands.values() if c.name.startswith(needle)]
        holds = [c for c in self.commands.values() if needle in c.name and c not in starts]
        return starts + holds

    def parse(self, line: str) -> ParsedLine:
        """What a composer line is: plain text to send, a command call, or an unknown
        command."""
        if line.startswith("//"):
            return PlainText(line[1:])
        match = _COMMAND.match(line)
        if match is None:
            return PlainText(line)
        command = self.get(match[1])
        if command is None:
            return UnknownCommand(match[1])
        return CommandCall(command, line[match.end() :].strip())
