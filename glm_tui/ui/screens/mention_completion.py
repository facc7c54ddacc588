"""``@`` completion in the composer: typing ``@`` and part of a path lists the paths under the
working directory that match (fuzzy, ``.gitignore`` respected; ``AttachmentDesk``).

While the list shows, the composer hands it Up / Down (move), Tab or Enter (insert the
highlighted ``@path``) and Escape (close it until the mention changes). A file is inserted with
a space after it, which closes the list, so the next Enter sends; a folder without one, so its
paths are listed next (Tab on the folder itself adds the space). The tree is walked in a thread
the first time (and again when it is 30 s old), so typing never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session import Session

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen
    from glm_tui.ui.widgets.path_completion import PathCompletion

LIMIT = 50
"""Candidates listed (the best first)."""

Token = tuple[int, int, str]
"""(row, column of the ``@``, what follows it up to the cursor)."""


def mention_at(line: str) -> tuple[int, str] | None:
    """The ``@`` mention ending at the end of ``line`` (the text before the cursor): where its
    ``@`` is and the query after it; None if the cursor is not in one. ``@`` starts a mention
    at the start of a line or after a space (not in ``me@example.com``); ``@"`` starts a
    quoted one, which may hold spaces until its closing quote."""
    at = line.rfind("@")
    while at >= 0:
        if at == 0 or line[at - 1].isspace():
            break
        at = line.rfind("@", 0, at)
    if at < 0:
        return None
    query = line[at + 1 :]
    if query.startswith('"'):
        query = query[1:]
        return None if '"' in query else (at, query)
    if any(ch.isspace() for ch in query):
        return None
    return at, query


class MentionCompletion:
    """The main screen's ``@`` list: what it shows follows the composer's text and cursor."""

    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session
        self.dismissed: Token | None = None
        """The mention Escape closed the list on: it stays closed until that changes."""
        self.shown_for: Token | None = None

    @property
    def listing(self) -> PathCompletion:
        from glm_tui.ui.widgets.path_completion import PathCompletion

        return self.screen.query_one("#path-completion", PathCompletion)

    def token(self) -> Token | None:
        composer = self.screen.composer
        if composer.selection.start != composer.selection.end:
            return None
        row, column = composer.cursor_location
        found = mention_at(composer.document.get_line(row)[:column])
        return None if found is None else (row, found[0], found[1])

    def update(self) -> None:
        """The composer changed (text or cursor): list the paths for the mention being typed,
        or close the list."""
        token = self.token()
        if token is None or token == self.dismissed:
            self.close()
            return
        self.dismissed = None
        if token == self.shown_for and self.listing.display:
            return
        # Not exclusive (a cancelled worker's coroutine is never awaited): a fill for a
        # mention typed on since does nothing.
        self.screen.run_worker(self._fill(token), group="mention-completion")

    async def _fill(self, token: Token) -> None:
        await self.session.attachments.refresh_paths()
        if self.token() != token:
            return  # typed on meanwhile: the next update lists for that
        candidates = self.session.attachments.complete_paths(token[2], LIMIT)
        self.shown_for = token
        self.listing.show(candidates)

    def close(self) -> None:
        self.shown_for = None
        if self.listing.display:
            self.listing.hide()

    def key(self, key: str) -> bool:
        """A key pressed in the composer; True if the list took it."""
        listing = self.listing
        if not listing.display:
            return False
        if key in ("up", "down"):
            listing.move(-1 if key == "up" else 1)
            return True
        if key in ("tab", "enter"):
            return self.choose()
        if key == "escape":
            self.dismissed = self.token()
            self.close()
            return True
        return False

    def choose(self) -> bool:
        """Put the highlighted ``@path`` in the composer in place of the mention typed."""
        choice = self.listing.choice
        token = self.token()
        if choice is None or token is None:
            self.close()
            return False
        composer = self.screen.composer
        row, at, _ = token
        end = composer.cursor_location
        typed = composer.document.get_text_range((row, at), end)
        mention = choice.mention
        if not choice.is_dir or typed == mention:
            mention += " "
        composer.replace(mention, (row, at), end)
        composer.move_cursor((row, at + len(mention)))
        return True
