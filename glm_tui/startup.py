"""Starting the TUI: the one module outside ``glm_tui.ui`` that imports it (and so Textual),
lazily, for the entry point (launch.py) and for ``glm-tui`` with no subcommand (cli.py)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glm_tui.config import Settings


def start_tui(settings: Settings) -> None:
    # No garbage collection until the first screen is drawn (the app turns it back on):
    # importing and starting Textual makes some 90,000 objects, and the collections they
    # set off took a sixth of the time to the first screen.
    gc.disable()
    from glm_tui.ui.app import run_app

    run_app(settings)
