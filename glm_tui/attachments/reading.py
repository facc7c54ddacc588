"""Reading what is attached: a file by its content, standard input, a paste, a folder.

Text is told by content, not by the name's extension (a ``Makefile``, a ``.log``, a ``.txt``
that is really a ZIP); PDFs give their text (pypdf); PNG, JPEG, WebP and GIF images are kept as
they are, or downscaled with Pillow to at most 5 MB; anything else is refused with a sentence
that names it. Nothing here touches the history or the network.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path

from . import limits
from .decode import decode_text
from .folder import read_folder
from .model import Attachment, AttachmentError
from .sniff import PDF_MAGIC, image_mime

_PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
MAX_PATH_LENGTH = 4096
"""A paste longer than this is not taken for a path."""
PASTED_NAME = "pasted text"
STDIN_NAME = "stdin"


def display_name(path: Path, cwd: Path | None = None) -> str:
    """The path as a person typed it: relative to the working directory when under it."""
    cwd = Path.cwd() if cwd is None else cwd
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _text_mime(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    if guessed and (guessed.startswith("text/") or guessed.endswith(("json", "xml", "yaml"))):
        return guessed
    return "text/plain"


def read_file(path: Path, cwd: Path | None = None) -> list[Attachment]:
    """The attachments of a path: one for a file, a folder's text files and its listing."""
    name = display_name(path, cwd)
    try:
        if path.is_dir():
            return read_folder(path, name)
        size = path.stat().st_size
    except FileNotFoundError:
        raise AttachmentError(f"{name}: no such file") from None
    except OSError as exc:
        raise AttachmentError(f"{name}: cannot read it ({exc.strerror})") from None
    if not path.is_file():
        raise AttachmentError(f"{name}: not a regular file (a device or a pipe?)")
    biggest = max(limits.MAX_PDF_BYTES, limits.MAX_IMAGE_FILE_BYTES, limits.MAX_TEXT_BYTES)
    if size > biggest:
        raise AttachmentError(
            f"{name} is {limits.size_text(size)}: too big to attach (at most"
            f" {limits.size_text(limits.MAX_TEXT_BYTES)} of text,"
            f" {limits.size_text(limits.MAX_PDF_BYTES)} for a PDF or an image)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"{name}: cannot read it ({exc.strerror})") from None
    return [read_bytes(name, data)]


def read_bytes(name: str, data: bytes) -> Attachment:
    """One attachment from bytes (a file's, standard input's): PDF, image or text, by content.

    Raises AttachmentError for binary data, a damaged PDF or image, or one too big."""
    if data.startswith(PDF_MAGIC):
        return read_pdf(name, data)
    mime = image_mime(data)
    if mime is not None:
        return read_image(name, data, mime)
    if len(data) > limits.MAX_TEXT_BYTES:
        raise AttachmentError(
            f"{name} is {limits.size_text(len(data))} of text: the limit is"
            f" {limits.size_text(limits.MAX_TEXT_BYTES)} a file; attach the part that matters"
            " (head, tail, grep) or save it to a smaller file"
        )
    decoded = decode_text(data)
    if decoded is None:
        raise AttachmentError(
            f"{name} is a binary file: only text, PDFs and PNG, JPEG, WebP or GIF images can be"
            " attached (nothing was sent)"
        )
    text, encoding = decoded
    note = "" if encoding in ("utf-8", "utf-8-sig") else f"read as {encoding}"
    return Attachment(name=name, kind="text", mime=_text_mime(name), text=text, note=note)


def pasted_text(text: str, name: str = PASTED_NAME) -> Attachment:
    """A long paste kept as an attachment rather than in the composer."""
    if len(text.encode("utf-8", "replace")) > limits.MAX_TEXT_BYTES:
        raise AttachmentError(
            f"the {name} is {limits.size_text(len(text.encode('utf-8', 'replace')))}: the limit"
            f" is {limits.size_text(limits.MAX_TEXT_BYTES)}; paste the part that matters"
        )
    return Attachment(name=name, kind="text", mime="text/plain", text=text)


def should_attach_paste(text: str) -> bool:
    """Whether a paste is long enough to become an attachment (about 2,000 characters)."""
    return len(text) > limits.PASTE_ATTACH_CHARS


def pasted_path(text: str, cwd: Path | None = None) -> Path | None:
    """The existing file or folder a paste names (one line, perhaps quoted, ``~`` or
    ``file://``), or None: the UI then offers to attach it."""
    line = text.strip()
    if not line or "\n" in line or len(line) > MAX_PATH_LENGTH:
        return None
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "'\"":
        line = line[1:-1]
    if line.startswith("file://"):
        from urllib.parse import unquote

        line = unquote(line[len("file://") :])
    path = Path(line.replace("\\ ", " ")).expanduser()
    if not path.is_absolute():
        path = (Path.cwd() if cwd is None else cwd) / path
    try:
        return path if path.exists() else None
    except OSError:
        return None


# -- PDFs ---------------------------------------------------------------------------------------


def read_pdf(name: str, data: bytes) -> Attachment:
    """A PDF's text, page by page; refused when it has none (a scan) or cannot be read."""
    if len(data) > limits.MAX_PDF_BYTES:
        raise AttachmentError(
            f"{name} is {limits.size_text(len(data))}: the limit for a PDF is"
            f" {limits.size_text(limits.MAX_PDF_BYTES)}; split it (pages) and attach a part"
        )
    # Imported here: pypdf takes a while to load, and most turns have no PDF.
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would reach the terminal
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AttachmentError(
                f"{name} is an encrypted PDF: save an unlocked copy and attach it"
            )
        pages = []
        for number, page in enumerate(reader.pages, 1):
            text = (page.extract_text() or "").strip()
            if text:
                pages.append(f"[page {number}]\n{text}")
    except AttachmentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise AttachmentError(f"{name}: cannot read it as a PDF ({exc})") from None
    if not pages:
        raise AttachmentError(
            f"{name} has no text to read (a scanned PDF?): attach its pages as images instead"
        )
    text = "\n\n".join(pages)
    if len(text) > limits.MAX_PDF_TEXT_CHARS:
        raise AttachmentError(
            f"{name} holds {len(text):,} characters of text: the limit is"
            f" {limits.MAX_PDF_TEXT_CHARS:,}; attach fewer pages"
        )
    return Attachment(
        name=name,
        kind="pdf",
        mime="application/pdf",
        text=text,
        data=data,
        note=f"{len(reader.pages)} pages",
    )


# -- images -------------------------------------------------------------------------------------


def read_image(name: str, data: bytes, mime: str) -> Attachment:
    """A PNG, JPEG, WebP or GIF image, downscaled (with Pillow) to at most 5 MB."""
    if len(data) > limits.MAX_IMAGE_FILE_BYTES:
        raise AttachmentError(
            f"{name} is {limits.size_text(len(data))}: the limit for an image file is"
            f" {limits.size_text(limits.MAX_IMAGE_FILE_BYTES)}; export a smaller copy"
        )
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > limits.MAX_IMAGE_PIXELS:
                raise AttachmentError(
                    f"{name} is {width}x{height} pixels: more than glm-tui opens; export a"
                    " smaller copy"
                )
            image.verify()
    except AttachmentError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise AttachmentError(f"{name}: cannot read it as an image ({exc})") from None
    if len(data) <= limits.MAX_IMAGE_BYTES:
        return Attachment(name=name, kind="image", mime=mime, data=data, width=width, height=height)
    smaller, mime, size = _downscale(name, data, mime)
    return Attachment(
        name=name,
        kind="image",
        mime=mime,
        data=smaller,
        width=size[0],
        height=size[1],
        note=f"downscaled from {width}x{height} ({limits.size_text(len(data))})",
    )


def _downscale(name: str, data: bytes, mime: str) -> tuple[bytes, str, tuple[int, int]]:
    """The image made smaller until its file fits MAX_IMAGE_BYTES (an animated GIF keeps its
    first frame, as a PNG)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        image = opened.copy()
    if mime == "image/gif":
        mime = "image/png"
    if mime == "image/jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    fmt = _PILLOW_FORMATS[mime]
    scale = (limits.MAX_IMAGE_BYTES / len(data)) ** 0.5
    for _ in range(8):
        scale *= 0.9
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        out = io.BytesIO()
        resized = image.resize(size, Image.Resampling.LANCZOS)
        options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
        resized.save(out, fmt, **options)
        if out.tell() <= limits.MAX_IMAGE_BYTES:
            return out.getvalue(), mime, size
    raise AttachmentError(f"{name}: cannot make it small enough to send; export a smaller copy")
