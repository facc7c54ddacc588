"""How much can be attached, and the sentences that say so.

Per file: what one attachment may hold. Per message: what one prompt may carry in all. Per
conversation: what its attachments may weigh in the history, all branches together. Each
refusal names the file (or the message) and says what to do instead.
"""

from __future__ import annotations

MB = 1024 * 1024

MAX_TEXT_BYTES = 2 * MB
"""A text file (or pasted text, or standard input) read as text: about 500,000 tokens of code
is already more than GLM-4.7's window."""
MAX_PDF_BYTES = 50 * MB
MAX_PDF_TEXT_CHARS = 2_000_000
MAX_IMAGE_FILE_BYTES = 50 * MB
"""The largest image file read at all (it is then downscaled)."""
MAX_IMAGE_BYTES = 5 * MB
"""The largest image sent: a larger one is downscaled until it fits."""
MAX_IMAGE_PIXELS = 100_000_000
"""More pixels than this is refused before decoding (a decompression bomb)."""

MAX_ATTACHMENTS_PER_MESSAGE = 300
MAX_IMAGES_PER_MESSAGE = 10
MAX_MESSAGE_BYTES = 20 * MB
"""All attachments of one prompt together."""
MAX_CONVERSATION_BYTES = 100 * MB
"""All attachments of one conversation, every branch, each content counted once."""

FOLDER_MAX_FILES = 200
FOLDER_MAX_BYTES = 1 * MB
"""A folder's text files together; the rest is listed as left out."""

PASTE_ATTACH_CHARS = 2000
"""A paste longer than this becomes a "pasted text" attachment instead of filling the composer."""


def size_text(size: int) -> str:
    """``812 B``, ``14.2 KB``, ``3.1 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"
