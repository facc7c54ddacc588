"""Export and import: the round trip keeps everything but ids; a bad file writes nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from glm_tui.store import EXPORT_FORMAT, EXPORT_VERSION, ImportFormatError, Store
from tests.store_fixtures import build_tree, counts, fts_in_sync, without_ids


def test_export_is_complete(store: Store) -> None:
    t = build_tree(store)
    data = store.export_conversation(t.cid)
    assert data["format"] == EXPORT_FORMAT and data["version"] == EXPORT_VERSION
    (conversation,) = data["conversations"]
    assert conversation["title"] == "Branches"
    assert conversation["provider"] == "aimlapi"
    assert conversation["system_prompt"] == "Be brief."
    assert conversation["settings"] == {"thinking": True, "temperature": 0.6}
    assert conversation["current_leaf_id"] == t.a3
    messages = {m["id"]: m for m in conversation["messages"]}
    assert set(messages) == {t.u1, t.a1, t.u2, t.a2, t.a1b, t.u3, t.a3}  # every branch
    assert messages[t.a1b]["parent_id"] == t.u1
    assert messages[t.a1]["usage"]["completion_tokens"] == 30
    assert messages[t.a1]["duration"] == 2.5
    assert messages[t.a1]["reasoning"] == "The user wants the joke answer first."
    assert messages[t.a2]["status"] == "stopped"
    assert messages[t.a3]["error"] == "The provider is overloaded."
    json.dumps(data)  # plain JSON


def test_round_trip_is_identical_but_for_ids(store: Store) -> None:
    build_tree(store, "first")
    build_tree(store, "second")
    empty = store.create_conversation(title="empty", provider="zai", model="glm-4.7")
    before = store.export_all()
    new_ids = store.import_data(json.loads(json.dumps(before)))
    assert len(new_ids) == 3
    old_ids = {c["id"] for c in before["conversations"]}
    assert not old_ids & set(new_ids)
    after = store.export_all()
    imported = {**after, "conversations": after["conversations"][3:]}
    assert without_ids(imported) == without_ids(before)
    assert store.get_conversation(new_ids[2]).title == "empty" and empty not in new_ids
    # Counters, the current branch and search work on what was imported.
    assert store.get_conversation(new_ids[0]).message_count == 7
    assert [m.content for m in store.current_path(new_ids[0])][-1].startswith("```python")
    assert fts_in_sync(store)


def test_round_trip_into_another_file(tmp_path: Path, store: Store) -> None:
    t = build_tree(store)
    exported = store.export_conversation(t.cid)
    with Store.open(tmp_path / "other.db") as other:
        (cid,) = other.import_json(json.dumps(exported))
        again = other.export_conversation(cid)
        assert without_ids(again) == without_ids(exported)
        # and the times are kept, not reset to the import's time
        assert again["conversations"][0]["created_at"] == exported["conversations"][0]["created_at"]


def test_import_keeps_parents_first_whatever_the_order(store: Store) -> None:
    data = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "conversations": [
            {
                "title": "hand written",
                "current_leaf_id": 5,
                "messages": [
                    {"id": 5, "parent_id": 9, "role": "assistant", "content": "leaf"},
                    {"id": 9, "parent_id": 1, "role": "user", "content": "middle"},
                    {"id": 1, "role": "user", "content": "root"},
                ],
            }
        ],
    }
    (cid,) = store.import_data(data)
    assert [m.content for m in store.current_path(cid)] == ["root", "middle", "leaf"]
    conversation = store.get_conversation(cid)
    assert conversation.model == "" and conversation.settings == {}


def test_times_are_normalized(store: Store) -> None:
    data = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "conversations": [
            {
                "title": "t",
                "created_at": "2024-03-01T12:00:00+02:00",
                "messages": [
                    {"id": 1, "role": "user", "content": "x", "created_at": "2024-03-01T10:00:05Z"}
                ],
            }
        ],
    }
    (cid,) = store.import_data(data)
    conversation = store.get_conversation(cid)
    assert conversation.created_at == "2024-03-01T10:00:00.000000Z"
    assert conversation.updated_at == conversation.created_at
    assert store.all_messages(cid)[0].created_at == "2024-03-01T10:00:05.000000Z"


def test_streaming_message_imported_becomes_interrupted_on_open(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    data = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "conversations": [
            {
                "title": "t",
                "messages": [{"id": 1, "role": "assistant", "content": "x", "status": "streaming"}],
            }
        ],
    }
    with Store.open(path) as store:
        (cid,) = store.import_data(data)
    with Store.open(path) as store:
        assert store.all_messages(cid)[0].status == "interrupted"


def valid() -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": 1,
        "conversations": [
            {
                "title": "good",
                "messages": [{"id": 1, "parent_id": None, "role": "user", "content": "fine"}],
            },
            {
                "title": "second",
                "model": "m",
                "created_at": "2024-01-01T00:00:00Z",
                "current_leaf_id": 2,
                "messages": [
                    {"id": 1, "role": "user", "content": "q"},
                    {
                        "id": 2,
                        "parent_id": 1,
                        "role": "assistant",
                        "content": "a",
                        "usage": {"prompt_tokens": 1, "usd": 0.5},
                        "created_at": "2024-01-01T00:00:01Z",
                    },
                ],
            },
        ],
    }


Mutation = Callable[[dict[str, Any]], Any]


def top(**changes: Any) -> Mutation:
    return lambda d: {**d, **changes}


def drop_top(key: str) -> Mutation:
    return lambda d: {k: v for k, v in d.items() if k != key}


def _in_place(target: Callable[[dict[str, Any]], Any], edit: Callable[[Any], Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> dict[str, Any]:
        edit(target(data))
        return data

    return mutate


def _conversation(d: dict[str, Any]) -> dict[str, Any]:
    conversation: dict[str, Any] = d["conversations"][1]
    return conversation


def _message(d: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = d["conversations"][1]["messages"][1]
    return message


def conv(**changes: Any) -> Mutation:
    return _in_place(_conversation, lambda c: c.update(changes))


def drop_conv(key: str) -> Mutation:
    return _in_place(_conversation, lambda c: c.pop(key))


def msg(**changes: Any) -> Mutation:
    return _in_place(_message, lambda m: m.update(changes))


def drop_msg(key: str) -> Mutation:
    return _in_place(_message, lambda m: m.pop(key))


def usage(**changes: Any) -> Mutation:
    return _in_place(lambda d: _message(d)["usage"], lambda u: u.update(changes))


def append(item: object, where: str = "conversations") -> Mutation:
    if where == "conversations":
        return _in_place(lambda d: d["conversations"], lambda c: c.append(item))
    return _in_place(lambda d: _conversation(d)["messages"], lambda m: m.append(item))


MALFORMED: list[tuple[str, Mutation, str]] = [
    ("not an object", lambda d: [d], "expected a JSON object"),
    ("wrong format", top(format="chatgpt"), "format: expected 'glm-tui-export'"),
    ("no format", drop_top("format"), "format: expected"),
    ("newer version", top(version=99), "version: export version 99 is newer"),
    ("version text", top(version="1"), "version: expected a whole number"),
    ("no list", top(conversations={}), "conversations: expected a list"),
    ("conversation", append(3), "conversations[2]: expected an object"),
    ("no title", drop_conv("title"), "conversations[1].title: missing"),
    ("title type", conv(title=5), "conversations[1].title: expected a string"),
    ("no messages", drop_conv("messages"), "conversations[1].messages: missing"),
    ("settings", conv(settings=[1]), "settings: expected an object"),
    ("message", append("hi", "messages"), "messages[2]: expected an object"),
    ("no id", drop_msg("id"), "conversations[1].messages[1].id: missing"),
    ("bool id", msg(id=True), "messages[1].id: expected a whole number"),
    ("duplicate id", msg(id=1), "message id 1 appears twice"),
    ("dangling parent", msg(parent_id=7), "parent_id: no message with id 7"),
    ("parent type", msg(parent_id="1"), "parent_id: expected a message id"),
    (
        "cycle",
        _in_place(lambda d: _conversation(d)["messages"][0], lambda m: m.update(parent_id=2)),
        "cycle",
    ),
    ("self parent", msg(parent_id=2), "cycle"),
    ("role", msg(role="bot"), "role: expected one of system, user, assistant, tool, got 'bot'"),
    ("status", msg(status="done"), "status: expected one of"),
    ("no content", drop_msg("content"), "messages[1].content: missing"),
    ("content type", msg(content=None), "content: expected a string"),
    ("reasoning type", msg(reasoning=3), "reasoning: expected a string or null"),
    ("usage type", msg(usage=[1]), "usage: expected an object"),
    ("usage value", usage(prompt_tokens="many"), "usage.prompt_tokens: expected a whole number"),
    ("float tokens", usage(total_tokens=1.5), "usage.total_tokens: expected a whole number"),
    ("usd type", usage(usd="$1"), "usage.usd: expected a number"),
    ("duration", msg(duration="long"), "duration: expected a number"),
    ("bad time", msg(created_at="yesterday"), "created_at: expected an ISO 8601 time"),
    ("naive time", msg(created_at="2024-01-01T00:00:00"), "with a timezone"),
    ("month 13", msg(created_at="2024-13-01T00:00:00.000000Z"), "messages[1].created_at"),
    ("time type", conv(updated_at=5), "updated_at: expected an ISO"),
    ("leaf", conv(current_leaf_id=99), "current_leaf_id: no message with id 99"),
    ("leaf type", conv(current_leaf_id="2"), "current_leaf_id: expected"),
]


@pytest.mark.parametrize(("kind", "mutate", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_import_writes_nothing(
    store: Store, kind: str, mutate: Mutation, expected: str
) -> None:
    build_tree(store)
    before = counts(store.path)
    with pytest.raises(ImportFormatError) as info:
        store.import_data(mutate(valid()))
    message = str(info.value)
    assert expected in message
    assert message.startswith("malformed import: ")
    assert "nothing was imported" in message and "\n" not in message
    assert counts(store.path) == before


def test_the_valid_base_case_imports(store: Store) -> None:
    assert len(store.import_data(valid())) == 2
    assert len(store.import_data(copy.deepcopy(valid()))) == 2


@pytest.mark.parametrize("text", ["", "{", "not json", '{"format": "glm-tui-export",}', "\xff"])
def test_invalid_json_text(store: Store, text: str) -> None:
    with pytest.raises(ImportFormatError, match="not valid JSON"):
        store.import_json(text)
    assert counts(store.path) == (0, 0, 0)


def test_markdown_shows_the_current_branch_with_thinking_folded(store: Store) -> None:
    t = build_tree(store)
    text = store.export_markdown(t.cid)
    assert text.startswith("# Branches\n")
    assert "zhipu/glm-4.7" in text
    assert store.get_conversation(t.cid).created_at in text
    assert "## System\n\nBe brief." in text
    assert "What is a monad?" in text
    assert "A design pattern for chaining steps." in text
    assert "endofunctors" not in text  # the other branch
    assert (
        "<details><summary>Thinking</summary>\n\nRegenerated: be practical.\n\n</details>" in text
    )
    assert "```python\nresult = maybe(x).bind(f)\n```" in text
    assert "**error**" in text and "\n> Error: the provider is overloaded.\n" in text
    assert text.index("## User") < text.index("## Assistant")


def test_markdown_keeps_a_reasoning_that_mentions_details(store: Store) -> None:
    cid = store.create_conversation(title="", provider="p", model="m")
    u = store.add_message(cid, parent_id=None, role="user", content="q")
    store.add_message(cid, parent_id=u, role="assistant", content="a", reasoning="x </details> y")
    text = store.export_markdown(cid)
    assert text.startswith("# Untitled conversation")
    assert text.count("</details>") == 1


# -- issue 12, item 17: the document's outline -------------------------------------------------

REPLY_WITH_HEADINGS = """# Title

