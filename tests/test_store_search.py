"""Full-text search: kept in sync with every write, ranked, with snippets, never a syntax error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glm_tui.store import Store, fts
from tests.store_fixtures import build_tree, fts_in_sync


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.db") as opened:
        yield opened


def chat(store: Store, title: str, *texts: str, reasoning: str | None = None) -> list[int]:
    cid = store.create_conversation(title=title, provider="aimlapi", model="m")
    ids: list[int] = []
    parent: int | None = None
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        parent = store.add_message(
            cid, parent_id=parent, role=role, content=text,
            reasoning=reasoning if role == "assistant" else None,
        )  # fmt: skip
        ids.append(parent)
    return ids


def found(store: Store, query: str) -> set[int]:
    return {hit.message_id for hit in store.search(query)}


def test_content_and_reasoning_are_searched(store: Store) -> None:
    user, reply = chat(
        store, "Birds", "Tell me about owls", "They hunt at night.", reasoning="nocturnal raptors"
    )
    assert found(store, "owls") == {user}
    assert found(store, "nocturnal") == {reply}
    hit = store.search("raptors")[0]
    cid = store.get_message(reply).conversation_id
    assert (hit.conversation_id, hit.title, hit.role) == (cid, "Birds", "assistant")


def test_updates_keep_the_index_in_sync(store: Store) -> None:
    (mid,) = chat(store, "t", "draft about walruses")
    store.update_message(mid, content="final text about narwhals")
    assert found(store, "walruses") == set()
    assert found(store, "narwhals") == {mid}
    store.update_message(mid, reasoning="tusk")
    assert found(store, "tusk") == {mid}
    assert found(store, "narwhals") == {mid}
    store.update_message(mid, reasoning="ivory")
    assert found(store, "tusk") == set()
    store.update_message(mid, status="complete")  # no text change: index untouched
    assert found(store, "ivory") == {mid}
    assert fts_in_sync(store)


def test_streaming_updates_stay_in_sync(store: Store) -> None:
    cid = store.create_conversation(title="s", provider="p", model="m")
    mid = store.add_message(cid, parent_id=None, role="assistant", status="streaming")
    text = ""
    for word in ["alpha", "beta", "gamma", "delta"]:
        text += word + " "
        store.update_message(mid, content=text, reasoning=text.upper())
    store.update_message(mid, status="complete", finish_reason="stop")
    assert found(store, "gamma") == {mid}
    assert fts_in_sync(store)


def test_deleted_conversations_leave_the_index(store: Store) -> None:
    tree = build_tree(store)
    keep = chat(store, "other", "monad tutorial")
    store.delete_conversation(tree.cid)
    assert found(store, "monad") == {keep[0]}
    assert found(store, "endofunctors") == set()
    assert fts_in_sync(store)


def test_imports_and_forks_are_indexed(store: Store) -> None:
    tree = build_tree(store)
    (new,) = store.import_data(store.export_conversation(tree.cid))
    fork = store.fork(tree.a1)
    conversations = {hit.conversation_id for hit in store.search("endofunctors")}
    assert conversations == {tree.cid, new, fork}
    assert fts_in_sync(store)


def test_ranking(store: Store) -> None:
    (weak,) = chat(store, "a", "one kraken among very many other words in a long sentence here")
    (strong,) = chat(store, "b", "kraken kraken kraken")
    _user, in_reasoning = chat(store, "c", "q", "plain answer", reasoning="kraken kraken kraken")
    hits = store.search("kraken")
    order = [h.message_id for h in hits]
    assert order[0] == strong
    assert set(order) == {weak, strong, in_reasoning}
    assert hits == sorted(hits, key=lambda h: h.rank)
    # The answer weighs more than the same words in the reasoning.
    assert order.index(strong) < order.index(in_reasoning)


def test_all_words_must_match(store: Store) -> None:
    (both,) = chat(store, "a", "sqlite index tuning")
    chat(store, "b", "sqlite only")
    assert found(store, "sqlite tuning") == {both}


def test_snippet_marks_the_match_on_one_line(store: Store) -> None:
    long = (
        " ".join(["filler"] * 40) + "\n\n```python\nimport quokka\n```\n" + " ".join(["more"] * 40)
    )
    chat(store, "t", long)
    (hit,) = store.search("quokka")
    assert "[quokka]" in hit.snippet
    assert "\n" not in hit.snippet
    assert len(hit.snippet) < 200
    (custom,) = store.search("quokka", highlight=("<b>", "</b>"))
    assert "<b>quokka</b>" in custom.snippet


def test_prefix_of_the_last_word(store: Store) -> None:
    (mid,) = chat(store, "t", "reading xylographs")
    assert found(store, "xylo") == {mid}
    assert found(store, "reading xylog") == {mid}
    assert found(store, "xylo ") == set()  # a finished word is matched whole
    assert found(store, "xy") == set()  # too short to expand


def test_whole_words_first_then_prefix(store: Store) -> None:
    (exact,) = chat(store, "a", "cat")
    (longer,) = chat(store, "b", "category")
    assert {h.message_id for h in store.search("cat", limit=1)} == {exact}
    assert found(store, "cat") == {exact, longer}


def test_stopwords_are_dropped_unless_alone(store: Store) -> None:
    (mid,) = chat(store, "t", "how to train a dragon")
    assert found(store, "the dragon") == {mid}  # "the" is not in the text
    assert found(store, "how to") == {mid}  # only stopwords: searched as typed


def test_accents_and_scripts(store: Store) -> None:
    (cafe,) = chat(store, "t", "Un café crème à Paris")
    (russian,) = chat(store, "t", "Привет, как дела?")
    assert found(store, "cafe") == {cafe}
    assert found(store, "CAFÉ") == {cafe}
    assert found(store, "привет") == {russian}


def test_empty_and_wordless_queries(store: Store) -> None:
    chat(store, "t", "something")
    for query in ["", "   ", "*", '"', "-", "()", "🎉", "---", "* AND *"]:
        assert store.search(query) == [], query
    assert store.search("something", limit=0) == []


def test_only_the_most_recent_matches_are_ranked(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts, "RANK_WINDOW", 3)
    ids = [chat(store, f"c{i}", "marmot " * (10 - i))[0] for i in range(6)]
    # The best-scoring messages are the oldest, but only the newest three are ranked.
    assert [h.message_id for h in store.search("marmot", limit=2)] == [ids[3], ids[4]]
    # Asking for more hits than the window widens it.
    assert {h.message_id for h in store.search("marmot", limit=6)} == set(ids)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "a*b",
        "AND",
        "OR NOT",
        "NEAR(owls, 2)",
        "-owls",
        "owls -",
        "col:owls",
        "content:owls",
        "^owls",
        "owls + night",
        "{content}: owls",
        "'single'",
        "'; DROP TABLE messages; --",
        "\x00",
        "owls\x00night",
        "\udcff",  # an undecodable byte from argv (surrogateescape)
        "owls\ud83d",
        "owls\u200b",
        "🦉 owls",
        "c++",
        "a" * 5000,
    ],
)
def test_weird_queries_never_raise(store: Store, query: str) -> None:
    chat(store, "Birds", "Tell me about owls", "They hunt at night.")
    assert isinstance(store.search(query), list)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(tmp_path_factory.mktemp("search") / "h.db") as opened:
        chat(opened, "Birds", "Tell me about owls", "They hunt at night.", reasoning="café")
        yield opened


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_any_text_is_a_valid_query(shared_store: Store, query: str) -> None:
    hits = shared_store.search(query)
    assert all(isinstance(hit.snippet, str) for hit in hits)


@given(query=st.text(max_size=60))
def test_build_match_quotes_everything(query: str) -> None:
    match = fts.build_match(query)
    if match is not None:
        # Every piece is one quoted phrase, perhaps with a prefix star: no bare operators.
        assert match.startswith('"')
        assert match.rstrip("*").endswith('"')
