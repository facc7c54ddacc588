"""A prompt sent with an image shows a small picture of it under its chips (half blocks, in any
terminal with colours); bytes that are not an image leave the chip alone."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from textual.widgets import Static

from glm_tui.attachments import read_file
from glm_tui.store import Store
from glm_tui.ui.widgets.thumbnails import Thumbnails, half_blocks
from tests.app_fixture import Tui
from tests.attachment_helpers import image_bytes, write
from tests.ui_helpers import wait_until


def two_colours() -> bytes:
    """A 4 x 4 PNG: red above, blue below."""
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    image.paste((0, 0, 255), (0, 2, 4, 4))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_half_blocks_put_two_pixels_in_a_cell() -> None:
    picture = half_blocks(two_colours(), columns=4, rows=2)
    assert picture is not None
    assert picture.plain == "▀▀▀▀\n▀▀▀▀"
    styles = {str(span.style) for span in picture.spans}
    assert styles == {"#ff0000 on #ff0000", "#0000ff on #0000ff"}


def test_a_large_image_shrinks_to_fit_keeping_its_shape() -> None:
    picture = half_blocks(image_bytes("PNG", (640, 160)), columns=24, rows=8)
    assert picture is not None
    lines = picture.plain.split("\n")
    assert len(lines[0]) == 24 and len(lines) == 3  # 24 x 6 pixels: three rows of cells


def test_bytes_that_are_not_an_image_give_no_picture() -> None:
    assert half_blocks(b"not an image at all") is None


async def test_a_sent_image_shows_as_a_picture_on_its_prompt(
    tui: Tui, tmp_path: Path, store: Store
) -> None:
    work = tmp_path / "work"
    write(work / "shot.png", two_colours())
    [picture] = read_file(work / "shot.png", work)
    cid = store.create_conversation(title="What is this?", provider="openai", model="glm-4.7")
    store.add_message(
        cid,
        parent_id=None,
        role="user",
        content="What is in @shot.png?",
        attachments=[picture.ref()],
        contents=[picture.content()],
    )
    async with tui(open=cid) as (app, pilot):
        await wait_until(pilot, lambda: app.main.pane.query(Thumbnails))
        thumbnails = app.main.pane.query_one(Thumbnails)
        await wait_until(pilot, lambda: thumbnails.drawn and thumbnails.query(Static))
        drawn = thumbnails.query_one(Static).visual
        assert "▀" in str(drawn)
        assert thumbnails.display
