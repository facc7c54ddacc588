"""Full-text search: kept in sync with every write, ranked, with snippets, never a syntax error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glm_tui.store import EXPORT_FORMAT, EXPORT_VERSION, Store, fts
from tests.store_fixtures import build_tree, fts_in_sync, without_ids


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


def test_a_large_import_is_indexed_in_one_piece(store: Store) -> None:
    # 3 MB of text (a vocabulary of 50,000 words) in one import: FTS5's default 1 MiB buffer
    # wrote it out as four segments of the index (to be merged later); the bulk buffer, one.
    messages = [
        {"id": n + 1, "parent_id": n or None, "role": "user" if n % 2 == 0 else "assistant",
         "content": " ".join(f"w{(n * 1500 + k) * 7919 % 50_021}" for k in range(1500))
         + f" marker{n}",
         "created_at": "2025-01-01T00:00:00.000000Z"}
        for n in range(300)
    ]  # fmt: skip
    conversation = {"title": "big", "messages": messages, "current_leaf_id": 300}
    store.import_data({"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                       "conversations": [conversation]})  # fmt: skip
    conn = store.db.conn
    hashsize = conn.execute("SELECT v FROM messages_fts_config WHERE k = 'hashsize'").fetchone()
    assert hashsize == (fts.BULK_HASH_BYTES,)
    assert conn.execute("SELECT count(DISTINCT segid) FROM messages_fts_idx").fetchone() == (1,)
    assert [hit.message_id for hit in store.search("marker299")] == [300]
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


def test_any_part_of_chinese_japanese_or_korean_text(store: Store) -> None:
    (zh,) = chat(store, "t", "他说：你好世界！然后走了。")
    (ja,) = chat(store, "t", "ひらがなとカタカナの練習")
    (ko,) = chat(store, "t", "안녕하세요 세계")
    for query in ["你好世界", "你好", "世界", "好世", "你", "界", "你好，世界", "你好 世界"]:
        assert found(store, query) == {zh}, query
    assert found(store, "世你") == set()  # in the text, but not in that order
    assert found(store, "你世") == set()  # not next to each other
    for query in ["がなと", "と", "カタカナ", "カナの練", "練習"]:
        assert found(store, query) == {ja}, query
    for query in ["안녕", "하세", "요", "세계", "녕하세요 계"]:
        assert found(store, query) == {ko}, query


def test_chinese_mixed_with_latin_words(store: Store) -> None:
    (spaced,) = chat(store, "t", "如何在 Python 中使用列表推导式？")
    (glued,) = chat(store, "t", "用Python的asyncio写一个爬虫")
    (english,) = chat(store, "t", "a Python list comprehension")
    assert found(store, "Python 列表") == {spaced}
    assert found(store, "列表 python") == {spaced}
    assert found(store, "Python") == {spaced, glued, english}
    assert found(store, "asyncio") == {glued}
    assert found(store, "Python的asyncio") == {glued}  # glued words must follow each other
    assert found(store, "Python的") == {glued}
    assert found(store, "asyncio写") == {glued}
    assert found(store, "pyth") == {spaced, glued, english}  # the prefix of a Latin word
    assert found(store, "Python列表") == set()  # not next to each other in the text


def test_cjk_results_are_ranked_with_snippets(store: Store) -> None:
    (once,) = chat(
        store, "a", "我们今天讨论数据库的设计，还有很多别的话题要讲，" * 3 + "以及索引。"
    )
    (often,) = chat(store, "b", "索引，索引，还是索引。")
    _user, thinking = chat(store, "c", "问题", "回答", reasoning="索引 索引 索引")
    hits = store.search("索引")
    order = [h.message_id for h in hits]
    assert order[0] == often
    assert set(order) == {once, often, thinking}
    assert order.index(often) < order.index(thinking)  # the answer weighs over the reasoning
    snippets = {h.message_id: h.snippet for h in hits}
    assert "以及[索引]。" in snippets[once]
    assert snippets[often].count("[索引]") == 3
    assert fts.SEPARATOR not in snippets[once] + snippets[often] + snippets[thinking]
    # Each CJK character is a token: snippets of CJK text get twice as many.
    assert 20 <= len(snippets[once].replace("…", "")) <= 40


def test_cjk_prefix_and_stopwords(store: Store) -> None:
    (mid,) = chat(store, "t", "the 的 和")
    assert found(store, "的") == {mid}  # CJK characters are never stopwords
    assert found(store, "the 的") == {mid}
    match = fts.build_match("数据")
    assert match is not None and not match.endswith("*")  # no prefix after a CJK character


def test_cjk_edits_imports_and_deletes_keep_the_index_in_sync(store: Store) -> None:
    (mid,) = chat(store, "t", "第一版：猫头鹰")
    store.update_message(mid, content="第二版：夜莺", reasoning="想一想")
    assert found(store, "猫头") == set()
    assert found(store, "夜莺") == {mid}
    assert found(store, "想一") == {mid}
    cid = store.get_message(mid).conversation_id
    (copy,) = store.import_data(store.export_conversation(cid))
    assert without_ids(store.export_conversation(copy)) == without_ids(
        store.export_conversation(cid)
    )
    assert {h.conversation_id for h in store.search("二版")} == {cid, copy}
    assert fts_in_sync(store)
    store.delete_conversation(cid)
    assert {h.conversation_id for h in store.search("二版")} == {copy}
    assert fts_in_sync(store)


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


# Every word of these is in the owl message, or is punctuation, an operator or a stopword.
OWL_QUERIES = [
    "owls", "OWLS", "owl", "owls?", "owls,", "owls.", "owls!", "owls…", "owls。", "owls：",
    '"owls"', '"owls', 'owls"', "'owls'", "“owls”", "«owls»", "¿owls?", "(owls)", "[owls]",
    "{owls}", "<owls>", "-owls", "owls -", "+owls", "owls +", "^owls", "*owls", "owls*",
    "owls**", "owls\\", "owls/", "#owls", "@owls", "owls AND", "AND owls", "OR owls",
    "owls NOT", "NOT owls", "about owls?", "(the owls)", "owls, the", "the owls!",
    "Tell: owls", "tell owls", "owls (tell", "🦉 owls", "owls \U0001f989", "owls\u200b",
    "owls\x00", "\x00owls", "owls\ud83d", "\udcffowls", "owls\t", "\nowls\n",
]  # fmt: skip


@pytest.mark.parametrize("query", OWL_QUERIES)
def test_punctuation_and_operators_around_a_word_still_find_it(store: Store, query: str) -> None:
    owl, _night = chat(store, "Birds", "Tell me about owls", "They hunt at night.")
    hits = store.search(query)
    assert [hit.message_id for hit in hits] == [owl], query
    assert "[owls]" in hits[0].snippet


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "a*b",
        "AND",
        "OR NOT",
        "NEAR(owls, 2)",
        "col:owls",
        "content:owls",
        "owls + night",
        "{content}: owls",
        "'single'",
        "'; DROP TABLE messages; --",
        "\x00",
        "owls\x00night",
        "\udcff",  # an undecodable byte from argv (surrogateescape)
        "c++",
        "a" * 5000,
        "你" * 5000,
        "\u200b你\u200b",
    ],
)
def test_weird_queries_never_raise(store: Store, query: str) -> None:
    chat(store, "Birds", "Tell me about owls", "They hunt at night.")
    assert isinstance(store.search(query), list)


def test_operators_are_words_not_syntax(store: Store) -> None:
    (near,) = chat(store, "t", "stay near owls, 2 of them")
    (column,) = chat(store, "t", "the col: owls")
    assert found(store, "NEAR(owls, 2)") == {near}  # the phrase "near owls", and 2
    assert found(store, "col:owls") == {column}  # a phrase: col, then owls
    assert found(store, "owls -near") == {near}


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(tmp_path_factory.mktemp("search") / "h.db") as opened:
        chat(opened, "Birds", "Tell me about owls", "They hunt at night.", reasoning="café")
        chat(opened, "鸟", "给我讲讲猫头鹰", "它们在夜里捕猎。", reasoning="夜行性猛禽")
        yield opened


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.text(max_size=60)
    | st.text(st.sampled_from(list('owls night 猫头鹰夜里捕猎 "*-:()^')), max_size=20)
)
def test_any_text_is_a_valid_query(shared_store: Store, query: str) -> None:
    """Whatever is typed: no error, and every hit shows where it matched, without the
    separators the index puts between CJK characters."""
    for hit in shared_store.search(query, highlight=("<<", ">>")):
        assert "<<" in hit.snippet and ">>" in hit.snippet, (query, hit.snippet)
        assert fts.SEPARATOR not in hit.snippet


# Letters of scripts both Python and SQLite's unicode61 know: Latin (with accents), Greek,
# Cyrillic, Chinese, Japanese kana and Korean, and digits.
LETTERS = st.one_of(
    st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
    st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
    st.characters(min_codepoint=ord("0"), max_codepoint=ord("9")),
    st.characters(min_codepoint=0xE0, max_codepoint=0xFF).filter(lambda c: c != "÷"),
    st.characters(min_codepoint=0x3B1, max_codepoint=0x3C9),
    st.characters(min_codepoint=0x430, max_codepoint=0x44F),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    word=st.text(LETTERS, min_size=1, max_size=12),
    around=st.sampled_from([("Before ", " after."), ("Before\n", ",after"), ("前面", "后面。")]),
)
def test_a_word_in_a_message_is_found_and_highlighted(
    shared_store: Store, word: str, around: tuple[str, str]
) -> None:
    """Any word, of any of those scripts, inserted in a message (Chinese text around it has no
    spaces) is found by searching for it, and its snippet shows it highlighted."""
    cid = shared_store.create_conversation(title="w", provider="p", model="m")
    mid = shared_store.add_message(
        cid, parent_id=None, role="user", content=around[0] + word + around[1]
    )
    try:
        hits = {hit.message_id: hit for hit in shared_store.search(word, limit=1000)}
        assert mid in hits, word
        assert f"[{word}]" in hits[mid].snippet, (word, hits[mid].snippet)
    finally:
        shared_store.delete_conversation(cid)


_MIXED = list("ab 1.\u00e9\u2014\u200b猫头鹰。，가ア\U00020001\uff21")


@given(text=st.text(max_size=40) | st.text(st.sampled_from(_MIXED), max_size=40))
def test_cjk_characters_are_set_apart_one_by_one(text: str) -> None:
    """The indexed text has a separator before and after every run of CJK characters and
    between each two of them, and is otherwise the text itself: what the index holds depends on
    it (a change needs a migration that rebuilds the index)."""
    expected: list[str] = []
    for ch, before in zip(text, [None, *text], strict=False):
        if fts.is_cjk(ch):
            if before is None or not fts.is_cjk(before):
                expected.append(fts.SEPARATOR)
            expected.append(ch + fts.SEPARATOR)
        else:
            expected.append(ch)
    assert fts.spread_cjk(text) == "".join(expected)


@given(query=st.text(max_size=60))
def test_build_match_quotes_everything(query: str) -> None:
    match = fts.build_match(query)
    if match is not None:
        # Every piece is one quoted phrase, perhaps with a prefix star: no bare operators.
        assert match.startswith('"')
        assert match.rstrip("*").endswith('"')
