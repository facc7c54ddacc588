"""Filtering and ordering lists of conversations: ``tag:NAME`` in a query, pins on top, groups.

What the sidebar's search box means, without Textual: ``tag:work budget`` keeps the
conversations tagged ``work`` (any case) whose title holds ``budget``; several ``tag:`` terms
must all hold. The words left over are also what a full-text search looks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from glm_tui.records import record
from glm_tui.store import ConversationSummary, clean_tag

TAG_PREFIX = "tag:"


@record
class ConversationFilter:
    """A parsed query: the tags asked for and the rest of the text."""

    text: str
    """The query without its ``tag:`` terms, spaces collapsed (for titles and full text)."""
    tags: tuple[str, ...] = ()
    """The tags every conversation kept must have (as typed, without ``#``)."""

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.tags

    def matches(self, summary: ConversationSummary) -> bool:
        """Whether the conversation has every tag and its title holds the text (any case)."""
        if self.tags:
            have = {tag.casefold() for tag in summary.tags}
            if any(tag.casefold() not in have for tag in self.tags):
                return False
        return self.text.casefold() in (summary.title or "").casefold()

    def apply(self, summaries: Iterable[ConversationSummary]) -> list[ConversationSummary]:
        return [summary for summary in summaries if self.matches(summary)]


def parse_filter(query: str) -> ConversationFilter:
    """Split ``tag:NAME`` terms (any case of ``tag:``) from the words of a query.

    ``tag:`` alone (a tag still being typed) and a term that cannot be a tag are left out,
    never an error: the box filters as the user types.
    """
    words: list[str] = []
    tags: list[str] = []
    for piece in query.split():
        if piece[: len(TAG_PREFIX)].casefold() == TAG_PREFIX:
            name = piece[len(TAG_PREFIX) :]
            try:
                tag = clean_tag(name)
            except ValueError:
                continue
            if tag.casefold() not in (t.casefold() for t in tags):
                tags.append(tag)
        else:
            words.append(piece)
    return ConversationFilter(" ".join(words), tuple(tags))


def pinned_first(summaries: Iterable[ConversationSummary]) -> list[ConversationSummary]:
    """The order of every list of conversations: pinned ones first, each part in the order
    given (the most recently updated first, as the store lists them)."""
    items = list(summaries)
    return [s for s in items if s.pinned] + [s for s in items if not s.pinned]


def with_touched(
    summaries: Sequence[ConversationSummary], summary: ConversationSummary
) -> list[ConversationSummary]:
    """The list after ``summary`` was written in (or made): at the top of its part (pinned or
    not), its old row gone."""
    rest = [s for s in summaries if s.id != summary.id]
    return pinned_first([summary, *rest])


def with_changed(
    summaries: Sequence[ConversationSummary], summary: ConversationSummary
) -> list[ConversationSummary]:
    """The list after ``summary`` changed in place (a title, tags, a pin): the same place
    among its part, which it leaves for the other when pinned or unpinned (to its top when
    pinned, to its place by date when unpinned)."""
    rest = [s for s in summaries if s.id != summary.id]
    old = next((s for s in summaries if s.id == summary.id), None)
    if old is None:
        return pinned_first(rest)
    if old.pinned == summary.pinned:
        return [summary if s.id == summary.id else s for s in summaries]
    if summary.pinned:
        return pinned_first([summary, *rest])
    unpinned = [s for s in rest if not s.pinned]
    key = (summary.updated_at, summary.id)
    index = next((i for i, s in enumerate(unpinned) if (s.updated_at, s.id) < key), len(unpinned))
    unpinned.insert(index, summary)
    return [s for s in rest if s.pinned] + unpinned


@record
class TagGroup:
    """One group of a list grouped by tag (``tag`` None: the conversations without one)."""

    tag: str | None
    summaries: tuple[ConversationSummary, ...]


def group_by_tag(summaries: Iterable[ConversationSummary]) -> list[TagGroup]:
    """Groups by tag, by name without case; a conversation with several tags is in each of
    them, in the order given (pinned first). The untagged ones come last."""
    groups: dict[str, tuple[str, list[ConversationSummary]]] = {}
    untagged: list[ConversationSummary] = []
    for summary in pinned_first(summaries):
        if not summary.tags:
            untagged.append(summary)
        for tag in summary.tags:
            groups.setdefault(tag.casefold(), (tag, []))[1].append(summary)
    ordered = [TagGroup(name, tuple(members)) for _, (name, members) in sorted(groups.items())]
    if untagged:
        ordered.append(TagGroup(None, tuple(untagged)))
    return ordered
