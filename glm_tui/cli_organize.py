"""``glm-tui pin`` and ``glm-tui tag``: organising conversations from scripts.

Registered on the ``glm-tui`` group by cli.py. ``list`` shows what they set (pinned ones first,
marked ``*``; the tags after the title) and ``list --tag NAME`` filters by tag.
"""

from __future__ import annotations

import click

from glm_tui.cli_common import EXIT_FAILED, EXIT_USAGE, fail, global_options, one_line, open_store
from glm_tui.cli_common import settings_from as _settings_from


def tags_text(tags: tuple[str, ...]) -> str:
    """The tags as ``list`` prints them after a title: ``#work #q3``."""
    return " ".join(f"#{one_line(tag)}" for tag in tags)


@click.command()
@click.argument("conversation_id", type=int)
@click.option("--off", is_flag=True, help="Unpin it.")
@global_options
@click.pass_context
def pin(ctx: click.Context, conversation_id: int, off: bool) -> None:
    """Pin a conversation: pinned ones come first in lists (--off: unpin it)."""
    settings = _settings_from(ctx)
    with open_store(settings) as store:
        store.set_pinned(conversation_id, not off)
        title = store.get_conversation(conversation_id).title
    done = "unpinned" if off else "pinned"
    click.echo(f"{done} conversation {conversation_id}: {one_line(title)}")


@click.command()
@click.argument("conversation_id", type=int)
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--remove", is_flag=True, help="Take the tags off instead.")
@global_options
@click.pass_context
def tag(ctx: click.Context, conversation_id: int, names: tuple[str, ...], remove: bool) -> None:
    """Tag a conversation (--remove: take tags off). A tag is one word, any case."""
    from glm_tui.store import clean_tag

    try:
        tags = [clean_tag(name) for name in names]
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    settings = _settings_from(ctx)
    with open_store(settings) as store:
        store.get_conversation(conversation_id)  # an unknown id is one clear error
        if remove:
            missing = [t for t in tags if not store.remove_tag(conversation_id, t)]
            if missing:
                fail(f"conversation {conversation_id} has no tag {missing[0]}", EXIT_FAILED)
        else:
            for name in tags:
                store.add_tag(conversation_id, name)
        now = tuple(store.tags_of(conversation_id))
    click.echo(f"conversation {conversation_id}: {tags_text(now) or '(no tags)'}")
