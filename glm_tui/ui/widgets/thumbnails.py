"""Small pictures of the images a prompt was sent with, under its chips.

Drawn with half blocks: each cell is ``▀`` with the upper pixel as its colour and the lower one as
its background, so a picture needs nothing of the terminal but colours (no graphics protocol to
ask about, which would slow the start and differ from one terminal to the next). Pillow decodes
and shrinks the image in a thread; the bytes are read from the history by the caller's loader.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from glm_tui.store.attachments import AttachmentRef

ImageLoader = Callable[[str], bytes | None]
"""The bytes of a saved image by its SHA-256 (None when the history no longer has them)."""

COLUMNS, ROWS = 24, 8
"""The most a picture takes: 24 columns by 8 rows (24 x 16 pixels)."""


def half_blocks(data: bytes, columns: int = COLUMNS, rows: int = ROWS) -> Content | None:
    """The image shrunk to fit ``columns`` x ``rows`` cells, its shape kept; None when the bytes
    are not an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.thumbnail((columns, rows * 2))
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    width, height = image.size
    pixels = image.load()
    if pixels is None:
        return None
    parts: list[str | tuple[str, str]] = []
    for y in range(0, height, 2):
        if y:
            parts.append("\n")
        for x in range(width):
            top = pixels[x, y]
            bottom = pixels[x, y + 1] if y + 1 < height else None
            assert isinstance(top, tuple)
            style = _hex(top) + (f" on {_hex(bottom)}" if isinstance(bottom, tuple) else "")
            parts.append(("▀", style))
    return Content.assemble(*parts)


def _hex(pixel: tuple[int, ...]) -> str:
    red, green, blue = pixel[:3]
    return f"#{red:02x}{green:02x}{blue:02x}"


class Thumbnails(Horizontal):
    """The pictures of a prompt's images, side by side (nothing for an image that cannot be
    read: its chip above still names it)."""

    DEFAULT_CSS = """
    Thumbnails {
        height: auto;
    }
    Thumbnails > Static {
        width: auto;
        height: auto;
        margin-right: 2;
    }
    """

    def __init__(self, images: Sequence[AttachmentRef], loader: ImageLoader) -> None:
        super().__init__(classes="thumbnails")
        self.images = list(images)
        self.loader = loader
        self.drawn = False
        """The pictures are made (or it is known that there are none)."""

    def on_mount(self) -> None:
        # The bytes come from the history on this thread (its connection lives here); decoding
        # and shrinking them, the slow part, in a worker thread.
        blobs = []
        for ref in self.images:
            try:
                data = self.loader(ref.sha256)
            except Exception:  # a history that cannot be read: the chip is enough
                data = None
            if data:
                blobs.append(data)
        self.run_worker(lambda: self._draw(blobs), thread=True, exit_on_error=False)

    def _draw(self, blobs: list[bytes]) -> None:
        pictures = [picture for data in blobs if (picture := half_blocks(data)) is not None]
        self.app.call_from_thread(self._show, pictures)

    def _show(self, pictures: list[Content]) -> None:
        if self.is_attached:
            self.mount_all([Static(picture, classes="thumbnail") for picture in pictures])
        self.display = bool(pictures)
        self.drawn = True
