"""The main screen's sidebar on narrow terminals, and its screen-wide scroll keys.

- Below ``NARROW_LAYOUT`` columns the sidebar hides itself, and Ctrl+B (or Ctrl+L) shows it over
  the pane; beside the pane on a wide terminal, Ctrl+B turns it off and on.
- PageUp / PageDown / Home / End scroll the conversation from anywhere, unless the focused widget
  has a use for them (``scroll_key_is_ours``); Ctrl+Home / Ctrl+End always do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, OptionList, TextArea

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

FIRST_BATCH, LAST_BATCH = 20, 80
"""Older messages mounted at a time on the way to the first one (Ctrl+Home): 2,000 messages
take about a minute on a 2-core machine, 500 about 9 s (mounting is ~15 ms a message)."""
NARROW_LAYOUT = 90
"""Below this many columns the sidebar hides itself, and Ctrl+B shows it over the pane."""


class ScreenKeys:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.sidebar_wanted = True
        """The sidebar is shown on a wide terminal (Ctrl+B there turns it off and on)."""
        self.narrow: bool | None = None
        """The terminal is narrower than ``NARROW_LAYOUT``: the sidebar is shown on demand."""
        """Home / Ctrl+Home was the last of the scroll keys to the ends: End clears it."""

    # -- the sidebar ---------------------------------------------------------------------------

    def fit(self, width: int) -> None:
        """Beside the pane on a wide terminal (unless turned off), over it on a narrow one."""
        narrow = width < NARROW_LAYOUT
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.screen.sidebar.set_class(narrow, "-overlay")
        self.show_sidebar(self.sidebar_wanted and not narrow)

    def show_sidebar(self, show: bool) -> None:
        screen = self.screen
        sidebar = screen.sidebar
        sidebar.display = show
        focused = screen.focused
        if not show and focused is not None and sidebar in focused.ancestors:
            screen.composer.focus()

    def toggle_sidebar(self) -> None:
        show = not self.screen.sidebar.display
        if not self.narrow:
            self.sidebar_wanted = show
        self.show_sidebar(show)
        if show and self.narrow:
            self.screen.sidebar.option_list.focus()  # over the pane: to choose a conversation

    def search(self) -> None:
        if not self.narrow:
            self.sidebar_wanted = True
        self.show_sidebar(True)
        self.screen.sidebar.search_input.focus()

    def opened(self) -> None:
        """A conversation was chosen in the sidebar: over the pane, it goes away."""
        if self.narrow:
            self.show_sidebar(False)

    # -- the scroll keys -----------------------------------------------------------------------

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action == "page":
            return self.scroll_key_is_ours(action, always=False)
        if action in {"conversation_top", "conversation_end"}:
            return self.scroll_key_is_ours(action, always=bool(parameters and parameters[0]))
        return True

    def scroll_key_is_ours(self, action: str, *, always: bool) -> bool:
        """The rule for the scroll keys: PageUp / PageDown scroll the conversation except in
        the conversation list (which they page through); so do Home / End, except in the list
        and in a field holding text (its line); Ctrl+Home / Ctrl+End always do."""
        focused = self.screen.focused
        if always:
            return True
        if isinstance(focused, OptionList):
            return False
        if action == "page":
            return True
        if isinstance(focused, TextArea):
            return not focused.text
        if isinstance(focused, Input):
            return not focused.value
        return True

    def page(self, step: int) -> None:
        pane = self.screen.pane
        if step < 0:
            pane.scroll_page_up(animate=False)
        else:
            pane.scroll_page_down(animate=False)

    def top(self) -> None:
        """The first message: the older messages not mounted yet are mounted first, a page at
        a time at the top of the view (a long history takes a while; End stops it)."""
        pane = self.screen.pane
        pane.top_wanted = True
        # At once, not after the next refresh: an End pressed before that refresh would be
        # undone by it.
        pane.scroll_home(animate=False, immediate=True)
        if pane.has_older:
            self.screen.run_worker(self._mount_to_first(), group="to-top", exclusive=True)

    async def _mount_to_first(self) -> None:
        pane = self.screen.pane
        cid = pane.conversation_id
        count = FIRST_BATCH
        while pane.has_older and pane.conversation_id == cid:
            await pane.load_older(keep_view=False, count=count)
            pane.scroll_home(animate=False, immediate=True)
            # Each batch lays the whole pane out again: growing batches make fewer layouts,
            # and a batch of at most LAST_BATCH keeps End (which stops this) answering.
            count = min(2 * count, LAST_BATCH)
        if pane.conversation_id == cid:
            # The pane's own loading near the top keeps the view where it was: the top wins,
            # unless End came in before this refresh (the end wins then).
            pane.call_after_refresh(self._to_top_if_wanted)

    def _to_top_if_wanted(self) -> None:
        pane = self.screen.pane
        if pane.top_wanted:
            pane.scroll_home(animate=False, immediate=True)

    def end(self) -> None:
        self.screen.pane.top_wanted = False
        self.screen.workers.cancel_group(self.screen, "to-top")
        # Anchored: at the end even if a batch cancelled midway still lands above the view, and
        # following a reply being written again.
        self.screen.pane.anchor()
