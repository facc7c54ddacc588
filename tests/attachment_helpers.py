"""Real files for attachment tests: PDFs written with pypdf, images drawn with Pillow."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)


def pdf_bytes(pages: list[str], *, password: str | None = None) -> bytes:
    """A PDF with one line of text per page ('' makes a page with no text, as a scan has)."""
    writer = PdfWriter()
    for text in pages:
        page = writer.add_blank_page(width=612, height=792)
        if text:
            font = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                }
            )
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
            )
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            stream = DecodedStreamObject()
            stream.set_data(f"BT /F1 14 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1"))
            page[NameObject("/Contents")] = writer._add_object(stream)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), *, noise: bool = False) -> bytes:
    """An image in ``fmt`` (PNG, JPEG, WEBP, GIF): a gradient, or noise (which compresses
    badly, to make big files)."""
    width, height = size
    if noise:
        image = Image.frombytes("RGB", size, random.Random(7).randbytes(width * height * 3))
    else:
        image = Image.new("RGB", size)
        image.putdata(
            [
                ((x * 255) // width, (y * 255) // height, 128)
                for y in range(height)
                for x in range(width)
            ]
        )
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def binary_bytes(size: int = 4096) -> bytes:
    return os.urandom(size)
