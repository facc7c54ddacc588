"""What the first screen loads: the app's modules without the ones only a reply needs.

Textual's Markdown widget brings markdown-it and Pygments (some 170 modules, tens of
milliseconds at every start); an empty conversation shows no Markdown, so they are loaded with
the first reply. An import at the top of a module on the start's path brings them back
silently: this test names the chain that did.
"""

from __future__ import annotations

import subprocess
import sys

LATER = ("markdown_it", "pygments", "textual.widgets._markdown", "PIL", "pypdf", "mcp")

PROBE = f"""
import sys
import glm_tui.launch, glm_tui.ui.app
print(",".join(name for name in {LATER!r} if name in sys.modules))
"""


def test_the_app_imports_no_module_only_a_reply_or_a_tool_needs() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    loaded = [name for name in result.stdout.strip().split(",") if name]
    assert loaded == [], f"loaded at start: {loaded} (python -X importtime shows by whom)"
