"""Attachments: files, folders, images, PDFs and pasted text read for a prompt, ``@path``
mentions and their completion, and what they become on the wire. No Textual here.

Heavier pieces (pypdf, Pillow, charset-normalizer) are imported only when a file needs them.
"""

from __future__ import annotations

from .completion import PathCandidate, PathIndex
from .limits import PASTE_ATTACH_CHARS, size_text
from .mentions import Mention, find_mentions, mention_text
from .model import Attachment, AttachmentError
from .reading import (
    PASTED_NAME,
    STDIN_NAME,
    pasted_path,
    pasted_text,
    read_bytes,
    read_file,
    should_attach_paste,
)

__all__ = [
    "PASTED_NAME",
    "PASTE_ATTACH_CHARS",
    "STDIN_NAME",
    "Attachment",
    "AttachmentError",
    "Mention",
    "PathCandidate",
    "PathIndex",
    "find_mentions",
    "mention_text",
    "pasted_path",
    "pasted_text",
    "read_bytes",
    "read_file",
    "should_attach_paste",
    "size_text",
]
