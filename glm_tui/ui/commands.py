"""Command palette (Ctrl+P) providers: every app action, and "Open conversation: <title>"."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from glm_tui.store import StoreError
from glm_tui.ui.keys import PaletteCommand, table_of
from glm_tui.ui.screens.main import MainScreen

TITLES_LIMIT = 50_000
"""Conversations the palette searches (the most recently updated)."""
SCORED_LIMIT = 2_000
"""Stop scoring after this many candidates: the fuzzy scorer is the slow part."""
HITS_LIMIT = 40
RECENT_LIMIT = 8
"""Conversations offered before anything is typed."""
OPEN_PREFIX = "Open conversation: "


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
    def main(self) -> MainScreen:
        """The screen our commands act on."""
        screen = self.app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_main_screen(self) -> bool:
        """Our commands act on the main screen; from a dialog they would do nothing."""
        return self.screen is self.app.screen_stack[0]


class ActionCommands(_AppProvider):
    """The app's actions (those the app's own system commands do not already offer)."""

    def _commands(self) -> list[PaletteCommand]:
        taken = {command.title for command in self.app.get_system_commands(self.screen)}
        has_conversation = self.main.session.current_id is not None
        return [
            command
            for command in table_of(self.app).palette_commands()
            if command.name not in taken and (has_conversation or not command.needs_conversation)
        ]

    def _runner(self, command: PaletteCommand) -> Callable[[], Awaitable[Any]]:
        return partial(self._run, command)

    async def _run(self, command: PaletteCommand) -> None:
        if len(self.app.screen_stack) == 1:
            target = self.app if command.on_app else self.main
            await target.run_action(command.action)

    async def discover(self) -> Hits:
        if not self.on_main_screen():
            return
        for command in self._commands():
            yield DiscoveryHit(command.name, self._runner(command), help=command.help)

    async def search(self, query: str) -> Hits:
        if not self.on_main_screen():
            return
        matcher = self.matcher(query)
        for command in self._commands():
            if (score := matcher.match(command.name)) > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.name),
                    self._runner(command),
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
            titles = self.main.session.titles(TITLES_LIMIT)
        except StoreError:
            return
        self.titles = [(cid, title, title.lower()) for cid, title in titles]

    def _opener(self, cid: int) -> Callable[[], Awaitable[None]]:
        async def open_it() -> None:
            main = self.main
            await main.open_conversation(cid)
            main.composer.focus()

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
