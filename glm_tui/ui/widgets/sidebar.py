"""The conversation sidebar: a search box over a list of conversations, newest first.

The list is an OptionList: it renders only the visible lines, so 10,000 conversations stay
instant. Typing filters titles in memory; Enter runs the store's full-text search.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from glm_tui.store import ConversationSummary, SearchHit
from glm_tui.ui import keys
from glm_tui.ui.formatting import relative_time

LIVE_MARKER = "● "
HIGHLIGHT = ("\ue000", "\ue001")
"""Marks around the matches in search snippets (private-use characters: never in real text)."""
PAGE_SIZE = 200
"""Options added to the list at a time: building (and measuring) 10,000 at once takes a second."""


def snippet_content(snippet: str) -> Content:
    """A search snippet with its matches in bold (and the rest of it plain text)."""
    parts: list[tuple[str, str]] = []
    for i, piece in enumerate(" ".join(snippet.split()).split(HIGHLIGHT[0])):
        match, _, rest = piece.partition(HIGHLIGHT[1]) if i else ("", "", piece)
        parts += [(match, "bold $text-accent"), (rest.replace(HIGHLIGHT[1], ""), "dim")]
    return Content.assemble(*(part for part in parts if part[0]))


class SearchInput(Input):
    BINDINGS = keys.bindings("search")

    def action_to_list(self) -> None:
        """Down into the list: the first result highlighted (the list of all conversations
        keeps the open one highlighted), so that Enter opens it."""
        option_list = self.screen.query_one("#conversations", OptionList)
        option_list.focus()
        if option_list.option_count and (self.value.strip() or option_list.highlighted is None):
            option_list.highlighted = 0


class ConversationList(OptionList):
    BINDINGS = keys.bindings("list")

    @dataclass
    class DeleteRequested(Message):
        conversation_id: int

    @dataclass
    class SearchRequested(Message):
        pass

    @dataclass
    class NearEnd(Message):
        pass

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - self.size.height:
            self.post_message(self.NearEnd())

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and highlighted >= self.option_count - 5:
            self.post_message(self.NearEnd())

    def action_delete(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.DeleteRequested(option_conversation(option.id)))

    def action_search(self) -> None:
        self.post_message(self.SearchRequested())


def option_conversation(option_id: str) -> int:
    """The conversation id in an option id: ``c12`` or ``h12-345`` (a search hit)."""
    return int(option_id[1:].split("-", 1)[0])


class Sidebar(Vertical):
    @dataclass
    class Opened(Message):
        """The user chose a conversation (``message_id``: the search hit's message)."""

        conversation_id: int
        message_id: int | None = None

    @dataclass
    class FullTextSearch(Message):
        query: str

    def __init__(self, *, now: Callable[[], datetime], id: str) -> None:
        super().__init__(id=id)
        self.now = now
        self.summaries: list[ConversationSummary] = []
        self.live_ids: Collection[int] = ()
        self.current_id: int | None = None
        self.hits: list[SearchHit] | None = None
        self._shown: list[ConversationSummary] = []
        """The conversations the list holds (the filtered ones); the first ones are rendered."""

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="Search (Ctrl+F)", id="search")
        yield Static(Content(""), id="search-info")
        yield ConversationList(id="conversations", markup=False)

    @property
    def search_input(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def option_list(self) -> ConversationList:
        return self.query_one("#conversations", ConversationList)

    # -- content ------------------------------------------------------------------------------

    def set_conversations(
        self,
        summaries: Sequence[ConversationSummary],
        *,
        live_ids: Collection[int],
        current_id: int | None,
    ) -> None:
        self.summaries = list(summaries)
        self.live_ids = live_ids
        self.current_id = current_id
        if self.hits is None:
            self._render_list()

    def touch(self, summary: ConversationSummary) -> None:
        """One conversation added or changed here: it moves to the top (newest first)."""
        self.summaries = [summary, *(s for s in self.summaries if s.id != summary.id)]
        if self.hits is None:
            self._render_list()

    def drop(self, conversation_id: int) -> None:
        self.summaries = [s for s in self.summaries if s.id != conversation_id]
        if self.current_id == conversation_id:
            self.current_id = None
        if self.hits is None:
            self._render_list()

    def set_live(self, live_ids: Collection[int]) -> None:
        changed = set(live_ids) ^ set(self.live_ids)
        self.live_ids = set(live_ids)
        if self.hits is not None:
            return
        now = self.now()
        option_list = self.option_list
        for summary in self._shown[: option_list.option_count]:
            if summary.id in changed:
                option = self._summary_option(summary, now)
                option_list.replace_option_prompt(f"c{summary.id}", option.prompt)

    def _summary_option(self, summary: ConversationSummary, now: datetime) -> Option:
        live = summary.id in self.live_ids
        title = Content.assemble(
            (LIVE_MARKER, "$success") if live else "",
            (summary.title or "New conversation", "bold"),
        )
        meta = " · ".join(p for p in (relative_time(summary.updated_at, now), summary.model) if p)
        return Option(Content.assemble(title, "\n", (meta, "dim")), id=f"c{summary.id}")

    def _render_list(self) -> None:
        query = self.search_input.value.strip().casefold()
        shown = [s for s in self.summaries if query in (s.title or "").casefold()]
        self._shown = shown
        now = self.now()
        self.option_list.set_options([self._summary_option(s, now) for s in shown[:PAGE_SIZE]])
        info = self.query_one("#search-info", Static)
        if query:
            count = len(shown)
            info.update(Content(f"{count} title{'s' if count != 1 else ''} · Enter: all text"))
        info.display = bool(query)
        self._highlight_current()

    def _render_more(self, up_to: int = 0) -> None:
        option_list = self.option_list
        start = option_list.option_count
        end = max(start + PAGE_SIZE, up_to + 1)
        if self.hits is None and start < len(self._shown):
            now = self.now()
            option_list.add_options(self._summary_option(s, now) for s in self._shown[start:end])

    @on(ConversationList.NearEnd)
    def _near_end(self, event: ConversationList.NearEnd) -> None:
        event.stop()
        self._render_more()

    def _highlight_current(self) -> None:
        option_list = self.option_list
        if self.current_id is None:
            option_list.highlighted = None
            return
        index = next((i for i, s in enumerate(self._shown) if s.id == self.current_id), None)
        if index is not None and index >= option_list.option_count:
            self._render_more(up_to=index)
        try:
            option_list.highlighted = option_list.get_option_index(f"c{self.current_id}")
        except OptionDoesNotExist:
            option_list.highlighted = None

    def select(self, conversation_id: int | None) -> None:
        self.current_id = conversation_id
        if self.hits is None:
            self._highlight_current()

    def show_hits(self, query: str, hits: Sequence[SearchHit]) -> None:
        """Full-text search results: one option per matching message."""
        self.hits = list(hits)
        options = [
            Option(
                Content.assemble(
                    (hit.title or "New conversation", "bold"),
                    "\n",
                    (f"{hit.role}: ", "dim italic"),
                    snippet_content(hit.snippet),
                ),
                id=f"h{hit.conversation_id}-{hit.message_id}",
            )
            for hit in hits
        ]
        self.option_list.set_options(options)
        count = len(self.hits)
        info = self.query_one("#search-info", Static)
        info.update(
            Content.assemble(
                f"{count} message{'s' if count != 1 else ''} contain ",
                (query, "bold"),
                " · Esc: back",
            )
        )
        info.display = True
        if options:
            self.option_list.highlighted = 0

    def clear_search(self) -> None:
        self.hits = None
        self.search_input.value = ""
        self._render_list()

    # -- events -------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.hits = None
        self._render_list()

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.FullTextSearch(event.value.strip()))
        else:
            self.clear_search()

    @on(OptionList.OptionSelected, "#conversations")
    def _opened(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        message_id = int(option_id.split("-", 1)[1]) if option_id.startswith("h") else None
        self.post_message(self.Opened(option_conversation(option_id), message_id))

    @on(ConversationList.SearchRequested)
    def _focus_search(self, event: ConversationList.SearchRequested) -> None:
        event.stop()
        self.search_input.focus()
