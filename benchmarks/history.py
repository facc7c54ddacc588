"""The large history the benchmarks share: 10,000 conversations / 200,000 messages (a third of
them in Chinese), plus one conversation of 2,000 messages, in English, that is the most recently
updated.

Built once through the store's own code (seed.py) and kept in a cache folder, since seeding
takes a while; ``--fresh`` rebuilds it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import _common  # noqa: F401 - puts the checkout on sys.path
import seed

from glm_tui.store import EXPORT_FORMAT, EXPORT_VERSION, Store

CACHE = Path(os.environ.get("GLM_TUI_BENCH_CACHE", Path(tempfile.gettempdir()) / "glm-tui-bench"))
LONG_MESSAGES = 2_000


def big_history(fresh: bool = False) -> tuple[Path, int, str]:
    """(database path, id of the 2,000-message conversation, its title)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # Named after what seed.py writes: a history cached by an older seed.py is not reused.
    path = CACHE / "history-10k-zh.db"
    if fresh or not path.exists():
        seed.main(["--db", str(path), "--conversations", "10000", "--messages", "20", "--force"])
        gen = seed.Generator(7)
        long = gen.conversation(
            0, LONG_MESSAGES, datetime(2025, 7, 1, tzinfo=UTC), language=seed.ENGLISH
        )
        long["title"] = "Benchmark: the long conversation"
        with Store.open(path) as store:
            store.import_data(
                {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "conversations": [long]}
            )
    with Store.open(path) as store:
        newest = store.list_conversations(limit=1)[0]
    return path, newest.id, newest.title


def empty_history() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "history-empty.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Store.open(path).close()
    return path
