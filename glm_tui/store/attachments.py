"""Attachments in the history: each content stored once (keyed by its SHA-256), referenced by
the messages that carry it (the ``attachments`` column: a JSON list of references, each with the
name it was attached under).

The search index reads an attachment's text as part of its message's content (the view
``messages_search``), so a search finds words inside attached files. An attachment's row never
changes once written, and is deleted only when no message refers to it any more, so the text a
message was indexed with stays the text it is unindexed with.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from glm_tui.records import record

from .times import utc_now

ATTACHMENT_KINDS = ("text", "pdf", "image")


@record
class AttachmentRef:
    """An attachment as a message refers to it (the ``show --json`` shape)."""

    name: str
    mime: str
    size: int
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "mime": self.mime, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, value: object) -> AttachmentRef | None:
        if not isinstance(value, dict):
            return None
        name, mime, size, sha = (value.get(k) for k in ("name", "mime", "size", "sha256"))
        if not (isinstance(name, str) and isinstance(mime, str) and isinstance(sha, str)):
            return None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return None
        return cls(name, mime, size, sha)


@record
class AttachmentContent:
    """What is stored once per content: ``text`` for text and PDFs (what the model reads),
    ``data`` for PDFs and images (the bytes)."""

    sha256: str
    kind: str
    mime: str
    size: int
    text: str | None = None
    data: bytes | None = None
    width: int | None = None
    height: int | None = None


CONTENT_COLUMNS = "sha256, kind, mime, size, text, data, width, height"


def refs_to_text(refs: Sequence[AttachmentRef]) -> str | None:
    if not refs:
        return None
    return json.dumps([ref.to_json() for ref in refs], ensure_ascii=False)


def refs_from_text(text: str | None) -> tuple[AttachmentRef, ...]:
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    refs = (AttachmentRef.from_json(item) for item in value)
    return tuple(ref for ref in refs if ref is not None)


def store_contents(conn: sqlite3.Connection, contents: Iterable[AttachmentContent]) -> None:
    """Keep each content (once: one already there is left as it is)."""
    now = utc_now()
    conn.executemany(
        f"INSERT OR IGNORE INTO attachments ({CONTENT_COLUMNS}, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (c.sha256, c.kind, c.mime, c.size, c.text, c.data, c.width, c.height, now)
            for c in contents
        ),
    )


def missing(conn: sqlite3.Connection, shas: Iterable[str]) -> list[str]:
    """The SHA-256s that have no stored content."""
    return [
        sha
        for sha in dict.fromkeys(shas)
        if conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone() is None
    ]


def load_contents(conn: sqlite3.Connection, shas: Iterable[str]) -> dict[str, AttachmentContent]:
    found: dict[str, AttachmentContent] = {}
    for sha in dict.fromkeys(shas):
        row = conn.execute(
            f"SELECT {CONTENT_COLUMNS} FROM attachments WHERE sha256 = ?", (sha,)
        ).fetchone()
        if row is not None:
            found[sha] = AttachmentContent(*row)
    return found


def conversation_refs(conn: sqlite3.Connection, cid: int) -> list[AttachmentRef]:
    """Every reference made by the conversation's messages, all branches, by message id."""
    rows = conn.execute(
        "SELECT attachments FROM messages WHERE conversation_id = ? AND attachments IS NOT NULL"
        " ORDER BY id",
        (cid,),
    )
    return [ref for (text,) in rows for ref in refs_from_text(text)]


def conversation_bytes(conn: sqlite3.Connection, cid: int) -> int:
    """What the conversation's attachments weigh, each content counted once."""
    sizes = {ref.sha256: ref.size for ref in conversation_refs(conn, cid)}
    return sum(sizes.values())


def delete_unused(conn: sqlite3.Connection, shas: Iterable[str]) -> int:
    """Delete those of these contents that no message refers to any more; returns how many.

    A reference is the SHA-256's 64 hex digits inside a message's JSON list: nothing else there
    looks like that, and ``instr`` over the few messages with attachments (a partial index)
    is quicker than taking every list apart."""
    deleted = 0
    for sha in dict.fromkeys(shas):
        used = conn.execute(
            "SELECT 1 FROM messages INDEXED BY messages_with_attachments"
            " WHERE attachments IS NOT NULL AND instr(attachments, ?) > 0 LIMIT 1",
            (sha,),
        ).fetchone()
        if used is None:
            deleted += conn.execute("DELETE FROM attachments WHERE sha256 = ?", (sha,)).rowcount
    return deleted


def export_contents(conn: sqlite3.Connection, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The contents for a JSON export, by SHA-256: text as it is, bytes in base64."""
    import base64

    out: dict[str, dict[str, Any]] = {}
    for sha, content in load_contents(conn, sorted(set(shas))).items():
        entry: dict[str, Any] = {"kind": content.kind, "mime": content.mime, "size": content.size}
        if content.text is not None:
            entry["text"] = content.text
        if content.data is not None:
            entry["data_base64"] = base64.b64encode(content.data).decode("ascii")
        if content.width is not None:
            entry["width"], entry["height"] = content.width, content.height
        out[sha] = entry
    return out
