"""Slash commands in the composer: the completion list as ``/`` is typed, and a line that is a
command run through the session's ``SlashRunner`` (``/model``, ``/title``, a library prompt...).

What the runner answers decides what the window does: send the text as typed, run the turn a
prompt started, ask for a prompt's variables in a small form, list the commands, or say one
short note (a problem keeps the line in the composer; nothing is sent).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from glm_tui.session import Session, WouldOverflow
from glm_tui.session.slash_runner import (
    Done,
    Failed,
    NeedsValues,
    Sent,
    ShowHelp,
    SlashOutcome,
    SlashRunner,
)
from glm_tui.slash import PlainText
from glm_tui.ui.screens.problems import attempt
from glm_tui.ui.widgets.slash_list import KEYS, SlashList, command_line

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

TITLE = "Slash command"


class SlashActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session
        self._runner: SlashRunner | None = None

    @property
    def runner(self) -> SlashRunner:
        """The commands and the prompt library (read when first needed)."""
        if self._runner is None:
            self._runner = SlashRunner(self.session)
        return self._runner

    def load(self) -> None:
        """Read the library after the first screen: each prompt file that did not load is one
        notification naming it."""
        for problem in self.runner.problems:
            self.screen.notify(problem, title="Prompt library", severity="warning", markup=False)

    # -- the completion list -------------------------------------------------------------------

    @property
    def completion(self) -> SlashList:
        return self.screen.query_one("#slash-list", SlashList)

    def text_changed(self, text: str) -> None:
        """The composer's text changed: list the commands it may be the start of."""
        commands = self.runner.complete(text) if text.startswith("/") else []
        self.completion.show_for(text, commands)

    def handles(self, key: str) -> bool:
        """Whether the composer gives the key to the list (only while it is shown)."""
        return key in KEYS and self.completion.shown

    def key(self, key: str) -> bool:
        """Act on a key the list handles; False when it should do its usual thing after all
        (Enter on a command already whole: the line runs)."""
        completion = self.completion
        composer = self.screen.composer
        if key in ("up", "down"):
            completion.move(-1 if key == "up" else 1)
        elif key == "escape":
            completion.hide(composer.text)
        elif (chosen := completion.chosen) is not None:
            if key == "enter" and composer.text.strip() == f"/{chosen.name}":
                completion.hide(composer.text)
                return False
            composer.load_text(f"/{chosen.name} ")
            composer.move_cursor(composer.document.end)
        return True

    # -- running a line ------------------------------------------------------------------------

    async def submit(self, line: str) -> None:
        """The composer's line (starting with ``/``): run it, or send it when it is text."""
        screen = self.screen
        try:
            outcome = await attempt(screen.app, self.runner.run(line, directory=Path.cwd()))
        except WouldOverflow as overflow:
            screen.notify(str(overflow), title=TITLE, severity="error", markup=False)
            return
        except OSError as exc:
            screen.notify(f"Cannot save: {exc}", title=TITLE, severity="error", markup=False)
            return
        if outcome is not None:
            await self.follow(outcome, line)

    async def follow(self, outcome: SlashOutcome, line: str) -> None:
        """Act on what the composer's ``line`` came to; a line done with leaves the composer
        (what was typed after it stays)."""
        screen = self.screen
        if isinstance(outcome, PlainText):
            await screen.conversations.send(outcome.text, typed=line)
        elif isinstance(outcome, Sent):
            screen.composer.take_sent(line)
            screen.turns.start(outcome.turn)
        elif isinstance(outcome, Done):
            screen.composer.take_sent(line)
            screen.notify(outcome.message, markup=False, timeout=4)
        elif isinstance(outcome, Failed):
            screen.notify(outcome.message, title=TITLE, severity="error", markup=False)
        elif isinstance(outcome, NeedsValues):
            screen.run_worker(self._ask_values(outcome, line), group="dialogs")
        elif isinstance(outcome, ShowHelp):
            screen.run_worker(self._show_help(outcome), group="dialogs")

    async def _ask_values(self, needs: NeedsValues, line: str) -> None:
        from glm_tui.ui.screens.prompt_form import PromptFormScreen

        screen = self.screen
        values = await screen.app.push_screen_wait(PromptFormScreen(needs.prompt.name, needs.names))
        if values is None:
            return
        try:
            outcome = await attempt(
                screen.app, self.runner.fill(needs.prompt, needs.input_text, values)
            )
        except WouldOverflow as overflow:
            screen.notify(str(overflow), title=TITLE, severity="error", markup=False)
            return
        if outcome is not None:
            await self.follow(outcome, line)

    async def _show_help(self, help: ShowHelp) -> None:
        from glm_tui.ui.screens.choice_dialog import ChoiceScreen

        screen = self.screen
        choices = [(command_line(command), command.name) for command in help.commands]
        dialog = ChoiceScreen[str](
            "Slash commands",
            choices,
            empty="",
            hint="Enter: write it in the composer · Esc: close · // sends a line starting with /",
            id="slash-help",
        )
        name = await screen.app.push_screen_wait(dialog)
        composer = screen.composer
        if name is not None:
            composer.load_text(f"/{name} ")
            composer.move_cursor(composer.document.end)
        elif composer.text.strip() == "/help":
            composer.clear()
        composer.focus()
