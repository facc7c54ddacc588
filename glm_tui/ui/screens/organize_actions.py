"""What the main screen does to keep the history findable: pin, tag, group the sidebar by tag,
the bookmarks view, and a new conversation with a role of the prompt library. Each goes through
``session.organizer``; what it changes comes back as session events (``session_view.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from glm_tui.prompt_library import LibraryPrompt
from glm_tui.session import Session
from glm_tui.store import Bookmark
from glm_tui.ui.formatting import relative_time
from glm_tui.ui.screens.problems import attempt, attempt_now

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen


def bookmark_choice(bookmark: Bookmark, when: str) -> Content:
    """A line of the bookmarks view: the conversation, then who wrote what, and when."""
    who = "You" if bookmark.role == "user" else "Reply"
    return Content.assemble(
        (bookmark.title or "New conversation", "bold"),
        "\n",
        (f"{who}: ", "dim italic"),
        (bookmark.excerpt, ""),
        (f"  {when}", "dim"),
    )


class OrganizeActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session

    # -- pins and tags -------------------------------------------------------------------------

    async def toggle_pin(self, cid: int) -> None:
        pinned = await attempt(self.screen.app, self.session.organizer.toggle_pin(cid))
        if pinned is not None:
            self.screen.notify("Pinned: it stays on top." if pinned else "Unpinned.", timeout=3)

    def tag(self, cid: int) -> None:
        self.screen.run_worker(self._tag(cid), group="dialogs")

    async def _tag(self, cid: int) -> None:
        from glm_tui.ui.screens.tag_dialog import TagScreen

        screen = self.screen
        organizer = self.session.organizer
        found = attempt_now(
            screen.app, lambda: (organizer.store.conversation_summary(cid), organizer.all_tags())
        )
        if found is None:
            return
        summary, in_use = found
        tags = await screen.app.push_screen_wait(TagScreen(summary.title, summary.tags, in_use))
        if tags is None:
            return
        changed = await attempt(screen.app, organizer.set_tags(cid, tags), title="Tags")
        if changed is not None:
            shown = " ".join(f"#{tag}" for tag in changed.tags) or "none"
            screen.notify(f"Tags: {shown}", markup=False, timeout=3)

    def group_by_tag(self) -> None:
        sidebar = self.screen.sidebar
        sidebar.set_grouped(not sidebar.grouped)  # the headings say it: no notification

    # -- bookmarks -----------------------------------------------------------------------------

    def show_bookmarks(self) -> None:
        self.screen.run_worker(self._show_bookmarks(), group="dialogs")

    async def _show_bookmarks(self) -> None:
        from glm_tui.ui.screens.choice_dialog import ChoiceScreen

        screen = self.screen
        bookmarks = attempt_now(screen.app, self.session.organizer.bookmarks)
        if bookmarks is None:
            return
        now = screen.now()
        choices = [(bookmark_choice(b, relative_time(b.bookmarked_at, now)), b) for b in bookmarks]
        dialog = ChoiceScreen[Bookmark](
            "Bookmarks",
            choices,
            empty="No bookmarks yet: select a message (Up from the composer) and press b.",
            id="bookmarks",
        )
        chosen = await screen.app.push_screen_wait(dialog)
        if chosen is not None:
            await attempt(screen.app, self.session.organizer.open_bookmark(chosen))
            screen.screen_keys.opened()

    # -- roles ---------------------------------------------------------------------------------

    def new_with_role(self) -> None:
        self.screen.run_worker(self._new_with_role(), group="dialogs")

    async def _new_with_role(self) -> None:
        from glm_tui.ui.screens.choice_dialog import ChoiceScreen

        screen = self.screen
        runner = screen.slash.runner
        roles = runner.roles()
        choices = [
            (
                Content.assemble(
                    (prompt.name, "bold"), "\n", (prompt.description or prompt.summary, "dim")
                ),
                prompt,
            )
            for prompt in roles
        ]
        where = runner.library.user_dir or "prompts/"
        dialog = ChoiceScreen[LibraryPrompt](
            "New conversation with role…",
            choices,
            empty=f"No prompt has a system prompt: add one with `system:` to {where}.",
            hint="Enter: start · Esc: close",
            id="roles",
        )
        prompt = await screen.app.push_screen_wait(dialog)
        if prompt is None:
            return
        await attempt(screen.app, runner.start_role(prompt))
        screen.composer.focus()
        screen.notify(f"New conversation as {prompt.name}.", markup=False, timeout=3)
