"""``glm-tui ask --prompt NAME [INPUT] [--var NAME=VALUE...]``: a library prompt from a script.

The same library and the same expansion as the TUI's ``/NAME``: INPUT (or standard input) is
``{{input}}``, ``--var`` gives the other variables (``clipboard`` too), ``{{date}}`` is today.
The prompt's front matter applies as in the TUI: its ``system`` and ``model`` to a new
conversation, its ``thinking`` to the request.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from glm_tui.config import Settings
from glm_tui.prompt_library import PromptFileError, PromptUsageError, expand_for_ask
from glm_tui.slash import load_library

EXIT_FAILED, EXIT_USAGE = 1, 2


class LibraryPromptProblem(Exception):
    """Why the prompt cannot be sent: one line, and the exit status (2: bad usage)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def library_prompt_request(
    settings: Settings, name: str | None, input_text: str | None, variables: Sequence[str]
) -> tuple[str, Settings]:
    """The text to send and the settings to send it with (the prompt's own applied)."""
    if name is None:
        raise LibraryPromptProblem("--var goes with --prompt NAME", EXIT_USAGE)
    if input_text is None:
        stdin = sys.stdin
        input_text = "" if stdin is None or stdin.isatty() else stdin.read()
    library = load_library(settings.config_path)
    try:
        prompt, text = expand_for_ask(library, name, input_text, variables)
    except PromptUsageError as exc:
        raise LibraryPromptProblem(str(exc), EXIT_USAGE) from None
    except PromptFileError as exc:
        raise LibraryPromptProblem(str(exc), EXIT_FAILED) from None
    changes: dict[str, Any] = {}
    if prompt.system:
        changes["system_prompt"] = prompt.system
    if prompt.model:
        changes["model"] = prompt.model
    if prompt.thinking is not None:
        changes["thinking"] = prompt.thinking
    return text, settings.with_values(**changes) if changes else settings
