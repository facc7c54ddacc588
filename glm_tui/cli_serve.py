"""``glm-tui serve``: the click command (registered on the ``glm-tui`` group by cli.py); the
server itself is serve.py."""

from __future__ import annotations

import click

from glm_tui.cli_common import fail, global_options, open_store
from glm_tui.cli_common import settings_from as _settings_from


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but this machine's own (loopback) needs a token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free one, printed).",
)
@click.option(
    "--token",
    envvar="GLM_TUI_SERVE_TOKEN",
    help="The token the browser must show (env GLM_TUI_SERVE_TOKEN); made for you when needed.",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address users open, when a proxy stands in front (https://chat.example.org).",
)
@global_options
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, token: str | None, public_url: str | None
) -> None:
    """Serve the TUI to a web browser: each tab its own glm-tui on the same history."""
    from glm_tui.serve import ServeError, ServeOptions, run_serve

    settings = _settings_from(ctx)
    with open_store(settings):
        pass  # a database that cannot open is said once here, not in every tab
    options = ServeOptions(host=host, port=port, token=token, public_url=public_url)
    try:
        run_serve(ctx.meta.get("glm_flags", {}), options)
    except ServeError as exc:
        fail(str(exc), exc.code)
    except KeyboardInterrupt:
        pass
