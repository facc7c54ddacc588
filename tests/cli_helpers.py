"""Running the real ``glm-tui`` command as a subprocess, pointed at the fake server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.waiting import CEILING

SECRET_KEY = "sk-test-SECRETKEY-0123456789abcdef"


@dataclass
class CLI:
    """A command line bound to one temporary database and config, and to a fake server."""

    tmp: Path
    base_url: str | None = None

    @property
    def db(self) -> Path:
        return self.tmp / "history.db"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update(
            GLM_TUI_DB=str(self.db),
            GLM_TUI_CONFIG=str(self.tmp / "config.toml"),
            GLM_TUI_API_KEY=SECRET_KEY,
            PYTHONUNBUFFERED="1",
            XDG_CACHE_HOME=str(self.tmp / "cache"),  # the model list, cached per test
        )
        if self.base_url:
            env.update(
                GLM_TUI_PROVIDER="openai", GLM_TUI_BASE_URL=self.base_url, GLM_TUI_MODEL="glm-4.7"
            )
        env.update(extra)
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "glm_tui", *args]

    def run(
        self, *args: str, input: str | None = None, timeout: float = CEILING, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=self.env(**env),
            timeout=timeout,
        )

    def popen(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(**env),
        )

    def json(self, *args: str) -> Any:
        result = self.run(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def wait_until(predicate: Any, timeout: float = CEILING, interval: float = 0.02) -> None:
    """Poll a condition (state, not time) until it holds, or fail."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """Exit code as expected, one ``error:`` line, no traceback, no key."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert SECRET_KEY not in result.stderr + result.stdout
    assert SECRET_KEY[-8:] not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("error:"), result.stderr
    return lines[-1]
