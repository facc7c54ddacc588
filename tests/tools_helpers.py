"""Settings for the session tests with tools (kept apart from test_session.py)."""

from __future__ import annotations

from pathlib import Path

from glm_tui.config import Settings


def settings_for(tmp_path: Path, base_url: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "provider": "openai",
        "base_url": base_url,
        "model": "glm-4.7",
        "api_key": "sk-test",
        "db_path": tmp_path / "h.db",
        "config_path": tmp_path / "config.toml",
        "auto_title": False,  # a request of its own: test_auto_title.py
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]
