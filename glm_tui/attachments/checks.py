"""The limits per message and per conversation (limits per file are checked on reading)."""

from __future__ import annotations

from collections.abc import Sequence

from . import limits
from .model import Attachment, AttachmentError


def check_message(attachments: Sequence[Attachment]) -> None:
    """Raise AttachmentError when one prompt would carry too much."""
    if len(attachments) > limits.MAX_ATTACHMENTS_PER_MESSAGE:
        raise AttachmentError(
            f"{len(attachments)} attachments: a message takes at most"
            f" {limits.MAX_ATTACHMENTS_PER_MESSAGE}; attach fewer files (or a smaller folder)"
        )
    images = sum(1 for a in attachments if a.is_image)
    if images > limits.MAX_IMAGES_PER_MESSAGE:
        raise AttachmentError(
            f"{images} images: a message takes at most {limits.MAX_IMAGES_PER_MESSAGE};"
            " send the rest in the next message"
        )
    total = sum({a.sha256: a.size for a in attachments}.values())
    if total > limits.MAX_MESSAGE_BYTES:
        raise AttachmentError(
            f"the attachments weigh {limits.size_text(total)}: a message takes at most"
            f" {limits.size_text(limits.MAX_MESSAGE_BYTES)}; remove some, or send them over"
            " several messages"
        )


def check_conversation(existing: int, attachments: Sequence[Attachment]) -> None:
    """Raise AttachmentError when the conversation's attachments would weigh too much
    (``existing``: what they weigh now). Content already in it is not counted twice only
    roughly: a new prompt's attachments are counted in full."""
    total = existing + sum({a.sha256: a.size for a in attachments}.values())
    if total > limits.MAX_CONVERSATION_BYTES:
        raise AttachmentError(
            f"this conversation's attachments would weigh {limits.size_text(total)}: the limit"
            f" is {limits.size_text(limits.MAX_CONVERSATION_BYTES)}; start a new conversation"
            " (or fork this one from an earlier message) for more"
        )
