"""The ``glm-tui`` entry point (also ``python -m glm_tui``).

Most starts are the TUI with a few global options. Those are parsed (global_options.py)
exactly as the click CLI would parse them, and the TUI starts without importing click (a few per
cent of the time to the first screen). Anything else (a subcommand, ``--help``, ``--version``, a
value that does not parse, settings that are wrong) goes to the click CLI, which runs it or says
what is wrong.
"""

from __future__ import annotations

import sys

from glm_tui.global_options import db_directory_problem, tui_flags
from glm_tui.startup import start_tui


def main() -> None:
    flags = tui_flags(sys.argv[1:])
    if flags is not None:
        from glm_tui.config import ConfigError, load_settings

        try:
            settings = load_settings(flags)
        except ConfigError:
            pass  # the click CLI reports it, with the right exit status
        else:
            if db_directory_problem(settings) is None:  # else the click CLI reports it
                start_tui(settings)
                return
    from glm_tui.cli import main as cli_main

    cli_main()
