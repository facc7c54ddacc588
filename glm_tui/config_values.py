"""What each setting may be: the providers, the settings a config file may hold, and the check
and conversion of one value (``normalise``), the same whether it comes from the file, the
environment or a flag.

A new setting is a field of ``Settings`` (config.py), its name in ``FILE_KEYS`` and, unless it
is plain text, its check in ``normalise``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from glm_tui.records import record


class ConfigError(Exception):
    """A setting is wrong; the message is one line for the user (it names the file if any)."""


@record(slots=False)
class Provider:
    name: str
    base_url: str | None
    default_model: str | None
    key_env: str | None
    label: str


DEMO_MODEL = "glm-4.7-demo"

PROVIDERS: dict[str, Provider] = {
    "aimlapi": Provider(
        "aimlapi", "https://api.aimlapi.com/v1", "zhipu/glm-4.7", "AIMLAPI_API_KEY", "AI/ML API"
    ),
    "zai": Provider("zai", "https://api.z.ai/api/paas/v4", "glm-4.7", "ZAI_API_KEY", "Z.ai"),
    "openai": Provider("openai", None, None, None, "OpenAI-compatible"),
    "demo": Provider("demo", "http://demo.glm-tui.invalid/v1", DEMO_MODEL, None, "demo (offline)"),
}
GENERIC_KEY_ENV = "GLM_TUI_API_KEY"
MIN_PROSE_WIDTH = 20
BUILTIN_TOOLS = ("read_file", "list_directory", "search_files", "fetch_url")
"""The tools glm-tui ships; each is off until named in ``tools``."""


FILE_KEYS = {
    "provider",
    "base_url",
    "model",
    "api_key",
    "thinking",
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
    "theme",
    "read_timeout",
    "max_prose_width",
    "db",
    "tools",
    "always_allow",
    "tool_rounds",
    "tool_timeout",
    "web_search",
    "vision_model",
    "context_window",
    "budget_usd",
    "auto_title",
    "keymap",
    "keys",
}
KEY_TABLE = "keys"
"""A TOML table ([keys]): written after the other settings."""


def _as_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in {"1", "true", "yes", "on", "enabled"}:
            return True
        if low in {"0", "false", "no", "off", "disabled"}:
            return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def _as_float(value: object, name: str, lo: float, hi: float) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(number) or not lo <= number <= hi:
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {number:g}")
    return number


def _as_int(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    try:
        number: int = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if not lo <= number <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {number}")
    return number


def as_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text, got {value!r}")
    return value


def _as_tool_names(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str):  # "read_file, fetch_url" (an environment variable, a flag)
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a list of tool names, got {value!r}")
    unknown = [v for v in value if v not in BUILTIN_TOOLS]
    if unknown:
        raise ConfigError(
            f"{name}: no built-in tool named {unknown[0]!r} (there are {', '.join(BUILTIN_TOOLS)})"
        )
    return tuple(dict.fromkeys(value))


def normalise(name: str, value: object) -> Any:
    """Check one setting's value and convert it to its type; raise ConfigError when wrong."""
    if name == "provider":
        text = as_text(value, name).strip().lower()
        if text not in PROVIDERS:
            raise ConfigError(f"provider must be one of {', '.join(PROVIDERS)}, got {text!r}")
        return text
    if name in {"thinking", "web_search", "auto_title"}:
        return _as_bool(value, name)
    if name in {"tools", "always_allow"}:
        return _as_tool_names(value, name)
    if name == "tool_rounds":
        return _as_int(value, name, 1, 1000)
    if name == "tool_timeout":
        return _as_float(value, name, 1.0, 3600.0)
    if name == "temperature":
        return _as_float(value, name, 0.0, 2.0)
    if name == "top_p":
        return _as_float(value, name, 0.0, 1.0)
    if name == "max_tokens":
        return _as_int(value, name, 1, 131072)
    if name == "context_window":
        return _as_int(value, name, 1000, 100_000_000)
    if name == "read_timeout":
        return _as_float(value, name, 1.0, 3600.0)
    if name == "budget_usd":
        return _as_float(value, name, 0.0, 1e9)
    if name == "max_prose_width":
        width = _as_int(value, name, 0, 10000)
        if 0 < width < MIN_PROSE_WIDTH:
            raise ConfigError(
                f"{name} must be 0 (no limit) or at least {MIN_PROSE_WIDTH}, got {width}"
            )
        return width
    if name == "base_url":
        text = as_text(value, name).strip().rstrip("/")
        if not text.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {text!r}")
        return text
    if name in {"db", "db_path"}:
        return Path(as_text(value, name)).expanduser()
    text = as_text(value, name)
    if name in {"model", "theme", "api_key", "vision_model"}:
        text = text.strip()
        if not text:
            raise ConfigError(f"{name} must not be empty")
    return text
