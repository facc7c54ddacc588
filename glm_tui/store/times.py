"""The store's times: UTC text of one fixed width, so that sorting the text sorts the times.

Its own module because both the rows (models.py) and the attachments' table need it, and models
imports the attachments.
"""

from __future__ import annotations

from datetime import UTC, datetime

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_time(moment: datetime) -> str:
    """``2025-01-31T12:00:00.000000Z``: UTC, microseconds, always the same width."""
    if moment.tzinfo is None:
        raise ValueError("a time without a timezone is ambiguous")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def utc_now() -> str:
    return format_time(datetime.now(UTC))


def normalize_time(text: str) -> str:
    """Any ISO 8601 time with a timezone, in the store's format; ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    return format_time(moment)
