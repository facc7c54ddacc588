"""The layers of design.md: nothing below the UI imports Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "glm_tui.config",
        "glm_tui.api",
        "glm_tui.store",
        "glm_tui.chat",
        "glm_tui.ask",
        "glm_tui.cli",
        "glm_tui.launch",
        "glm_tui.attachments",
        "glm_tui.context.compaction",
        "glm_tui.context.history",
    ],
)
def test_non_ui_modules_do_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
