"""The conversation sidebar: a search box over a list of conversations, pinned ones first, then
the newest.

The list is an OptionList: it renders only the visible lines, so 10,000 conversations stay
instant. Typing filters titles in memory (``tag:NAME`` keeps a tag's); Enter runs the store's
full-text search. The list can be grouped by tag (a conversation is in each of its tags').
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from glm_tui.conversation_filter import group_by_tag, parse_filter, with_changed, with_touched
from glm_tui.records import record
from glm_tui.store import ConversationSummary, SearchHit
from glm_tui.ui import keys
from glm_tui.ui.formatting import relative_time
from glm_tui.ui.textual_private import SteadyScrollView

LIVE_MARKER = "● "
PIN_MARKER = "⚑ "
"""Before the title of a pinned conversation."""
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


class ConversationList(SteadyScrollView, OptionList):
    BINDINGS = keys.bindings("list")

    def __init__(self, *, id: str, markup: bool) -> None:
        super().__init__(id=id, markup=markup)
        keys.install(self, "list")
        self._rendered_width: int | None = None

    @on(events.Resize)
    def _keep_rendered_options(self, event: events.Resize) -> None:
        # Runs before OptionList's own handler, which drops every option it has rendered at
        # each resize (an option is rendered for a width). Shown again at the same width
        # (Ctrl+B), the list kept nothing, and the next change of highlight (opening a
        # conversation) rendered every option in view again: 18 of them, the list's paint in
        # that open 8-29 ms against 4-6 ms. Only a new width needs them made again.
        width = self.scrollable_content_region.width
        if width == self._rendered_width:
            event.prevent_default()  # not OptionList's handler
        self._rendered_width = width

    @record(frozen=False, slots=False)
    class DeleteRequested(Message):
        conversation_id: int

    @record(frozen=False, slots=False)
    class PinRequested(Message):
        conversation_id: int

    @record(frozen=False, slots=False)
    class TagRequested(Message):
        conversation_id: int

    @record(frozen=False, slots=False)
    class SearchRequested(Message):
        pass

    @record(frozen=False, slots=False)
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

    def _highlighted_id(self) -> int | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return option_conversation(option.id)

    def action_delete(self) -> None:
        if (cid := self._highlighted_id()) is not None:
            self.post_message(self.DeleteRequested(cid))

    def action_pin(self) -> None:
        if (cid := self._highlighted_id()) is not None:
            self.post_message(self.PinRequested(cid))

    def action_tag(self) -> None:
        if (cid := self._highlighted_id()) is not None:
            self.post_message(self.TagRequested(cid))

    def action_search(self) -> None:
        self.post_message(self.SearchRequested())


def option_conversation(option_id: str) -> int:
    """The conversation id in an option id: ``c12``, ``c12-3`` (its third place in a list grouped
    by tag) or ``h12-345`` (a search hit)."""
    return int(option_id[1:].split("-", 1)[0])


@record(slots=False)
class TagHeading:
    """The line above a tag's conversations when the list is grouped by tag."""

    tag: str | None
    count: int


Row = ConversationSummary | TagHeading


