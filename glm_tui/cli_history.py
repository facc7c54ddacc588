"""``glm-tui list``, ``show``, ``search``, ``export``, ``import`` and ``rm``: the history from
scripts.

Registered on the ``glm-tui`` group by cli.py. Each opens the store for the one command
(cli_common.open_store), so an error is one ``error:`` line and the database is closed again.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from glm_tui.cli_common import (
    EXIT_USAGE,
    echo_json,
    fail,
    global_options,
    one_line,
    open_store,
    settings_from,
)
from glm_tui.cli_organize import tags_text
from glm_tui.terminal_text import strip_controls


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N conversations.")
@click.option("--tag", "tag_name", default=None, help="Only those with this tag.")
@global_options
@click.pass_context
def list_(ctx: click.Context, as_json: bool, limit: int | None, tag_name: str | None) -> None:
    """Conversations: pinned ones first (marked *), then the most recently updated."""
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command("import")
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


@click.command()
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
