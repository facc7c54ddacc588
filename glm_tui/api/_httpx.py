"""httpx, imported without its optional command-line tool.

When rich and click are installed (they are, with Textual), ``import httpx`` also imports
``httpx._main`` and through it rich and pygments: about a third of the import time of
``glm-tui ask``, for a CLI we never call. A ``None`` in ``sys.modules`` makes that optional
import fail the way httpx expects (it then defines a stub), and is removed right after.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if sys.modules.get("httpx._main", 0) is None:
            del sys.modules["httpx._main"]
else:
    import httpx

__all__ = ["httpx"]
