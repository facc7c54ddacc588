"""What an attachment is once read: the text the model reads, or the bytes it sees.

An attachment is kept once per content (its SHA-256) however many messages use it; each message
keeps its own name for it (the path it was attached as).
"""

from __future__ import annotations

from dataclasses import field

from glm_tui.records import record
from glm_tui.store.attachments import AttachmentContent, AttachmentRef

KINDS = ("text", "pdf", "image")


class AttachmentError(Exception):
    """A file cannot be attached: one line that names it and says what to do."""


@record
class Attachment:
    """One attachment ready to send: ``text`` for text files, pasted text and PDFs (their
    text), ``data`` for PDFs and images (the bytes kept and, for images, sent)."""

    name: str
    """The path as attached (relative to the working directory when under it), ``stdin``,
    ``pasted text``, or a folder's listing (``src/``)."""
    kind: str
    """``text``, ``pdf`` or ``image``."""
    mime: str
    text: str | None = None
    data: bytes | None = None
    width: int | None = None
    height: int | None = None
    note: str = ""
    """What the reading changed or left out, for a person: ``read as cp1252``, ``downscaled
    from 6000x4000``, a folder's summary ('' if nothing)."""
    sha256: str = field(default="", compare=False)
    size: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        stored = self.stored_bytes()
        import hashlib  # on first use: 1 ms of the TUI's first screen

        object.__setattr__(self, "sha256", hashlib.sha256(stored).hexdigest())
        object.__setattr__(self, "size", len(stored))

    def stored_bytes(self) -> bytes:
        """The bytes its SHA-256 and size are of: the PDF or image, else the text in UTF-8."""
        if self.data is not None:
            return self.data
        return (self.text or "").encode("utf-8")

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def tokens(self) -> int:
        """About how many tokens it costs the model (see context/estimate.py)."""
        from glm_tui.context.estimate import image_tokens, text_tokens

        if self.kind == "image":
            return image_tokens(self.width, self.height)
        return text_tokens(self.text or "") + 12  # the line naming it and the fence

    def ref(self) -> AttachmentRef:
        """How a message refers to it."""
        return AttachmentRef(self.name, self.mime, self.size, self.sha256)

    def content(self) -> AttachmentContent:
        """What the history keeps of it (once per content)."""
        return AttachmentContent(
            self.sha256,
            self.kind,
            self.mime,
            self.size,
            self.text,
            self.data,
            self.width,
            self.height,
        )
