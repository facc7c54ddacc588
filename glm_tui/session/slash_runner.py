"""Running a composer line that may be a slash command, through the session.

``SlashRunner.run(line)`` answers with what the window does next: send the text as usual
(``PlainText``), run the turn a prompt started (``Sent``), ask for the values of a prompt's
variables in a small form and then call ``fill`` (``NeedsValues``), show the list of commands
(``ShowHelp``), say a short note (``Done``) or a problem, the line kept in the composer
(``Failed``). Nothing is sent for an unknown command or a wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from glm_tui.prompt_library import LibraryPrompt, PromptLibrary, PromptUsageError
from glm_tui.records import record
from glm_tui.slash import (
    CommandCall,
    PlainText,
    SlashCommand,
    SlashCommands,
    UnknownCommand,
    load_library,
)

if TYPE_CHECKING:
    from glm_tui.session.session import Session
    from glm_tui.session.turns import Turn

NO_CONVERSATION = "No conversation is open: /{name} needs one."


@record
class Sent:
    """A prompt of the library was sent: run ``turn`` (``Session.run``) as for any prompt."""

    turn: Turn
    text: str


@record
class NeedsValues:
    """The prompt has variables without a value: ask for ``names`` (in order), then call
    ``SlashRunner.fill(prompt, input_text, values)``."""

    prompt: LibraryPrompt
    input_text: str
    names: tuple[str, ...]


@record
class ShowHelp:
    commands: tuple[SlashCommand, ...]


@record
class Done:
    """The command did what it says; ``message`` is a short note to show."""

    message: str


@record
class Failed:
    """Nothing was done or sent (keep the line in the composer); ``message`` says why."""

    message: str


SlashOutcome = PlainText | Sent | NeedsValues | ShowHelp | Done | Failed


class SlashRunner:
    """The slash commands of one session (its library is read when made; ``reload`` again)."""

    def __init__(self, session: Session, library: PromptLibrary | None = None) -> None:
        self.session = session
        self.commands = SlashCommands(library or load_library(session.settings.config_path))

    @property
    def library(self) -> PromptLibrary:
        return self.commands.library

    @property
    def problems(self) -> list[str]:
        """One line per prompt file that did not load (notify each, naming the file)."""
        return self.library.problems

    def reload(self) -> None:
        self.commands = SlashCommands(load_library(self.session.settings.config_path))

    def complete(self, typed: str) -> list[SlashCommand]:
        return self.commands.complete(typed)

    def roles(self) -> list[LibraryPrompt]:
        """The prompts that can start a conversation in a role (they have a system prompt)."""
        return self.library.roles()

    async def start_role(self, prompt: LibraryPrompt) -> None:
        """Show a new conversation that starts with the prompt's system prompt and model."""
        await self.session.organizer.start_new(
            system_prompt=prompt.system, model=prompt.model, role=prompt.name
        )

    # -- running -----------------------------------------------------------------------------

    async def run(
        self, line: str, *, clipboard: str | None = None, directory: Path | None = None
    ) -> SlashOutcome:
        """What to do with a composer line (see the module). ``clipboard``: the clipboard's
        text for ``{{clipboard}}`` (None: asked for); ``directory``: where ``/export`` writes
        (the working directory by default). The session's errors (CannotSend, Busy, a
        StoreError) are raised as ``Session.send`` raises them."""
        parsed = self.commands.parse(line)
        if isinstance(parsed, PlainText):
            return parsed
        if isinstance(parsed, UnknownCommand):
            return Failed(parsed.message)
        return await self._call(parsed, clipboard, directory or Path.cwd())

    async def fill(
        self,
        prompt: LibraryPrompt,
        input_text: str,
        values: Mapping[str, str],
        *,
        clipboard: str | None = None,
    ) -> SlashOutcome:
        """Send a prompt once its form gave the values ``NeedsValues`` asked for."""
        return await self._send_prompt(prompt, input_text, values, clipboard)

    async def _call(
        self, call: CommandCall, clipboard: str | None, directory: Path
    ) -> SlashOutcome:
        command, argument = call.command, call.argument
        if command.prompt is not None:
            return await self._send_prompt(command.prompt, argument, {}, clipboard)
        handler = getattr(self, f"_{command.name}")
        outcome: SlashOutcome = await handler(argument, directory)
        return outcome

    async def _send_prompt(
        self,
        prompt: LibraryPrompt,
        input_text: str,
        values: Mapping[str, str],
        clipboard: str | None,
    ) -> SlashOutcome:
        missing = prompt.missing(input_text, values, clipboard)
        if missing:
            return NeedsValues(prompt, input_text, missing)
        try:
            text = prompt.render(input_text, values, clipboard=clipboard, today=date.today())
        except PromptUsageError as exc:
            return Failed(str(exc))
        session = self.session
        if session.current_id is None and (prompt.system or prompt.model):
            await self.start_role(prompt)
        turn = await session.send(text, thinking=prompt.thinking)
        if turn is None:
            return Failed("The conversation was deleted by another program; nothing was sent.")
        return Sent(turn, text)

    # -- the built-in commands (each takes the argument and the export directory) ------------

    async def _model(self, argument: str, directory: Path) -> SlashOutcome:
        if not argument or len(argument.split()) != 1:
            return Failed("Usage: /model NAME (one model id, such as glm-4.7).")
        cid = self.session.current_id
        if cid is None:
            await self.session.organizer.start_new(model=argument)
            return Done(f"The next conversation uses {argument}.")
        await self.session.update_conversation(cid, model=argument)
        return Done(f"This conversation now uses {argument}.")

    async def _system(self, argument: str, directory: Path) -> SlashOutcome:
        prompt = argument or None
        cid = self.session.current_id
        if cid is None:
            await self.session.organizer.start_new(system_prompt=prompt)
            return Done("The next conversation starts with this system prompt." if prompt else
                        "The next conversation has no system prompt.")  # fmt: skip
        await self.session.update_conversation(cid, system_prompt=prompt)
        return Done("System prompt set for this conversation." if prompt else
                    "This conversation has no system prompt now.")  # fmt: skip

    async def _title(self, argument: str, directory: Path) -> SlashOutcome:
        cid = self.session.current_id
        if cid is None:
            return Failed(NO_CONVERSATION.format(name="title"))
        if not argument:
            return Failed("Usage: /title TEXT")
        await self.session.rename(cid, " ".join(argument.split()))
        return Done("Renamed.")

    async def _thinking(self, argument: str, directory: Path) -> SlashOutcome:
        wanted = {"on": True, "off": False, "": not self.session.thinking}.get(argument.lower())
        if wanted is None:
            return Failed("Usage: /thinking on|off")
        if wanted != self.session.thinking:
            await self.session.toggle_thinking()
        return Done(f"Thinking {'on' if wanted else 'off'} for the next requests.")

    async def _tag(self, argument: str, directory: Path) -> SlashOutcome:
        cid = self.session.current_id
        if cid is None:
            return Failed(NO_CONVERSATION.format(name="tag"))
        names = argument.split()
        if not names:
            return Failed("Usage: /tag NAME (or /tag -NAME to take it off)")
        organizer = self.session.organizer
        try:
            for name in names:
                if name.startswith("-") and len(name) > 1:
                    summary = await organizer.untag(cid, name[1:])
                else:
                    summary = await organizer.tag(cid, name)
        except ValueError as exc:
            return Failed(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        shown = " ".join(f"#{tag}" for tag in summary.tags) or "none"
        return Done(f"Tags: {shown}")

    async def _export(self, argument: str, directory: Path) -> SlashOutcome:
        cid = self.session.current_id
        if cid is None:
            return Failed(NO_CONVERSATION.format(name="export"))
        fmt = argument.lower() or "md"
        if fmt not in ("md", "json"):
            return Failed("Usage: /export [md|json]")
        return Done(self.session.organizer.export(cid, fmt, directory))

    async def _clear(self, argument: str, directory: Path) -> SlashOutcome:
        await self.session.open(None)
        return Done("New conversation.")

    async def _help(self, argument: str, directory: Path) -> SlashOutcome:
        return ShowHelp(tuple(self.commands.all()))
