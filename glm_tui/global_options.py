"""The global options without click: their table, reading them from a command line, and the
check of the database's directory.

Shared by the entry point (launch.py), which starts the TUI straight away when the command line
holds only global options, and by the click CLI (cli_common.py), which makes click options of the
same table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glm_tui.config import Settings

GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--provider",), {"help": "aimlapi (default), zai, openai or demo."}),
    (("--base-url",), {"help": "API base URL (env GLM_TUI_BASE_URL)."}),
    (("--model",), {"help": "Model id (env GLM_TUI_MODEL)."}),
    (("--thinking/--no-thinking",), {"default": None, "help": "Let the model think first."}),
    (("--temperature",), {"type": float, "help": "Sampling temperature."}),
    (("--top-p", "top_p"), {"type": float, "help": "Nucleus sampling."}),
    (("--max-tokens", "max_tokens"), {"type": int, "help": "Most tokens in a reply."}),
    (("--system", "system_prompt"), {"help": "System prompt for new conversations."}),
    (("--db", "db_path"), {"help": "History database (env GLM_TUI_DB)."}),
    (("--config", "config_path"), {"help": "Config file (env GLM_TUI_CONFIG)."}),
    (("--demo",), {"is_flag": True, "default": False, "help": "Use the offline demo model."}),
    (
        ("--web-search/--no-web-search", "web_search"),
        {"default": None, "help": "Offer Z.ai's web search (zai provider)."},
    ),
]
"""The options accepted before or after any subcommand (cli_common.py makes click options of
them)."""

_Kind = bool | Callable[[str], Any]
"""A flag's value (True, or False for ``--no-...``), or the type of an option's value."""


def _option_table() -> dict[str, tuple[str, _Kind]]:
    """``--flag`` -> (the name click gives its value, what it takes)."""
    table: dict[str, tuple[str, _Kind]] = {}
    for decls, extra in GLOBAL_OPTIONS:
        flag = decls[0]
        name = decls[1] if len(decls) > 1 else flag.split("/")[0][2:].replace("-", "_")
        if "/" in flag:
            on, off = flag.split("/")
            table[on], table[off] = (name, True), (name, False)
        elif extra.get("is_flag"):
            table[flag] = (name, True)
        else:
            table[flag] = (name, extra.get("type", str))
    return table


def tui_flags(args: Sequence[str]) -> dict[str, Any] | None:
    """The flags the click CLI would collect from ``args`` when they are only global options,
    each value parsing; None when click has anything else to do (or to say)."""
    table = _option_table()
    flags: dict[str, Any] = {}
    rest = list(args)
    while rest:
        flag, equals, value = rest.pop(0).partition("=")
        if flag not in table:
            return None  # a subcommand, --help, --version, "--", an unknown option...
        name, kind = table[flag]
        if isinstance(kind, bool):
            if equals:
                return None  # a flag takes no value: click says so
            flags[name] = kind
            continue
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None  # a missing value (or one click may read otherwise)
            value = rest.pop(0)
        try:
            flags[name] = kind(value)
        except ValueError:
            return None  # click says which option and why
    return flags


def db_directory_problem(settings: Settings) -> str | None:
    """Why the history database cannot go where it was asked to (None if it can).

    The default location is created when needed; a path given on purpose (``--db``, the
    environment, the config file) whose directory does not exist is a mistake to report, not a
    directory to make.
    """
    path = settings.db_path
    source = settings.sources.get("db_path", "default")
    if source == "default" or str(path) == ":memory:":
        return None
    parent = path.parent
    if parent.is_dir():
        return None
    why = "is not a directory" if parent.exists() else "does not exist"
    return (
        f"cannot open the database {path}: the directory {parent} {why} (the path is from {source})"
    )
