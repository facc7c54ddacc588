"""What a prompt with attachments becomes on the wire.

Text (files, pasted text, standard input, a PDF's text, a folder's listing) goes in the user
message as fenced blocks, each under a line naming it, before the prompt's own words. Images
go as ``image_url`` parts holding a base64 ``data:`` URL, after the text; a model that does not
see images is told, in their place, that one was attached.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any

from glm_tui.store.attachments import AttachmentContent, AttachmentRef

_LANGUAGES = {
    "py": "python", "js": "javascript", "ts": "typescript", "md": "markdown", "rs": "rust",
    "sh": "bash", "yml": "yaml", "h": "c", "hpp": "cpp", "cc": "cpp", "kt": "kotlin",
    "rb": "ruby", "txt": "text",
}  # fmt: skip
_EXTENSION = re.compile(r"\.([A-Za-z0-9+]{1,10})$")


def _language(name: str, kind: str) -> str:
    if kind == "pdf":
        return "text"
    found = _EXTENSION.search(name)
    if not found:
        return ""
    extension = found.group(1).lower()
    return _LANGUAGES.get(extension, extension)


def _heading(ref: AttachmentRef, kind: str) -> str:
    if ref.name == "pasted text":
        return "Pasted text:"
    if ref.name == "stdin":
        return "Standard input:"
    if ref.name.endswith("/"):
        return f"Folder: {ref.name}"
    if kind == "pdf":
        return f"File: {ref.name} (the text of a PDF)"
    return f"File: {ref.name}"


def fenced_block(ref: AttachmentRef, content: AttachmentContent) -> str:
    """The attachment's text under a line that names it, in a fence no line of it can close."""
    text = content.text or ""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    language = "" if ref.name.endswith("/") else _language(ref.name, content.kind)
    return f"{_heading(ref, content.kind)}\n{fence}{language}\n{body}{fence}"


def data_url(content: AttachmentContent) -> str:
    encoded = base64.b64encode(content.data or b"").decode("ascii")
    return f"data:{content.mime};base64,{encoded}"


def image_placeholder(ref: AttachmentRef, content: AttachmentContent | None) -> str:
    size = ""
    if content is not None and content.width and content.height:
        size = f", {content.width}x{content.height}"
    return f"[Image {ref.name} ({ref.mime}{size}) was attached here; it is not sent to this model.]"


def user_content(
    prompt: str,
    refs: Sequence[AttachmentRef],
    contents: Mapping[str, AttachmentContent],
    *,
    images: bool,
) -> str | list[dict[str, Any]]:
    """A user message's ``content``: a string, or a list of parts when it carries images for a
    model that sees them."""
    blocks: list[str] = []
    image_parts: list[dict[str, Any]] = []
    for ref in refs:
        content = contents.get(ref.sha256)
        if content is None:
            blocks.append(f"[Attachment {ref.name} is missing from the history.]")
        elif content.kind == "image":
            if images:
                image_parts.append({"type": "image_url", "image_url": {"url": data_url(content)}})
            else:
                blocks.append(image_placeholder(ref, content))
        else:
            blocks.append(fenced_block(ref, content))
    if prompt:
        blocks.append(prompt)
    text = "\n\n".join(blocks)
    if not image_parts:
        return text
    return [{"type": "text", "text": text}, *image_parts]