Intro.

## Answer

Text.

```python
# a comment, not a heading
## nor this
```

Under a line
============

### Deep
"""


def _outline(markdown: str) -> list[str]:
    """The headings a Markdown reader sees, as ``#``s and text."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        "#" * int(token.tag[1]) + " " + tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def test_markdown_keeps_message_headings_above_the_models(store: Store) -> None:
    cid = store.create_conversation(title="Outline", provider="p", model="m")
    u1 = store.add_message(cid, parent_id=None, role="user", content="# Not a title\nShow me")
    a1 = store.add_message(
        cid, parent_id=u1, role="assistant", content=REPLY_WITH_HEADINGS, reasoning="## Plan\nok"
    )
    u2 = store.add_message(cid, parent_id=a1, role="user", content="And code?")
    # A reply cut short inside a code block: the block is closed where the reply ends.
    a2 = store.add_message(
        cid, parent_id=u2, role="assistant", content="```python\nprint(1)\n# still code"
    )
    store.update_message(a2, status="truncated", finish_reason="length")
    u3 = store.add_message(cid, parent_id=a2, role="user", content="Thanks")
    store.add_message(cid, parent_id=u3, role="assistant", content="Bye\n---\n")
    text = store.export_markdown(cid)
    assert _outline(text) == [
        "# Outline",
        "## User",
        "### Not a title",
        "## Assistant",
        "### Plan",
        "### Title",
        "#### Answer",
        "### Under a line",
        "##### Deep",
        "## User",
        "## Assistant",
        "## User",
        "## Assistant",
        "### Bye",
    ]
    # Code is left exactly as it was.
    assert "```python\n# a comment, not a heading\n## nor this\n```" in text
    assert "```python\nprint(1)\n# still code\n```\n" in text
    # A reply cut short says why, as the TUI does.
    assert (
        "\n> Truncated: the reply reached the length limit (max_tokens or the context window).\n"
        in text
    )


def test_markdown_removes_escape_codes_and_keeps_what_was_sent_in_json(store: Store) -> None:
    cid = store.create_conversation(title="\x1b]0;evil\x07Colours", provider="p", model="m")
    u = store.add_message(cid, parent_id=None, role="user", content="\x1b[1mbold\x1b[0m?")
    sent = "\x1b[31mred\x1b[0m and \x1bPq#sixel\x1b\\done"
    store.add_message(cid, parent_id=u, role="assistant", content=sent, reasoning="\x1b[2Jhm")
    text = store.export_markdown(cid)
    assert text.startswith("# Colours\n")
    assert "\nbold?\n" in text and "\nred and done\n" in text and "\nhm\n" in text
    assert "\x1b" not in text and "[31m" not in text and "sixel" not in text
    messages = store.export_conversation(cid)["conversations"][0]["messages"]
    assert [m["content"] for m in messages] == ["\x1b[1mbold\x1b[0m?", sent]
