"""What every ``glm-tui`` subcommand shares: the exit statuses, the one-line ``error:``, the
global options as click options, the settings of the run, the store opened for one command.

The subcommands live in cli.py (the group, ``ask``, ``tools``, ``models``, ``usage``,
``config``), cli_history.py (``list``, ``show``, ``search``, ``export``, ``import``, ``rm``) and
cli_organize.py (``pin``, ``tag``); each takes its helpers from here, so none imports cli.py,
which imports them all.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click

from glm_tui.config import ConfigError, Settings, config_permission_warning, load_settings
from glm_tui.global_options import GLOBAL_OPTIONS as _GLOBAL_OPTIONS
from glm_tui.global_options import db_directory_problem
from glm_tui.terminal_text import strip_controls

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


# -- global options, accepted before or after the subcommand ------------------------------------


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # --no-thinking is a real choice (False); an absent --demo flag is not.
    if value is not None and not (param.name == "demo" and not value) and param.name:
        ctx.meta.setdefault("glm_flags", {})[param.name] = value
    return value


def global_options(func: F) -> F:
    for decls, extra in reversed(_GLOBAL_OPTIONS):
        func = click.option(*decls, expose_value=False, callback=_remember, **extra)(func)
    return func


def settings_from(ctx: click.Context, *, warn: bool = True) -> Settings:
    """The settings of this run; ``warn``: say on stderr if others can read the key's file
    (the TUI says it in a notification instead: stderr is hidden under its screen)."""
    flags = ctx.meta.get("glm_flags", {})
    try:
        settings = load_settings(flags)
    except ConfigError as exc:
        # A wrong flag is bad usage; a broken file or variable is failed data.
        fail(str(exc), EXIT_USAGE if str(exc).startswith("--") else EXIT_FAILED)
    if warn and (warning := config_permission_warning(settings)):
        click.echo(f"warning: {warning}", err=True)
    return settings


@contextmanager
def open_store(settings: Settings) -> Iterator[Any]:
    from glm_tui.store import Store, StoreError

    if problem := db_directory_problem(settings):
        fail(problem)
    try:
        store = Store.open(settings.db_path)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()


def one_line(text: str) -> str:
    """Saved text for a line of the terminal: no escape codes, whitespace collapsed."""
    return " ".join(strip_controls(text).split())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
