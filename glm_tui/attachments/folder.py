"""A folder attached: its text files (``.gitignore`` respected, capped) and a listing that says
what was left out and why, which the model reads too."""

from __future__ import annotations

from pathlib import Path

from . import limits
from .decode import decode_text
from .ignore import IgnoreWalker
from .model import Attachment, AttachmentError
from .sniff import PDF_MAGIC, image_mime

_SNIFF = 8192


def _is_text(data: bytes) -> bool:
    return not data.startswith(PDF_MAGIC) and image_mime(data) is None


def read_folder(path: Path, name: str) -> list[Attachment]:
    """The folder's text files, in path order, then its listing (named ``name/``)."""
    base = name.rstrip("/")
    walker = IgnoreWalker(path)
    attached: list[Attachment] = []
    left_out: list[tuple[str, str]] = []
    total = 0
    try:
        entries = [relative for relative, is_dir in walker.walk() if not is_dir]
    except OSError as exc:
        raise AttachmentError(f"{name}: cannot read the folder ({exc.strerror})") from None
    for relative in entries:
        file_name = f"{base}/{relative}" if base != "." else relative
        if len(attached) >= limits.FOLDER_MAX_FILES:
            left_out.append((relative, f"over the limit of {limits.FOLDER_MAX_FILES} files"))
            continue
        try:
            data = (path / relative).read_bytes()
        except OSError as exc:
            left_out.append((relative, f"unreadable: {exc.strerror}"))
            continue
        if not _is_text(data[:_SNIFF]):
            left_out.append((relative, "not text (attach it on its own)"))
            continue
        if total + len(data) > limits.FOLDER_MAX_BYTES:
            left_out.append(
                (
                    relative,
                    f"over the folder's limit of {limits.size_text(limits.FOLDER_MAX_BYTES)}",
                )
            )
            continue
        decoded = decode_text(data)
        if decoded is None:
            left_out.append((relative, "binary"))
            continue
        total += len(data)
        attached.append(Attachment(name=file_name, kind="text", mime="text/plain", text=decoded[0]))
    if not attached:
        why = "it has no text files" if not left_out else "none of its files is text that fits"
        raise AttachmentError(f"{name}: nothing to attach ({why}, .gitignore respected)")
    summary = f"{len(attached)} text file{'s' if len(attached) != 1 else ''} attached"
    if left_out:
        summary += f", {len(left_out)} left out"
    lines = [f"Folder {base}/: {summary} (.gitignore respected)."]
    lines += ["", "Attached:"] + [f"  {a.name}" for a in attached]
    if left_out:
        lines += ["", "Left out:"] + [f"  {relative}: {why}" for relative, why in left_out]
    listing = Attachment(
        name=f"{base}/", kind="text", mime="text/plain", text="\n".join(lines), note=summary
    )
    return [*attached, listing]
