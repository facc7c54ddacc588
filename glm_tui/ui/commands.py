"""Command palette (Ctrl+P) providers: every app action, and "Open conversation: <title>"."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from glm_tui.store import StoreError

if TYPE_CHECKING:
    from glm_tui.ui.app import GLMApp

TITLES_LIMIT = 50_000
"""Conversations the palette searches (the most recently updated)."""
SCORED_LIMIT = 2_000
"""Stop scoring after this many candidates: the fuzzy scorer is the slow part."""
HITS_LIMIT = 40
RECENT_LIMIT = 8
"""Conversations offered before anything is typed."""
OPEN_PREFIX = "Open conversation: "


@dataclass(frozen=True)
class AppCommand:
    name: str
    help: str
    action: str
    """An action of the app (run through ``run_action``, so it obeys ``check_action``)."""
    needs_conversation: bool = False


APP_COMMANDS: tuple[AppCommand, ...] = (
    AppCommand("New conversation", "Start an empty conversation (Ctrl+N)", "new_conversation"),
    AppCommand(
        "Toggle sidebar", "Show or hide the conversation list (Ctrl+B or Ctrl+L)", "toggle_sidebar"
    ),
    AppCommand("Search conversations", "Search titles and messages (Ctrl+F)", "search"),
    AppCommand("Regenerate reply", "A new reply to the last prompt (Ctrl+R)", "regenerate", True),
    AppCommand(
        "Fork conversation",
        "A new conversation with the branch up to the selected message (f), or all of it",
        "fork",
        True,
    ),
    AppCommand(
        "Toggle thinking", "Thinking on/off for the next request (Ctrl+T)", "toggle_thinking"
    ),
    AppCommand(
        "Stop the reply", "Stop the reply being written, keep what arrived (Escape)", "stop"
    ),
    AppCommand("Rename conversation", "Give the conversation a new title (F2)", "rename", True),
    AppCommand(
        "Delete conversation", "Delete this conversation (asks first)", "delete_current", True
    ),
    AppCommand("Settings", "Provider, model, sampling, system prompt, theme (F3)", "settings"),
    AppCommand("Help", "Every key, and where the config and history live (F1)", "help"),
)


def highlight_plain(matcher: Matcher, text: str) -> Content:
    """``text`` with the fuzzy match highlighted, as plain text.

    ``Matcher.highlight`` parses its text as markup: a title such as ``[/]`` would fail (the
    conversation could not be found) and ``[@click=app.quit]`` would become a button.
    """
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _is_subsequence(needle: str, haystack: str) -> bool:
    """Cheap filter before the fuzzy scorer: the letters of ``needle`` in order."""
    position = 0
    for char in needle:
        position = haystack.find(char, position) + 1
        if not position:
            return False
    return True


class _AppProvider(Provider):
    @property
    def glm_app(self) -> GLMApp:
        return self.app  # type: ignore[return-value]

    def on_main_screen(self) -> bool:
        """Our commands act on the main screen; from a dialog they would do nothing."""
        return self.screen is self.app.screen_stack[0]


class ActionCommands(_AppProvider):
    """The app's actions (those the app's own system commands do not already offer)."""

    def _commands(self) -> list[AppCommand]:
        taken = {command.title for command in self.app.get_system_commands(self.screen)}
        has_conversation = self.glm_app.current_id is not None
        return [
            command
            for command in APP_COMMANDS
            if command.name not in taken and (has_conversation or not command.needs_conversation)
        ]

    def _runner(self, action: str) -> Callable[[], Awaitable[Any]]:
        return partial(self._run, action)

    async def _run(self, action: str) -> None:
        app = self.glm_app
        if action == "delete_current":
            # The app deletes from the sidebar's Delete key; this asks the same question.
            if app.current_id is not None and len(app.screen_stack) == 1:
                app.confirm_delete(app.current_id)
            return
        await app.run_action(action)

    async def discover(self) -> Hits:
        if not self.on_main_screen():
            return
        for command in self._commands():
            yield DiscoveryHit(command.name, self._runner(command.action), help=command.help)

    async def search(self, query: str) -> Hits:
        if not self.on_main_screen():
            return
        matcher = self.matcher(query)
        for command in self._commands():
            if (score := matcher.match(command.name)) > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.name),
                    self._runner(command.action),
                    text=command.name,
                    help=command.help,
                )


class ConversationCommands(_AppProvider):
    """ "Open conversation: <title>", fuzzy-matched on the title."""

    titles: list[tuple[int, str, str]]

    async def startup(self) -> None:
        self.titles = []
        if not self.on_main_screen():
            return
        try:
            summaries = self.glm_app.store.list_conversations(limit=TITLES_LIMIT)
        except StoreError:
            return
        self.titles = [(s.id, s.title, s.title.lower()) for s in summaries]

    def _opener(self, cid: int) -> Callable[[], Awaitable[None]]:
        async def open_it() -> None:
            app = self.glm_app
            try:
                app.store.get_conversation(cid)
            except StoreError as exc:
                app.notify(str(exc), severity="error", markup=False)
                return
            await app.open_conversation(cid)
            app.composer.focus()

        return open_it

    async def discover(self) -> Hits:
        for cid, title, _ in self.titles[:RECENT_LIMIT]:
            yield DiscoveryHit(
                Content.assemble((OPEN_PREFIX, "dim"), title),
                self._opener(cid),
                text=OPEN_PREFIX + title,
            )

    async def search(self, query: str) -> Hits:
        needle = "".join(query.lower().split())
        if not needle:
            return
        matcher = self.matcher(query)
        scored: list[tuple[float, int, int, str]] = []
        for index, (cid, title, lowered) in enumerate(self.titles):
            if index % 500 == 499:
                await asyncio.sleep(0)  # keep the palette responsive while typing
            if not _is_subsequence(needle, lowered):
                continue
            if (score := matcher.match(title)) > 0:
                scored.append((score, -index, cid, title))
                if len(scored) >= SCORED_LIMIT:
                    break
        for score, _, cid, title in heapq.nlargest(HITS_LIMIT, scored):
            yield Hit(
                score,
                Content.assemble((OPEN_PREFIX, "dim"), highlight_plain(matcher, title)),
                self._opener(cid),
                text=OPEN_PREFIX + title,
                help=None,
            )
