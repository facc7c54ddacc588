"""Keys that act on the whole screen, and the layout that follows the terminal's size.

- While a dialog is open, glm-tui's own keys and commands do nothing (the dialog has its own),
  but Textual's stay on: Tab and Shift+Tab run ``app.focus_next`` / ``app.focus_previous``.
- PageUp / PageDown / Home / End scroll the conversation from anywhere, unless the focused widget
  has a use for them (``_scroll_key_is_ours``); Ctrl+Home / Ctrl+End always do.
- Below ``NARROW_LAYOUT`` columns the sidebar hides itself, and Ctrl+B (or Ctrl+L) shows it over
  the pane.
- ``$prose-width`` (app.tcss) is the max_prose_width setting.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Input, OptionList, TextArea

from glm_tui.config import Settings
from glm_tui.ui.conversations import ConversationsApp

FIRST_BATCH, LAST_BATCH = 20, 80
"""Older messages mounted at a time on the way to the first one (Ctrl+Home): 2,000 messages
take about a minute on a 2-core machine, 500 about 9 s (mounting is ~15 ms a message)."""
NARROW_LAYOUT = 90
"""Below this many columns the sidebar hides itself, and Ctrl+B shows it over the pane."""


def is_main_screen_action(app_class: type[App[object]], action: str) -> bool:
    """An action of glm-tui's own (written in this package) or the command palette, as
    opposed to one of Textual's (focus_next, help_quit...)."""
    method = getattr(app_class, f"action_{action}", None)
    module = getattr(method, "__module__", "") or ""
    return action == "command_palette" or module.startswith("glm_tui.")


class ScreenKeysApp(ConversationsApp):
    """The part of the app that owns the screen-wide keys and the responsive layout."""

    sidebar_wanted = True
    """The sidebar is shown on a wide terminal (Ctrl+B there turns it off and on)."""
    narrow: bool | None = None
    """The terminal is narrower than ``NARROW_LAYOUT``: the sidebar is shown on demand."""

    def get_css_variables(self) -> dict[str, str]:
        # $prose-width caps paragraphs, lists, headings and quotes in replies (app.tcss).
        settings: Settings | None = getattr(self, "settings", None)  # None inside App.__init__
        width = settings.max_prose_width if settings is not None else 0
        return {**super().get_css_variables(), "prose-width": str(width) if width else "100%"}

    # -- the sidebar -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._fit_sidebar(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_sidebar(event.size.width)

    def _fit_sidebar(self, width: int) -> None:
        """Beside the pane on a wide terminal (unless turned off), over it on a narrow one."""
        narrow = width < NARROW_LAYOUT
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.sidebar.set_class(narrow, "-overlay")
        self._show_sidebar(self.sidebar_wanted and not narrow)

    def _show_sidebar(self, show: bool) -> None:
        sidebar = self.sidebar
        sidebar.display = show
        if not show and self.focused is not None and sidebar in self.focused.ancestors:
            self.composer.focus()

    def action_toggle_sidebar(self) -> None:
        show = not self.sidebar.display
        if not self.narrow:
            self.sidebar_wanted = show
        self._show_sidebar(show)
        if show and self.narrow:
            self.sidebar.option_list.focus()  # over the pane: to choose a conversation

    def action_search(self) -> None:
        if not self.narrow:
            self.sidebar_wanted = True
        self._show_sidebar(True)
        self.sidebar.search_input.focus()

    # -- the keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The app's own keys and commands act on the main screen: they do nothing while a
        # dialog is open (the dialog has its own). Textual's app actions stay on: a screen's
        # Tab and Shift+Tab run app.focus_next / app.focus_previous, and refusing every action
        # but a few here once left Tab dead in every dialog.
        if len(self.screen_stack) > 1 and action not in {"quit", "help"}:
            return not is_main_screen_action(type(self), action)
        if action == "page":
            return self._scroll_key_is_ours(action, always=False)
        if action in {"conversation_top", "conversation_end"}:
            return self._scroll_key_is_ours(action, always=bool(parameters and parameters[0]))
        return True

    def _scroll_key_is_ours(self, action: str, *, always: bool) -> bool:
        """The rule for the scroll keys: PageUp / PageDown scroll the conversation except in
        the conversation list (which they page through); so do Home / End, except in the list
        and in a field holding text (its line); Ctrl+Home / Ctrl+End always do."""
        focused = self.focused
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

    def action_page(self, step: int) -> None:
        if step < 0:
            self.pane.scroll_page_up(animate=False)
        else:
            self.pane.scroll_page_down(animate=False)

    def action_conversation_top(self, always: bool = False) -> None:
        """The first message: the older messages not mounted yet are mounted first, a page at
        a time at the top of the view (a long history takes a while; End stops it)."""
        self.pane.scroll_home(animate=False)
        if self.pane.has_older:
            self.run_worker(self._mount_to_first(), group="to-top", exclusive=True)

    async def _mount_to_first(self) -> None:
        pane = self.pane
        cid = pane.conversation_id
        count = FIRST_BATCH
        while pane.has_older and pane.conversation_id == cid:
            await pane.load_older(keep_view=False, count=count)
            pane.scroll_home(animate=False, immediate=True)
            # Each batch lays the whole pane out again: growing batches make fewer layouts,
            # and a batch of at most LAST_BATCH keeps End (which stops this) answering.
            count = min(2 * count, LAST_BATCH)
        if pane.conversation_id == cid:
            # The pane's own loading near the top keeps the view where it was: the top wins.
            pane.call_after_refresh(pane.scroll_home, animate=False)

    def action_conversation_end(self, always: bool = False) -> None:
        self.workers.cancel_group(self, "to-top")
        self.pane.scroll_end(animate=False)  # and follows a reply being written again
