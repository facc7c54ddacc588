"""The writes of a streaming reply (reply_stream.ReplyWriter): in a thread on the way, now at
the end, and never an older text over a newer one."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from glm_tui.api.events import ContentDelta, ReasoningDelta
from glm_tui.reply_stream import ReplyWriter
from glm_tui.store import Store
from tests.store_fixtures import fts_in_sync


def streaming_reply(store: Store) -> int:
    cid = store.create_conversation(title="t", provider="p", model="m")
    prompt = store.add_message(cid, parent_id=None, role="user", content="go")
    return store.add_message(cid, parent_id=prompt, role="assistant", status="streaming")


async def test_a_write_on_the_way_is_made_in_a_thread_and_searched_once_done(
    store: Store,
) -> None:
    mid = streaming_reply(store)
    writer = ReplyWriter(store, mid, interval=3600)
    writer.add(ReasoningDelta("pondering "))
    writer.add(ContentDelta("the wombat "))
    writer.flush_soon()
    await writer.finish_writing()
    saved = store.get_message(mid)
    assert (saved.content, saved.reasoning) == ("the wombat ", "pondering ")
    assert not writer.dirty and writer.error is None
    # Written, but indexed only once the stream ends: each write of a long reply indexed its
    # whole text again.
    assert store.search("wombat") == []
    assert fts_in_sync(store)
    writer.add(ContentDelta("sleeps"))
    writer.flush()
    store.update_message(mid, status="complete")
    assert [hit.message_id for hit in store.search("wombat")] == [mid]
    assert [hit.message_id for hit in store.search("sleeps")] == [mid]
    assert [hit.message_id for hit in store.search("pondering")] == [mid]
    assert fts_in_sync(store)


async def test_a_write_on_the_way_never_lands_after_a_later_one(store: Store) -> None:
    # The thread pool's one thread is busy: the write on the way waits its turn while the
    # last write is made, and comes after it.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    gate = threading.Event()
    busy = loop.run_in_executor(None, gate.wait)
    mid = streaming_reply(store)
    writer = ReplyWriter(store, mid, interval=3600)
    writer.add(ContentDelta("one "))
    writer.flush_soon()  # waits behind the busy thread
    writer.add(ContentDelta("two"))
    writer.flush_soon()  # one write on the way at a time: nothing more now
    writer.flush()  # the last one, now
    assert store.get_message(mid).content == "one two"
    gate.set()
    await busy
    await writer.finish_writing()  # the older write ran, and wrote nothing
    assert store.get_message(mid).content == "one two"
    assert not writer.dirty
    assert fts_in_sync(store)


async def test_the_next_write_starts_once_the_one_on_the_way_is_done(store: Store) -> None:
    mid = streaming_reply(store)
    writer = ReplyWriter(store, mid, interval=3600)
    writer.add(ContentDelta("first "))
    writer.flush_soon()
    await writer.finish_writing()
    writer.add(ContentDelta("second"))
    assert writer.dirty
    writer.flush_soon()
    await writer.finish_writing()
    assert store.get_message(mid).content == "first second"
    assert not writer.dirty
