"""The ``glm-tui`` command: the TUI by default, and the scripting subcommands.

Textual is imported only when the TUI starts, so ``ask``, ``list``, ``show`` and ``search``
start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from glm_tui import __version__
from glm_tui.config import (
    ConfigError,
    Settings,
    config_permission_warning,
    load_settings,
    redact,
)
from glm_tui.launch import GLOBAL_OPTIONS as _GLOBAL_OPTIONS
from glm_tui.launch import db_directory_problem, start_tui
from glm_tui.terminal_text import strip_controls

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Failure(Exception):
    """A request or data failure: printed as one ``error:`` line, exit 1."""


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


# -- the group ----------------------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, "--version", prog_name="glm-tui")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """A terminal chat client for GLM-4.7. With no command, starts the TUI."""
    if ctx.invoked_subcommand is None:
        settings = settings_from(ctx, warn=False)
        if problem := db_directory_problem(settings):
            fail(problem)
        start_tui(settings)


def main() -> None:
    cli(prog_name="glm-tui")


# -- ask ----------------------------------------------------------------------------------------


@cli.command()
@click.argument("prompt", required=False)
@click.option(
    "-c", "--continue", "continue_", is_flag=True, help="Continue the latest conversation."
)
@click.option("--cid", type=int, help="Continue this conversation.")
@click.option("--reasoning", is_flag=True, help="Also stream the reasoning to stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
@click.option("--no-save", is_flag=True, help="Do not write to the history database.")
@click.option("-y", "--yes", is_flag=True, help="Allow every tool call without asking.")
@click.option("--no-tools", is_flag=True, help="Offer the model no tools.")
@click.option(
    "-a",
    "--attach",
    "attach",
    multiple=True,
    metavar="FILE",
    help="Attach a file, folder, PDF or image (repeatable; - reads standard input).",
)
@click.option(
    "--compare",
    metavar="MODEL,MODEL[,MODEL]",
    help="Ask two or three models at once; each reply under a heading with its model.",
)
@click.option(
    "--prompt", "library_prompt", metavar="NAME", help="Send a prompt of the library (PROMPT is "
    "its input)."
)  # fmt: skip
@click.option(
    "--var", "variables", multiple=True, metavar="NAME=VALUE", help="A value for the library "
    "prompt's {{NAME}}."
)  # fmt: skip
@global_options
@click.pass_context
def ask(
    ctx: click.Context,
    prompt: str | None,
    continue_: bool,
    cid: int | None,
    reasoning: bool,
    as_json: bool,
    no_save: bool,
    yes: bool,
    no_tools: bool,
    attach: tuple[str, ...],
    compare: str | None,
    library_prompt: str | None,
    variables: tuple[str, ...],
) -> None:
    """Send one prompt (PROMPT or standard input); the reply streams to stdout."""
    from glm_tui.ask import failed_before_reply, read_attachments, run_ask

    def refuse(message: str, code: int = EXIT_FAILED) -> NoReturn:
        # With --json, stdout still holds the one JSON object a script waits for (--compare:
        # the list).
        if compare is not None:
            from glm_tui.ask_compare import failed_before_replies

            names = [name.strip() for name in compare.split(",")]
            sys.exit(failed_before_replies(message, names, as_json, code))
        sys.exit(failed_before_reply(message, as_json, code))

    settings = settings_from(ctx)
    if "-" in attach and prompt is None:
        refuse("-a - reads standard input: give the prompt as an argument", EXIT_USAGE)
    attachments, attach_problem = read_attachments(attach)
    if attach_problem:
        refuse(attach_problem)
    if library_prompt is not None or variables:
        from glm_tui.ask_prompt import LibraryPromptProblem, library_prompt_request

        try:
            prompt, settings = library_prompt_request(settings, library_prompt, prompt, variables)
        except LibraryPromptProblem as exc:
            refuse(str(exc), exc.code)
    if prompt is None:
        if sys.stdin is None or sys.stdin.isatty():
            refuse("no prompt: give one as an argument or on standard input", EXIT_USAGE)
        prompt = sys.stdin.read()
    if not prompt.strip():
        refuse("the prompt is empty", EXIT_USAGE)
    if continue_ and cid is not None:
        refuse("use either -c or --cid, not both", EXIT_USAGE)
    models: tuple[str, ...] = ()
    if compare is not None:
        from glm_tui.session.compare import check_models

        try:
            models = check_models(compare.split(","))
        except ValueError as exc:
            refuse(f"--compare: {exc}", EXIT_USAGE)
    problem = settings.request_problem()
    if problem:
        refuse(problem, EXIT_USAGE if "needs" in problem else EXIT_FAILED)
    opens_history = not no_save or continue_ or cid is not None
    if opens_history and (problem := db_directory_problem(settings)):
        refuse(problem)

    if models:
        from glm_tui.ask_compare import run_compare

        sys.exit(
            run_compare(
                settings,
                prompt,
                models,
                continue_latest=continue_,
                conversation_id=cid,
                reasoning=reasoning,
                as_json=as_json,
                save=not no_save,
                yes=yes,
                tools=not no_tools,
            )
        )
    code = run_ask(
        settings,
        prompt,
        continue_latest=continue_,
        conversation_id=cid,
        reasoning=reasoning,
        as_json=as_json,
        save=not no_save,
        yes=yes,
        tools=not no_tools,
        attachments=attachments,
    )
    sys.exit(code)


# -- tools --------------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_context
def tools(ctx: click.Context, as_json: bool) -> None:
    """Every tool the model can be offered, its source and approval policy; failed servers."""
    from glm_tui.tools.listing import list_tools

    settings = settings_from(ctx)
    data = list_tools(settings)
    if as_json:
        echo_json(data)
        return
    rows = [(t["name"], t["source"], t["policy"]) for t in data["tools"]]
    if rows:
        width = max(len(name) for name, _, _ in rows)
        source_width = max(len(source) for _, source, _ in rows)
        for name, source, policy in rows:
            click.echo(f"{one_line(name):<{width}}  {one_line(source):<{source_width}}  {policy}")
    else:
        click.echo(
            f"no tools: enable built-in ones with tools = [...] in {settings.config_path},"
            f" or add MCP servers to {data['mcp_json']}",
            err=True,
        )
    if data["web_search"]:
        click.echo("web_search (Z.ai's own search, on Z.ai's side)")
    for server in data["servers"]:
        if server["error"]:
            click.echo(f"failed: {one_line(server['error'])}")
        elif server["state"] == "disabled":
            click.echo(f"disabled: MCP server {one_line(server['name'])}")
    if data["config_error"]:
        click.echo(f"failed: {one_line(data['config_error'])}")


# -- models and money ---------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: every field read.")
@click.option("--refresh", is_flag=True, help="Ask the provider now, not the day-old cache.")
@global_options
@click.pass_context
def models(ctx: click.Context, as_json: bool, refresh: bool) -> None:
    """The provider's models, chat models first (cached a day; offline: the cache)."""
    from glm_tui.cli_money import run_models

    sys.exit(run_models(settings_from(ctx), as_json=as_json, refresh=refresh))


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-01-31, got {value!r}") from None


