"""The ``glm-tui`` command: the TUI by default, and the scripting subcommands.

This module holds the group and ``ask``, ``tools``, ``models``, ``usage``, ``config``; the
history's commands are in cli_history.py, ``pin`` and ``tag`` in cli_organize.py, the helpers
they share in cli_common.py.

Textual is imported only when the TUI starts, so ``ask``, ``list``, ``show`` and ``search``
start fast.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from glm_tui import __version__
from glm_tui.cli_common import (
    EXIT_FAILED,
    EXIT_USAGE,
    echo_json,
    fail,
    global_options,
    one_line,
    open_store,
    settings_from,
)
from glm_tui.cli_history import export, import_, list_, rm, search, show
from glm_tui.cli_organize import pin, tag
from glm_tui.config import redact
from glm_tui.global_options import db_directory_problem
from glm_tui.startup import start_tui

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


for _command in (list_, show, search, export, import_, rm, pin, tag):
    cli.add_command(_command)
