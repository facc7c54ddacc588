"""``glm-tui tools``: what the model can be offered, gathered with the servers started."""

from __future__ import annotations

import asyncio
from typing import Any

from glm_tui.config import Settings
from glm_tui.tools.toolbox import Toolbox


def list_tools(settings: Settings) -> dict[str, Any]:
    """``{"tools": [{"name", "source", "policy", "description"}], "servers": [{"name",
    "state", "error", "tools"}], "web_search": bool, "config_error": str|null, "mcp_json"}``.

    The MCP servers are started (each within its start timeout), listed, and stopped.
    """

    async def gather() -> dict[str, Any]:
        toolbox = Toolbox(settings)
        try:
            toolbox.start()
            await toolbox.wait_started()
            return {
                "tools": [
                    {
                        "name": spec.name,
                        "source": spec.source,
                        "policy": toolbox.policy(spec),
                        "description": spec.description,
                    }
                    for spec in toolbox.offered()
                ],
                "servers": [
                    {
                        "name": status.name,
                        "state": status.state.value,
                        "error": status.error,
                        "tools": status.tools,
                    }
                    for status in toolbox.statuses()
                ],
                "web_search": settings.web_search and settings.provider == "zai",
                "config_error": toolbox.config_error,
                "mcp_json": str(toolbox.mcp_path),
            }
        finally:
            await toolbox.aclose()

    return asyncio.run(gather())