class Sidebar(Vertical):
    @record(frozen=False, slots=False)
    class Opened(Message):
        """The user chose a conversation (``message_id``: the search hit's message)."""

        conversation_id: int
        message_id: int | None = None
        query: str = ""
        """The search that found ``message_id`` (its words are highlighted there)."""

    @record(frozen=False, slots=False)
    class FullTextSearch(Message):
        query: str

    def __init__(self, *, now: Callable[[], datetime], id: str) -> None:
        super().__init__(id=id)
        self.now = now
        self.summaries: list[ConversationSummary] = []
        self.live_ids: Collection[int] = ()
        self.current_id: int | None = None
        self.hits: list[SearchHit] | None = None
        self.hits_query = ""
        self.grouped = False
        """Grouped by tag (a heading per tag), rather than by date."""
        self._shown: list[Row] = []
        """The rows the list holds (the filtered conversations, the tag headings when grouped),
        one per option; the first ones are rendered."""
        self._first_place: dict[int, int] = {}
        """Each conversation's first row in ``_shown`` (its option id is ``c<id>`` there)."""

    def compose(self) -> ComposeResult:
        search_key = keys.table_of(self).first("search")
        placeholder = f"Search ({search_key})" if search_key else "Search"
        yield SearchInput(placeholder=placeholder, id="search")
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
        """One conversation added or written to here: it moves to the top of its part (the
        pinned ones, or the others)."""
        self.summaries = with_touched(self.summaries, summary)
        if self.hits is None:
            self._render_list()

    def change(self, summary: ConversationSummary) -> None:
        """A conversation's title, pin or tags changed: it keeps its place (a pin moves it)."""
        self.summaries = with_changed(self.summaries, summary)
        if self.hits is None:
            self._render_list(keep_view=True)

    def set_grouped(self, grouped: bool) -> None:
        self.grouped = grouped
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
        for index, row in enumerate(self._shown[: option_list.option_count]):
            if isinstance(row, ConversationSummary) and row.id in changed:
                option = self._option(index, row, now)
                option_list.replace_option_prompt_at_index(index, option.prompt)

    def _option(self, index: int, row: Row, now: datetime) -> Option:
        """The option of the row at ``index`` of ``_shown``."""
        if isinstance(row, TagHeading):
            name = f"#{row.tag}" if row.tag is not None else "No tag"
            return Option(Content.assemble((name, "bold $text-accent"), (f"  {row.count}", "dim")),
                          disabled=True)  # fmt: skip
        summary = row
        live = summary.id in self.live_ids
        title = Content.assemble(
            (LIVE_MARKER, "$success") if live else "",
            (PIN_MARKER, "$text-warning") if summary.pinned else "",
            (summary.title or "New conversation", "bold"),
        )
        meta = " · ".join(p for p in (relative_time(summary.updated_at, now), summary.model) if p)
        tags = " ".join(f"#{tag}" for tag in summary.tags)
        line = Content.assemble((meta, "dim"), ("  " if tags else "", ""), (tags, "$text-accent"))
        # A conversation in several groups has one option in each: ids must differ.
        first = self._first_place.get(summary.id)
        option_id = f"c{summary.id}" if first in (None, index) else f"c{summary.id}-{index}"
        return Option(Content.assemble(title, "\n", line), id=option_id)

    def _rows(self, summaries: list[ConversationSummary]) -> list[Row]:
        if not self.grouped:
            return list(summaries)
        rows: list[Row] = []
        for group in group_by_tag(summaries):
            rows.append(TagHeading(group.tag, len(group.summaries)))
            rows.extend(group.summaries)
        return rows

    def _render_list(self, *, keep_view: bool = False) -> None:
        query = self.search_input.value.strip()
        wanted = parse_filter(query)
        shown = wanted.apply(self.summaries)
        self._shown = self._rows(shown)
        self._first_place = {}
        for index, row in enumerate(self._shown):
            if isinstance(row, ConversationSummary):
                self._first_place.setdefault(row.id, index)
        now = self.now()
        option_list = self.option_list
        scroll_y = option_list.scroll_y
        before = option_list.highlighted_option
        count = max(PAGE_SIZE, option_list.option_count) if keep_view else PAGE_SIZE
        option_list.set_options(
            [self._option(i, row, now) for i, row in enumerate(self._shown[:count])]
        )
        info = self.query_one("#search-info", Static)
        if query:
            found = len(shown)
            info.update(Content(f"{found} title{'s' if found != 1 else ''} · Enter: all text"))
        info.display = bool(query)
        if keep_view:
            self._highlight_current()
            if option_list.has_focus and before is not None and before.id is not None:
                # The conversation the keys act on keeps the highlight, wherever it went.
                with contextlib.suppress(OptionDoesNotExist):
                    option_list.highlighted = option_list.get_option_index(before.id)
            option_list.scroll_to(y=scroll_y, animate=False, immediate=True)
        else:
            self._highlight_current()

    def _render_more(self, up_to: int = 0) -> None:
        option_list = self.option_list
        start = option_list.option_count
        end = max(start + PAGE_SIZE, up_to + 1)
        if self.hits is None and start < len(self._shown):
            now = self.now()
            option_list.add_options(
                self._option(i, row, now) for i, row in enumerate(self._shown[start:end], start)
            )

    @on(ConversationList.NearEnd)
    def _near_end(self, event: ConversationList.NearEnd) -> None:
        event.stop()
        self._render_more()

    def _highlight_current(self) -> None:
        option_list = self.option_list
        if self.current_id is None:
            option_list.highlighted = None
            return
        index = next(
            (
                i
                for i, row in enumerate(self._shown)
                if isinstance(row, ConversationSummary) and row.id == self.current_id
            ),
            None,
        )
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
        self.hits_query = query
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
        wanted = parse_filter(event.value)
        if wanted.text:
            self.post_message(self.FullTextSearch(event.value.strip()))
        elif wanted.tags:
            self.option_list.focus()  # tags alone: the list shows their conversations already
            if self.option_list.option_count:
                self.option_list.highlighted = 0
        else:
            self.clear_search()

    @on(OptionList.OptionSelected, "#conversations")
    def _opened(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        message_id = int(option_id.split("-", 1)[1]) if option_id.startswith("h") else None
        query = self.hits_query if message_id is not None else ""
        self.post_message(self.Opened(option_conversation(option_id), message_id, query))

    @on(ConversationList.SearchRequested)
    def _focus_search(self, event: ConversationList.SearchRequested) -> None:
        event.stop()
        self.search_input.focus()
