"""Pins, tags and bookmarks: in the store, through the session (with its events), in exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.chat import ChatService
from glm_tui.config import Settings
from glm_tui.conversation_filter import (
    group_by_tag,
    parse_filter,
    pinned_first,
    with_changed,
    with_touched,
)
from glm_tui.session import (
    BookmarkChanged,
    ConversationChanged,
    ConversationOpened,
    Session,
    SessionEvent,
)
from glm_tui.store import ConversationSummary, ImportFormatError, NotFound, Store
from glm_tui.store.migrations import migrate
from tests.store_fixtures import build_tree, without_ids


def make(store: Store, title: str, *texts: str) -> int:
    cid = store.create_conversation(title=title, provider="openai", model="glm-4.7")
    parent = None
    for i, text in enumerate(texts):
        parent = store.add_message(
            cid, parent_id=parent, role="user" if i % 2 == 0 else "assistant", content=text
        )
    return cid


def titles(summaries: list[ConversationSummary]) -> list[str]:
    return [s.title for s in summaries]


# -- the store ---------------------------------------------------------------------------------


def test_pinned_conversations_stay_at_the_top(store: Store) -> None:
    old = make(store, "old")
    middle = make(store, "middle")
    make(store, "new")
    assert store.set_pinned(old, True) is True
    assert store.set_pinned(old, True) is False  # no change
    assert titles(store.list_conversations()) == ["old", "new", "middle"]
    store.add_message(middle, parent_id=None, role="user", content="written in last")
    assert titles(store.list_conversations()) == ["old", "middle", "new"]
    assert titles(store.list_conversations(limit=2)) == ["old", "middle"]
    before = store.get_conversation(old).updated_at
    store.set_pinned(old, False)
    assert store.get_conversation(old).updated_at == before  # pinning is not writing in it
    assert titles(store.list_conversations()) == ["middle", "new", "old"]
    with pytest.raises(NotFound):
        store.set_pinned(999, True)


def test_tags_are_added_removed_and_compared_without_case(store: Store) -> None:
    a = make(store, "a")
    b = make(store, "b")
    assert store.add_tag(a, "Work") is True
    assert store.add_tag(a, "work") is False  # the same tag, kept as first written
    assert store.add_tag(a, " #urgent ") is True
    store.add_tag(b, "WORK")
    assert store.tags_of(a) == ["urgent", "Work"]
    assert store.conversation_summary(a).tags == ("urgent", "Work")
    assert store.all_tags() == [("urgent", 1), ("Work", 2)]
    assert titles(store.list_conversations(tag="work")) == ["b", "a"]
    assert titles(store.list_conversations(tag="URGENT")) == ["a"]
    assert store.list_conversations(tag="nothing") == []
    assert store.remove_tag(a, "WORK") is True
    assert store.remove_tag(a, "work") is False
    assert store.tags_of(a) == ["urgent"]
    store.delete_conversation(b)
    assert store.all_tags() == [("urgent", 1)]


@pytest.mark.parametrize(
    ("tag", "problem"),
    [("", "empty"), ("two words", "without spaces"), ("a,b", "comma"), ("x" * 41, "at most 40")],
)
def test_a_bad_tag_is_one_clear_sentence(store: Store, tag: str, problem: str) -> None:
    cid = make(store, "a")
    with pytest.raises(ValueError, match=problem):
        store.add_tag(cid, tag)
    assert store.tags_of(cid) == []


def test_search_within_tags(store: Store) -> None:
    work = make(store, "work chat", "the owls report", "owls are done")
    home = make(store, "home chat", "owls in the garden")
    store.add_tag(work, "work")
    store.add_tag(work, "q3")
    store.add_tag(home, "home")
    assert {h.conversation_id for h in store.search("owls")} == {work, home}
    assert {h.conversation_id for h in store.search("owls", tags=["WORK"])} == {work}
    assert {h.conversation_id for h in store.search("owls", tags=["work", "q3"])} == {work}
    assert store.search("owls", tags=["work", "home"]) == []
    assert store.search("gard", tags=["home"])[0].conversation_id == home  # prefixes too


def test_bookmarks_across_conversations(store: Store) -> None:
    first = make(store, "first", "a question", "an answer worth keeping " * 10)
    second = make(store, "second", "another question")
    [q1, a1] = [m.id for m in store.current_path(first)]
    [q2] = [m.id for m in store.current_path(second)]
    assert store.set_bookmark(a1, True) is True
    assert store.set_bookmark(a1, True) is False
    store.set_bookmark(q2, True)
    assert store.bookmarked_ids(first) == {a1}
    marks = store.list_bookmarks()
    assert [(b.conversation_id, b.message_id) for b in marks] == [(second, q2), (first, a1)]
    assert marks[1].title == "first" and marks[1].role == "assistant"
    assert marks[1].excerpt.startswith("an answer worth keeping") and len(marks[1].excerpt) <= 120
    assert [b.message_id for b in store.list_bookmarks(conversation_id=first)] == [a1]
    assert store.set_bookmark(a1, False) is True
    assert store.bookmarked_ids(first) == set()
    store.delete_conversation(second)  # its bookmarks go with it
    assert store.list_bookmarks() == []
    assert q1 not in store.bookmarked_ids(first)
    with pytest.raises(NotFound):
        store.set_bookmark(12345, True)


def test_a_rename_is_the_users_title_and_an_automatic_one_does_not_replace_it(
    store: Store,
) -> None:
    cid = make(store, "first prompt")
    assert store.get_conversation(cid).title_source == "prompt"
    assert store.set_model_title(cid, "Model title") is True
    assert store.set_model_title(cid, "Another") is False  # titled already
    assert store.get_conversation(cid).title == "Model title"
    fork = store.fork(store.add_message(cid, parent_id=None, role="user", content="q"))
    assert store.get_conversation(fork).title_source == "user"  # "Model title (fork)" stays
    other = make(store, "first prompt")
    store.rename_conversation(other, "Mine")
    assert store.get_conversation(other).title_source == "user"
    assert store.set_model_title(other, "Model title") is False
    assert store.get_conversation(other).title == "Mine"


# -- export and import -------------------------------------------------------------------------


def test_export_import_keep_pins_tags_bookmarks_and_title_source(store: Store) -> None:
    t = build_tree(store, "tree")
    plain = make(store, "plain", "hello")
    store.set_pinned(t.cid, True)
    store.add_tag(t.cid, "Work")
    store.add_tag(t.cid, "monads")
    store.set_bookmark(t.a1, True)
    store.set_bookmark(t.u3, True)
    store.rename_conversation(t.cid, "Renamed")
    before = store.export_all()
    conversation = next(c for c in before["conversations"] if c["id"] == t.cid)
    assert conversation["pinned"] is True
    assert conversation["tags"] == ["monads", "Work"]
    assert conversation["title_source"] == "user"
    marked = {m["id"] for m in conversation["messages"] if m["bookmarked_at"]}
    assert marked == {t.a1, t.u3}
    new_ids = store.import_data(json.loads(json.dumps(before)))
    after = store.export_all()
    imported = {**after, "conversations": after["conversations"][2:]}
    assert without_ids(imported) == without_ids(before)
    assert store.conversation_summary(new_ids[0]).pinned
    assert store.tags_of(new_ids[0]) == ["monads", "Work"]
    assert len(store.bookmarked_ids(new_ids[0])) == 2
    assert not store.conversation_summary(new_ids[1]).pinned and plain not in new_ids


def test_an_export_without_them_imports_as_before(store: Store) -> None:
    cid = make(store, "old file", "hi")
    data = store.export_conversation(cid)
    for conversation in data["conversations"]:
        for key in ("pinned", "tags", "title_source"):
            del conversation[key]
        for message in conversation["messages"]:
            del message["bookmarked_at"]
    (new,) = store.import_data(data)
    summary = store.conversation_summary(new)
    assert (summary.pinned, summary.tags) == (False, ())
    assert store.get_conversation(new).title_source == "prompt"


@pytest.mark.parametrize(
    ("where", "value", "problem"),
    [
        ("pinned", "yes", "conversations[0].pinned: expected true or false"),
        ("tags", "work", "conversations[0].tags: expected a list of tags"),
        ("tags", ["ok", 3], "conversations[0].tags[1]: expected a string"),
        ("tags", ["two words"], "conversations[0].tags[0]: a tag is one word"),
        ("title_source", "robot", "conversations[0].title_source: expected one of"),
        ("bookmarked_at", "yesterday", "messages[0].bookmarked_at: expected an ISO 8601"),
    ],
)
def test_a_bad_organising_field_is_named_and_nothing_is_imported(
    store: Store, where: str, value: object, problem: str
) -> None:
    cid = make(store, "x", "hi")
    data = store.export_conversation(cid)
    if where == "bookmarked_at":
        data["conversations"][0]["messages"][0][where] = value
    else:
        data["conversations"][0][where] = value
    with pytest.raises(ImportFormatError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        store.import_data(data)
    assert store.count_conversations() == 1


def test_an_upgraded_history_has_no_pins_tags_or_bookmarks(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, 4)
    stamp = "2024-05-01T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO conversations (title, created_at, updated_at) VALUES ('Old', ?, ?)",
        (stamp, stamp),
    )
    conn.close()
    with Store.open(path) as store:
        [summary] = store.list_conversations()
        assert (summary.title, summary.pinned, summary.tags) == ("Old", False, ())
        assert store.get_conversation(summary.id).title_source == "prompt"
        assert store.list_bookmarks() == []
        store.add_tag(summary.id, "kept")
        assert store.conversation_usage(summary.id).total_tokens == 0


# -- filters and groups ------------------------------------------------------------------------


def summary(
    cid: int, title: str, *tags: str, pinned: bool = False, at: str = ""
) -> ConversationSummary:
    when = at or f"2024-01-{cid:02d}T00:00:00.000000Z"
    return ConversationSummary(cid, title, "m", when, when, 0, pinned, tuple(tags))


def test_tag_terms_and_words_in_a_query() -> None:
    parsed = parse_filter("tag:Work  budget TAG:q3 plan tag: tag:two,tags")
    assert parsed.tags == ("Work", "q3")
    assert parsed.text == "budget plan"
    rows = [
        summary(1, "Budget plan for Q3", "work", "Q3"),
        summary(2, "Budget plan", "work"),
        summary(3, "budget plan notes", "q3", "WORK", "home"),
        summary(4, "Other", "work", "q3"),
    ]
    assert [s.id for s in parsed.apply(rows)] == [1, 3]
    assert [s.id for s in parse_filter("tag:home").apply(rows)] == [3]
    assert [s.id for s in parse_filter("plan").apply(rows)] == [1, 2, 3]
    assert parse_filter("  ").is_empty and not parse_filter("tag:x").is_empty


def test_groups_by_tag_and_pins_first() -> None:
    rows = [
        summary(5, "e", "b"),
        summary(4, "d"),
        summary(3, "c", "a", "B"),
        summary(2, "pinned", "a", pinned=True),
    ]
    assert [s.id for s in pinned_first(rows)] == [2, 5, 4, 3]
    groups = group_by_tag(rows)
    assert [(g.tag, [s.id for s in g.summaries]) for g in groups] == [
        ("a", [2, 3]),
        ("b", [5, 3]),
        (None, [4]),
    ]


def test_a_list_after_a_change() -> None:
    rows = [summary(9, "pin", pinned=True), summary(8, "h"), summary(7, "g"), summary(6, "f")]
    touched = summary(6, "f", at="2024-02-01T00:00:00.000000Z")
    assert [s.id for s in with_touched(rows, touched)] == [9, 6, 8, 7]
    renamed = summary(7, "G!")
    assert [s.title for s in with_changed(rows, renamed)] == ["pin", "h", "G!", "f"]
    pinned = summary(7, "g", pinned=True)
    assert [s.id for s in with_changed(rows, pinned)] == [7, 9, 8, 6]
    unpinned = summary(9, "pin")
    assert [s.id for s in with_changed(rows, unpinned)] == [9, 8, 7, 6]
    older = summary(9, "pin", at="2024-01-07T00:00:00.000000Z")
    assert [s.id for s in with_changed(rows, older)] == [8, 9, 7, 6]  # same day: by id


# -- the session -------------------------------------------------------------------------------


class Told(list[SessionEvent]):
    async def __call__(self, event: SessionEvent) -> None:
        self.append(event)

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self if isinstance(e, kind)]


@pytest.fixture
async def session(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Session]:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")
    settings = Settings(
        provider="demo", db_path=tmp_path / "history.db", config_path=tmp_path / "c.toml"
    )
    service = ChatService(store, settings)
    session = Session(store, service, clock=lambda: 0.0)
    yield session
    await session.close()
    await service.aclose()


async def test_the_session_pins_tags_and_tells(session: Session, store: Store) -> None:
    told = Told()
    session.subscribe(told)
    a = make(store, "a")
    b = make(store, "b")
    organizer = session.organizer
    assert (await organizer.pin(a)).pinned
    assert await organizer.toggle_pin(a) is False
    summary_b = await organizer.tag(b, "Work")
    assert summary_b.tags == ("Work",)
    await organizer.tag(b, "q3")
    await organizer.untag(b, "WORK")
    assert (await organizer.set_tags(a, ["x", "Y", "x"])).tags == ("x", "Y")
    assert [(e.summary.id, e.what) for e in told.of(ConversationChanged)] == [
        (a, "pinned"),
        (a, "pinned"),
        (b, "tags"),
        (b, "tags"),
        (b, "tags"),
        (a, "tags"),
    ]
    assert organizer.all_tags() == [("q3", 1), ("x", 1), ("Y", 1)]
    assert [s.id for s in organizer.conversations(tag="Q3")] == [b]
    with pytest.raises(ValueError, match="without spaces"):
        await organizer.tag(b, "two words")


async def test_tag_terms_in_the_sessions_search(session: Session, store: Store) -> None:
    work = make(store, "w", "owls at work")
    make(store, "h", "owls at home")
    await session.organizer.tag(work, "work")
    assert [h.conversation_id for h in session.search("tag:work owls", 10)] == [work]
    assert len(session.search("owls", 10)) == 2
    assert session.search("tag:work", 10) == []  # no words: the filtered list shows them


async def test_bookmarks_through_the_session(session: Session, store: Store) -> None:
    told = Told()
    session.subscribe(told)
    cid = make(store, "c", "question", "answer")
    [question, answer] = [m.id for m in store.current_path(cid)]
    organizer = session.organizer
    assert await organizer.toggle_bookmark(answer) is True
    await organizer.bookmark(question)
    assert organizer.bookmarked_ids(cid) == {question, answer}
    assert await organizer.toggle_bookmark(answer) is False
    assert [(e.message_id, e.bookmarked) for e in told.of(BookmarkChanged)] == [
        (answer, True),
        (question, True),
        (answer, False),
    ]
    [mark] = organizer.bookmarks()
    await organizer.open_bookmark(mark)
    opened = told.of(ConversationOpened)[-1]
    assert opened.conversation is not None and opened.conversation.id == cid
    assert opened.message_id == question


async def test_opening_a_search_hit_says_where_and_what_to_highlight(
    session: Session, store: Store
) -> None:
    told = Told()
    session.subscribe(told)
    t = build_tree(store)
    # The hit is on a branch not shown: it is opened on that branch, with the matched words.
    hit = session.search("joke", 10)[0]
    assert hit.message_id == t.a1
    highlight = await session.organizer.open_hit(hit.conversation_id, hit.message_id, "joke")
    opened = told.of(ConversationOpened)[-1]
    assert opened.message_id == t.a1 and opened.highlight == highlight
    assert t.a1 in [m.id for m in opened.path]
    assert highlight is not None and highlight.terms == ("joke",)
    assert highlight.content_spans == () and highlight.reasoning_spans == ((19, 23),)
    chinese = make(store, "zh", "今天我们学习猫头鹰的眼睛")
    [mid] = [m.id for m in store.current_path(chinese)]
    found = await session.organizer.open_hit(chinese, mid, "tag:x 猫头鹰 眼睛")
    assert found is not None and found.terms == ("猫头鹰", "眼睛")
    assert found.content_spans == ((6, 9), (10, 12))
    stemmed = make(store, "en", "Owls hunt; an OWL sees well")
    [mid] = [m.id for m in store.current_path(stemmed)]
    found = await session.organizer.open_hit(stemmed, mid, "owl")
    assert found is not None and found.terms == ("Owls", "OWL")


async def test_a_role_starts_the_next_conversation(session: Session, store: Store) -> None:
    await session.organizer.start_new(
        system_prompt="You are a pirate.", model="glm-4.5", role="pirate"
    )
    assert session.current_id is None
    turn = await session.send("Ahoy")
    assert turn is not None
    await session.run(turn)
    conversation = store.get_conversation(turn.live.conversation_id)
    assert (conversation.system_prompt, conversation.model) == ("You are a pirate.", "glm-4.5")
    assert session.next_conversation is None
    await session.organizer.start_new(system_prompt=None)
    await session.open(None)  # opening another conversation forgets it
    assert session.next_conversation is None