@cli.command()
@click.option("--since", callback=_date, metavar="DATE", help="From this day (default: 30 days).")
@click.option(
    "--by",
    type=click.Choice(["day", "model", "conversation"]),
    default="day",
    show_default=True,
    help="One line per day, model or conversation.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_context
def usage(ctx: click.Context, since: Any, by: str, as_json: bool) -> None:
    """Tokens, credits and US$ the replies cost, and the month's budget."""
    from glm_tui.cli_money import run_usage

    settings = settings_from(ctx)
    with open_store(settings) as store:
        code = run_usage(store, by=by, since=since, as_json=as_json, budget_usd=settings.budget_usd)
    sys.exit(code)


# -- reading the history ------------------------------------------------------------------------


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N conversations.")
@click.option("--tag", "tag_name", default=None, help="Only those with this tag.")
@global_options
@click.pass_context
def list_(ctx: click.Context, as_json: bool, limit: int | None, tag_name: str | None) -> None:
    """Conversations: pinned ones first (marked *), then the most recently updated."""
    from glm_tui.cli_organize import tags_text

    settings = settings_from(ctx)
    with open_store(settings) as store:
        try:
            rows = store.list_conversations(limit=limit, tag=tag_name)
        except ValueError as exc:
            fail(f"--tag: {exc}", EXIT_USAGE)
    if as_json:
        echo_json([row.to_json() for row in rows])
        return
    for row in rows:
        when = row.updated_at[:16].replace("T", " ")
        line = f"{row.id:>6} {'*' if row.pinned else ' '} {when}  {row.message_count:>4} msgs"
        tags = f"  {tags_text(row.tags)}" if row.tags else ""
        click.echo(f"{line}  {one_line(row.title)}{tags}")


@cli.command()
@click.argument("conversation_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "whole_tree", is_flag=True, help="Every branch, not only the current one.")
@global_options
@click.pass_context
def show(ctx: click.Context, conversation_id: int, as_json: bool, whole_tree: bool) -> None:
    """One conversation: its current branch (--all: every branch, as a tree)."""
    settings = settings_from(ctx)
    with open_store(settings) as store:
        conversation = store.get_conversation(conversation_id)
        if whole_tree:
            messages = store.all_messages(conversation_id)
        else:
            messages = store.current_path(conversation_id)
        if as_json:
            echo_json(conversation.to_json(messages))
        elif whole_tree:
            # Each line of the tree holds one message's text: cleaned line by line, an escape
            # code cut short at the end of one cannot swallow the next.
            outline = store.outline(conversation_id).splitlines(keepends=True)
            click.echo("".join(strip_controls(line) for line in outline), nl=False)
        else:
            click.echo(store.export_markdown(conversation_id), nl=False)


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=20, help="At most N results.")
@global_options
@click.pass_context
def search(ctx: click.Context, query: str, as_json: bool, limit: int) -> None:
    """Full-text search over all messages, reasoning included."""
    settings = settings_from(ctx)
    with open_store(settings) as store:
        hits = store.search(query, limit=limit)
    if as_json:
        echo_json([hit.to_json() for hit in hits])
        return
    if not hits:
        click.echo(f"no messages match {query}", err=True)
    for hit in hits:
        title, snippet = one_line(hit.title), one_line(hit.snippet)
        click.echo(f"{hit.conversation_id:>6}  {title}  [{hit.role}]  {snippet}")


@cli.command()
@click.argument("conversation_id", type=int, required=False)
@click.option("--all", "everything", is_flag=True, help="Every conversation.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@global_options
@click.pass_context
def export(
    ctx: click.Context,
    conversation_id: int | None,
    everything: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Export a conversation (or --all) as Markdown or JSON."""
    if everything == (conversation_id is not None):
        fail("give a conversation id or --all", EXIT_USAGE)
    settings = settings_from(ctx)
    with open_store(settings) as store:
        if fmt == "json":
            data = store.export_all() if everything else store.export_conversation(conversation_id)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            ids = [c.id for c in store.list_conversations()] if everything else [conversation_id]
            text = "\n---\n\n".join(store.export_markdown(i) for i in ids)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    click.echo(f"exported to {output}", err=True)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@global_options
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Import a JSON export."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read it ({exc})")
    except json.JSONDecodeError as exc:
        fail(f"{file}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    settings = settings_from(ctx)
    with open_store(settings) as store:
        ids = store.import_data(data)
    click.echo(f"imported {len(ids)} conversation(s): {', '.join(map(str, ids))}")


@cli.command()
@click.argument("conversation_id", type=int)
@global_options
@click.pass_context
def rm(ctx: click.Context, conversation_id: int) -> None:
    """Delete a conversation."""
    settings = settings_from(ctx)
    with open_store(settings) as store:
        title = store.get_conversation(conversation_id).title
        store.delete_conversation(conversation_id)
    click.echo(f"deleted conversation {conversation_id}: {title}")


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_context
def config_(ctx: click.Context, as_json: bool) -> None:
    """Print the effective settings (key redacted) and where each came from."""
    settings = settings_from(ctx)
    rows: list[tuple[str, Any, str]] = [
        ("provider", settings.provider, settings.sources["provider"]),
        ("base_url", settings.effective_base_url, settings.sources["base_url"]),
        ("model", settings.effective_model, settings.sources["model"]),
        ("api_key", redact(settings.api_key), settings.sources["api_key"]),
        ("thinking", settings.thinking, settings.sources["thinking"]),
        ("temperature", settings.temperature, settings.sources["temperature"]),
        ("top_p", settings.top_p, settings.sources["top_p"]),
        ("max_tokens", settings.max_tokens, settings.sources["max_tokens"]),
        ("system_prompt", settings.system_prompt, settings.sources["system_prompt"]),
        ("theme", settings.theme, settings.sources["theme"]),
        ("read_timeout", settings.read_timeout, settings.sources["read_timeout"]),
        ("max_prose_width", settings.max_prose_width, settings.sources["max_prose_width"]),
        ("tools", list(settings.tools), settings.sources["tools"]),
        ("always_allow", list(settings.always_allow), settings.sources["always_allow"]),
        ("tool_rounds", settings.tool_rounds, settings.sources["tool_rounds"]),
        ("tool_timeout", settings.tool_timeout, settings.sources["tool_timeout"]),
        ("web_search", settings.web_search, settings.sources["web_search"]),
        ("vision_model", settings.vision_model, settings.sources["vision_model"]),
        ("context_window", settings.context_window, settings.sources["context_window"]),
        ("budget_usd", settings.budget_usd, settings.sources["budget_usd"]),
        ("auto_title", settings.auto_title, settings.sources["auto_title"]),
        ("keymap", settings.keymap, settings.sources["keymap"]),
        ("keys", dict(settings.key_overrides), settings.sources["key_overrides"]),
        ("db", str(settings.db_path), settings.sources["db_path"]),
        ("config", str(settings.config_path), settings.sources["config_path"]),
    ]
    for problem in settings.key_problems:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        echo_json({name: {"value": value, "source": src} for name, value, src in rows})
        return
    width = max(len(name) for name, _, _ in rows)
    for name, value, src in rows:
        shown = "(not set)" if value is None else value
        if name in ("thinking",) and value is None:
            shown = "(server default: on)"
        click.echo(f"{name:<{width}}  {shown}  [{src}]")


def _organising_commands() -> None:
    # Defined in their own module (which imports this one's helpers).
    from glm_tui.cli_organize import pin, tag

    cli.add_command(pin)
    cli.add_command(tag)
    from glm_tui.cli_serve import serve

    cli.add_command(serve)


_organising_commands()
