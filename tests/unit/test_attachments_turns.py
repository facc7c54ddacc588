"""Attachments through a real turn: what the fake server receives, what the history keeps
(once per content), and what search, export, import, fork, edit and delete do with it."""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from glm_tui.attachments import AttachmentError, limits, read_bytes, read_file
from glm_tui.attachments.model import Attachment
from glm_tui.chat import ChatService, TurnEnded, TurnStarted
from glm_tui.config import Settings
from glm_tui.context.window import NoVisionModel
from glm_tui.store import ImportFormatError, Message, Store
from tests.attachment_helpers import image_bytes, pdf_bytes, write
from tests.fakeglm import FakeGLM, zai_stream
from tests.store_fixtures import fts_in_sync


def settings_for(tmp_path: Path, base_url: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "provider": "openai",
        "base_url": base_url,
        "model": "glm-4.7",
        "api_key": "sk-test",
        "db_path": tmp_path / "history.db",
        "config_path": tmp_path / "c.toml",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


async def run(stream: AsyncIterator[Any]) -> tuple[TurnStarted, Message]:
    started: TurnStarted | None = None
    ended: Message | None = None
    async with contextlib.aclosing(stream):  # type: ignore[type-var]
        async for event in stream:
            if isinstance(event, TurnStarted):
                started = event
            elif isinstance(event, TurnEnded):
                ended = event.message
    assert started is not None and ended is not None
    return started, ended


def user_content(body: dict[str, Any]) -> Any:
    return [m for m in body["messages"] if m["role"] == "user"][-1]["content"]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write(tmp_path / "src" / "app.py", "print('quokka')\n")
    write(tmp_path / "notes.md", "Notes with ```python\ncode``` inside.\n")
    write(tmp_path / "shot.png", image_bytes("PNG", (56, 28)))
    write(tmp_path / "report.pdf", pdf_bytes(["Wombat census: 12"]))
    return tmp_path


async def test_text_attachments_go_as_fenced_blocks_with_their_paths(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    attached = [
        *read_file(files / "src" / "app.py", files),
        *read_file(files / "notes.md", files),
        *read_file(files / "report.pdf", files),
    ]
    started, reply = await run(service.send("What do these say?", attachments=attached))
    content = user_content(fake_glm.requests[0].json)
    assert content == (
        "File: src/app.py\n```python\nprint('quokka')\n```\n\n"
        "File: notes.md\n````markdown\nNotes with ```python\ncode``` inside.\n````\n\n"
        "File: report.pdf (the text of a PDF)\n```text\n[page 1]\nWombat census: 12\n```\n\n"
        "What do these say?"
    )
    assert fake_glm.requests[0].json["model"] == "glm-4.7" and reply.model == "glm-4.7"
    saved = store.get_message(started.user_message_id)
    assert saved.content == "What do these say?"
    assert [a.to_json() for a in saved.attachments] == [a.ref().to_json() for a in attached]
    assert saved.to_json()["attachments"][0] == {
        "name": "src/app.py",
        "mime": "text/x-python",
        "size": 16,
        "sha256": attached[0].sha256,
    }
    await service.aclose()


async def test_a_turn_with_an_image_goes_to_the_vision_model_as_a_data_url(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    settings = settings_for(tmp_path, fake_glm.base_url, provider="aimlapi", model=None)
    service = ChatService(store, settings)
    [image] = read_file(files / "shot.png", files)
    fake_glm.enqueue(zai_stream("A gradient."), zai_stream("It was a gradient."))
    started, reply = await run(service.send("What is in it?", attachments=[image]))
    body = fake_glm.requests[0].json
    assert body["model"] == "z-ai/glm-4.6v" and reply.model == "z-ai/glm-4.6v"
    expected_url = "data:image/png;base64," + base64.b64encode(image.data or b"").decode()
    assert user_content(body) == [
        {"type": "text", "text": "What is in it?"},
        {"type": "image_url", "image_url": {"url": expected_url}},
    ]
    # The next turn, text only, goes back to GLM-4.7, the image named in its place.
    _, second = await run(service.send("And now?", conversation_id=started.conversation_id))
    follow = fake_glm.requests[1].json
    assert follow["model"] == "zhipu/glm-4.7" and second.model == "zhipu/glm-4.7"
    first_prompt = follow["messages"][0]["content"]
    assert first_prompt.startswith("[Image shot.png (image/png, 56x28) was attached here;")
    assert "base64" not in json.dumps(follow)
    await service.aclose()


async def test_zai_sends_images_to_glm_4_6v(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    settings = settings_for(tmp_path, fake_glm.base_url, provider="zai", model=None)
    service = ChatService(store, settings)
    _, reply = await run(service.send("Look", attachments=read_file(files / "shot.png", files)))
    assert fake_glm.requests[0].json["model"] == "glm-4.6v" and reply.model == "glm-4.6v"
    await service.aclose()


async def test_other_providers_refuse_an_image_unless_vision_model_is_set(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    image = read_file(files / "shot.png", files)
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    with pytest.raises(NoVisionModel, match=r"set vision_model in .*c\.toml"):
        service.send("Look", attachments=image)
    assert store.count_conversations() == 0 and fake_glm.requests == []
    service.update_settings(service.settings.with_values(vision_model="my-vision"))
    _, reply = await run(service.send("Look", attachments=image))
    assert fake_glm.requests[0].json["model"] == "my-vision" and reply.model == "my-vision"
    await service.aclose()


async def test_limits_per_message_and_per_conversation(
    store: Store,
    fake_glm: FakeGLM,
    tmp_path: Path,
    files: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url, vision_model="v"))
    images = [read_bytes(f"p{i}.png", image_bytes("PNG", (8 + i, 8))) for i in range(11)]
    with pytest.raises(AttachmentError, match=r"^11 images: a message takes at most 10"):
        service.send("Many", attachments=images)
    monkeypatch.setattr(limits, "MAX_MESSAGE_BYTES", 100)
    big = [read_bytes("a.txt", b"a" * 60), read_bytes("b.txt", b"b" * 60)]
    with pytest.raises(AttachmentError, match=r"^the attachments weigh 120 B: a message takes"):
        service.send("Big", attachments=big)
    monkeypatch.setattr(limits, "MAX_MESSAGE_BYTES", 10_000)
    monkeypatch.setattr(limits, "MAX_CONVERSATION_BYTES", 100)
    started, _ = await run(service.send("One", attachments=big[:1]))
    with pytest.raises(AttachmentError, match="conversation's attachments would weigh 120 B"):
        service.send("Two", conversation_id=started.conversation_id, attachments=big[1:])
    assert store.get_conversation(started.conversation_id).message_count == 2
    assert len(fake_glm.requests) == 1
    await service.aclose()


async def test_regenerate_edit_and_fork_keep_the_attachments(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    attached = read_file(files / "src" / "app.py", files)
    started, reply = await run(service.send("Explain", attachments=attached))
    block = "File: src/app.py\n```python\nprint('quokka')\n```"
    await run(service.regenerate(reply.id))
    edited, _ = await run(service.edit(started.user_message_id, "Explain briefly"))
    forked = store.fork(edited.user_message_id)
    fork_prompt = store.current_path(forked)[-1]
    await run(service.reply_to(fork_prompt.id))
    bodies = [r.json for r in fake_glm.requests]
    assert [user_content(b).startswith(block) for b in bodies] == [True] * 4
    assert user_content(bodies[2]).endswith("Explain briefly")
    original = store.get_message(started.user_message_id).attachments
    assert store.get_message(edited.user_message_id).attachments == original
    assert fork_prompt.attachments == original
    assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    assert fts_in_sync(store)
    await service.aclose()


async def test_search_finds_words_inside_text_attachments(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    attached = [*read_file(files / "src" / "app.py", files)]
    attached += read_file(files / "report.pdf", files)
    started, _ = await run(service.send("Have a look", attachments=attached))
    [hit] = store.search("quokka")
    assert (hit.message_id, hit.role) == (started.user_message_id, "user")
    assert "[quokka]" in hit.snippet
    assert [h.message_id for h in store.search("wombat census")] == [started.user_message_id]
    assert fts_in_sync(store)
    await service.aclose()


def attachment_rows(store: Store) -> int:
    return int(store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0])


async def test_deleting_the_last_conversation_that_uses_an_attachment_deletes_it(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    shared = read_file(files / "src" / "app.py", files)
    first, _ = await run(service.send("One", attachments=shared))
    second, _ = await run(service.send("Two", attachments=shared))
    own, _ = await run(service.send("Three", attachments=read_file(files / "notes.md", files)))
    assert attachment_rows(store) == 2
    store.delete_conversation(first.conversation_id)
    assert attachment_rows(store) == 2  # the second conversation still uses it
    store.delete_conversation(second.conversation_id)
    assert attachment_rows(store) == 1
    store.delete_conversation(own.conversation_id)
    assert attachment_rows(store) == 0
    assert fts_in_sync(store)
    await service.aclose()


def without_ids(data: dict[str, Any]) -> dict[str, Any]:
    """The export with the ids that import renumbers replaced by their order."""
    text = json.dumps(data, sort_keys=True)
    copy = json.loads(text)
    for conversation in copy["conversations"]:
        numbering = {m["id"]: index for index, m in enumerate(conversation["messages"])}
        conversation["id"] = None
        conversation["current_leaf_id"] = numbering.get(conversation["current_leaf_id"])
        for message in conversation["messages"]:
            message["id"] = numbering[message["id"]]
            message["parent_id"] = numbering.get(message["parent_id"])
        for compaction in conversation["compactions"]:
            compaction["through_id"] = numbering[compaction["through_id"]]
    return copy


async def test_export_and_import_round_trip_attachments(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url, vision_model="v"))
    attached: Sequence[Attachment] = [
        *read_file(files / "src" / "app.py", files),
        *read_file(files / "shot.png", files),
        *read_file(files / "report.pdf", files),
    ]
    started, reply = await run(service.send("All three", attachments=attached))
    store.add_compaction(
        started.conversation_id, through_id=reply.id, summary="They sent three files.", summarised=2
    )
    exported = store.export_all()
    assert exported["version"] == 3
    table = exported["attachments"]
    image, pdf = attached[1], attached[2]
    assert table[image.sha256]["data_base64"] == base64.b64encode(image.data or b"").decode()
    assert table[image.sha256]["width"] == 56 and "text" not in table[image.sha256]
    assert table[attached[0].sha256]["text"] == "print('quokka')\n"
    assert "data_base64" in table[pdf.sha256] and table[pdf.sha256]["text"].startswith("[page 1]")
    with Store.open(tmp_path / "other.db") as other:
        ids = other.import_data(json.loads(json.dumps(exported)))
        again = other.export_conversation(ids[0])
        assert without_ids(again) == without_ids(exported)
        [hit] = other.search("quokka")
        assert hit.conversation_id == ids[0]
        assert fts_in_sync(other)
    markdown = store.export_markdown(started.conversation_id)
    assert (
        "Attachments:\n\n- `src/app.py` (text/x-python, 16 B)\n- `shot.png` (image/png," in markdown
    )
    await service.aclose()


async def test_import_checks_the_attachments(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, files: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    await run(service.send("One", attachments=read_file(files / "notes.md", files)))
    exported = store.export_all()
    [sha] = exported["attachments"]
    tampered = json.loads(json.dumps(exported))
    tampered["attachments"][sha]["text"] = "changed"
    with pytest.raises(ImportFormatError, match="does not have this SHA-256"):
        store.import_data(tampered)
    missing = json.loads(json.dumps(exported))
    missing["attachments"] = {}
    with pytest.raises(ImportFormatError, match="missing: a message refers to it"):
        store.import_data(missing)
    assert store.count_conversations() == 1
    await service.aclose()


def test_an_older_database_gains_the_tables_and_its_index_stays_whole(tmp_path: Path) -> None:
    from glm_tui.store.connection import connect
    from glm_tui.store.migrations import SCHEMA_VERSION

    path = tmp_path / "old.db"
    conn = connect(path, migrate_to=4)  # before attachments and compactions (version 5)
    conn.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('t', 'x', 'x')")
    conn.execute(
        "INSERT INTO messages (conversation_id, role, content, created_at)"
        " VALUES (1, 'user', 'owls at night', 'x')"
    )
    conn.execute(
        "INSERT INTO messages_fts(rowid, content, reasoning, tools)"
        " SELECT id, content, reasoning, tools FROM messages_search"
    )
    conn.close()
    with Store.open(path) as store:
        assert [h.message_id for h in store.search("owls")] == [1]
        assert fts_in_sync(store)
        assert store.get_message(1).attachments == ()
    with contextlib.closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_export_of_many_conversations_keeps_each_ones_compactions(tmp_path: Path) -> None:
    with Store.open(tmp_path / "many.db") as store:
        made = {}
        for number in range(60):  # more than export reads one by one
            cid = store.create_conversation(title=f"c{number}", provider="openai", model="m")
            mid = store.add_message(cid, parent_id=None, role="user", content=f"q{number}")
            if number % 20 == 0:
                store.add_compaction(cid, through_id=mid, summary=f"s{number}", summarised=1)
                made[cid] = f"s{number}"
        exported = store.export_all()
        found = {
            c["id"]: [k["summary"] for k in c["compactions"]] for c in exported["conversations"]
        }
        assert {cid: s for cid, s in found.items() if s} == {cid: [s] for cid, s in made.items()}
