"""The provider's model list, kept on disk with its ETag.

One JSON file per list URL in the cache directory (``platformdirs.user_cache_path``), holding
the list as the server sent it, so that a newer glm-tui reads more out of an old file. The list
is asked for again at most once a day (``REFRESH_AFTER``), or on demand; the server answers
``304 Not Modified`` when it has not changed. Offline, or when the server fails, the cached list
is used and says how old it is. The demo provider has a list of its own and never goes out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs

from glm_tui.api.model_fetch import fetch_model_list
from glm_tui.api.models import ModelInfo, ModelListError, models_url, parse_models
from glm_tui.config import APP_NAME, DEMO_MODEL, Settings
from glm_tui.records import record

REFRESH_AFTER = 24 * 3600.0
"""Seconds a list is trusted before it is asked for again."""
CACHE_VERSION = 1

DEMO_MODELS = (
    ModelInfo(
        DEMO_MODEL,
        name="GLM-4.7 demo (offline)",
        developer="glm-tui",
        type="chat-completion",
        chat=True,
        context_length=200_000,
        output_limit=131_072,
        vision=False,
        tools=True,
    ),
)


def default_cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME)


@record(slots=False)
class ModelList:
    """The models (chat models first) and how fresh the list is."""

    models: tuple[ModelInfo, ...]
    url: str
    fetched_at: float | None = None
    """When the server last sent the list (epoch seconds)."""
    checked_at: float | None = None
    """When the server last confirmed it (sent it, or said it had not changed)."""
    from_cache: bool = False
    """The server was not asked this time, or could not answer."""
    problem: str | None = None
    """Why the server could not be asked (offline...): the list is the cached one."""

    def age(self, now: float) -> float | None:
        """Seconds since the server last confirmed the list."""
        return None if self.checked_at is None else max(0.0, now - self.checked_at)

    def age_text(self, now: float) -> str:
        """'fetched 3 hours ago', '' for a list just fetched or built in."""
        age = self.age(now)
        if age is None or not self.from_cache:
            return ""
        return f"fetched {ago(age)}"

    def note(self, now: float) -> str:
        """One line on where the list comes from when it is not fresh, '' when it is."""
        if self.problem:
            return f"offline: the list {self.age_text(now) or 'cached'} ({self.problem})"
        return ""

    def find(self, model_id: str) -> ModelInfo | None:
        return next((m for m in self.models if m.answers_to(model_id)), None)


def ago(seconds: float) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


class ModelCatalog:
    """The model list of one provider / base URL: cached, refreshed once a day or on demand."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
        transport: Any = None,
    ) -> None:
        self.settings = settings
        self.url = models_url(settings.effective_base_url or "", settings.provider)
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.clock = clock
        self.transport = transport
        """An httpx transport (tests, the demo); None: the network."""

    @property
    def path(self) -> Path:
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:16]
        return self.cache_dir / "models" / f"{self.settings.provider}-{digest}.json"

    def cached(self) -> ModelList | None:
        """The list on disk, as it was; None if there is none (or it cannot be read)."""
        if self.settings.is_demo:
            return self._demo()
        record = self._read()
        if record is None:
            return None
        try:
            models = parse_models(record["body"])
        except ModelListError:
            return None
        return ModelList(
            tuple(models),
            self.url,
            fetched_at=_float(record.get("fetched_at")),
            checked_at=_float(record.get("checked_at")),
            from_cache=True,
        )

    def is_due(self) -> bool:
        """No list, or one the server has not confirmed for a day."""
        if self.settings.is_demo:
            return False
        cached = self.cached()
        age = cached.age(self.clock()) if cached is not None else None
        return age is None or age >= REFRESH_AFTER

    async def load(self, *, refresh: bool = False) -> ModelList:
        """The list: the cached one while it is less than a day old (unless ``refresh``),
        else the server's (``304``: the cached one, confirmed). When the server cannot be
        asked, the cached list with ``problem`` set; ModelListError when there is none."""
        if self.settings.is_demo:
            return self._demo()
        record = self._read()
        cached = self.cached() if record is not None else None
        if cached is not None and not refresh and not self.is_due():
            return cached
        etag = record.get("etag") if record is not None and cached is not None else None
        try:
            fetched = await fetch_model_list(
                self.url,
                api_key=self.settings.api_key,
                etag=etag if isinstance(etag, str) else None,
                transport=self.transport,
            )
            now = self.clock()
            if fetched.not_modified:
                if cached is None or record is None:
                    raise ModelListError(f"{self.url} answered 304 Not Modified to no list")
                record["checked_at"] = now
                record["etag"] = fetched.etag
                self._write(record)
                return replace(cached, checked_at=now, from_cache=False)
            models = parse_models(fetched.body)
        except ModelListError as exc:
            if cached is None:
                raise
            return replace(cached, problem=str(exc))
        self._write(
            {
                "version": CACHE_VERSION,
                "url": self.url,
                "etag": fetched.etag,
                "fetched_at": now,
                "checked_at": now,
                "body": fetched.body,
            }
        )
        return ModelList(tuple(models), self.url, fetched_at=now, checked_at=now)

    # -- the file -------------------------------------------------------------------------------

    def _demo(self) -> ModelList:
        return ModelList(DEMO_MODELS, self.url)

    def _read(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(record, dict) or record.get("url") != self.url or "body" not in record:
            return None
        return record

    def _write(self, record: dict[str, Any]) -> None:
        """Atomically; a cache that cannot be written only means asking again next time."""
        path = self.path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
