"""Settings: built-in defaults < config.toml < environment < command-line flags.

Nothing here imports Textual or httpx, so the scripting commands start fast.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "glm-tui"


class ConfigError(Exception):
    """A setting is wrong; the message is one line for the user (it names the file if any)."""


@dataclass(frozen=True)
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


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "history.db"


@dataclass(frozen=True)
class Settings:
    """The effective settings of one run. ``sources`` says where each value came from."""

    provider: str = "aimlapi"
    """Which API to talk to: ``aimlapi`` (default), ``zai``, ``openai`` or ``demo``."""
    base_url: str | None = None
    """The API's base URL; None means the provider's own."""
    model: str | None = None
    """The model id; None means the provider's default model."""
    api_key: str | None = field(default=None, repr=False)
    """The API key (from the environment or the config file); never printed in full."""
    thinking: bool | None = None
    """Ask the model to think first; None leaves it to the server (GLM-4.7 thinks by default)."""
    temperature: float | None = None
    """Sampling temperature; None leaves the server's default."""
    top_p: float | None = None
    """Nucleus sampling; None leaves the server's default."""
    max_tokens: int | None = None
    """Upper bound on the reply's tokens (reasoning included); None leaves the server's default."""
    system_prompt: str | None = None
    """The system prompt given to new conversations."""
    theme: str = "glm-dark"
    """The TUI's colour theme (a bundled one or one in ``<config dir>/themes``)."""
    read_timeout: float = 120.0
    """Seconds without a byte from the server before the reply counts as timed out."""
    max_prose_width: int = 100
    """The TUI's widest line of prose in a reply, in columns (code and tables use the whole
    pane); 0: no limit."""
    tools: tuple[str, ...] = ()
    """The built-in tools the model may be offered (read_file, list_directory, search_files,
    fetch_url); none by default."""
    always_allow: tuple[str, ...] = ()
    """Built-in tools whose calls run without asking (MCP tools: alwaysAllow in mcp.json)."""
    tool_rounds: int = 25
    """Rounds of tool calls one turn may make before it stops."""
    tool_timeout: float = 60.0
    """Seconds one tool call may run before it is cancelled (the model is told)."""
    web_search: bool = False
    """Offer Z.ai's own web_search tool (the zai provider only)."""
    vision_model: str | None = None
    """Where a turn with an image goes (GLM-4.7 reads text only); None: the provider's own
    (``z-ai/glm-4.6v`` on the AI/ML API, ``glm-4.6v`` on Z.ai; other providers have none)."""
    context_window: int | None = None
    """The model's window in tokens; None: known models' own (200K for GLM-4.7), else 128K."""
    budget_usd: float | None = None
    """A monthly budget in US$: the status line warns past 80 % of it, and past 100 % the TUI
    asks before each send; None or 0: no budget."""
    auto_title: bool = True
    """After a conversation's first reply, ask the model for a short title (in the background,
    thinking off); a title you gave is never replaced."""
    keymap: str = "default"
    """``vi`` adds j / k / g / G / slash to the message pane and the sidebar."""
    key_overrides: Mapping[str, str] = field(default_factory=dict, hash=False)
    """``[keys]`` of config.toml, checked: action name (key_actions.py) -> its keys, comma
    separated as Textual's Binding takes them ("" for none)."""
    key_problems: tuple[str, ...] = ()
    """One line per ``[keys]`` entry (or ``keymap``) left out, naming it: tell the user."""
    db_path: Path = field(default_factory=default_db_path)
    """Where the history database lives."""
    config_path: Path = field(default_factory=default_config_path)
    """The config file that was read (it may not exist)."""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def provider_info(self) -> Provider:
        return PROVIDERS[self.provider]

    @property
    def effective_base_url(self) -> str | None:
        return self.base_url or self.provider_info.base_url

    @property
    def effective_model(self) -> str | None:
        return self.model or self.provider_info.default_model

    @property
    def is_demo(self) -> bool:
        return self.provider == "demo"

    @property
    def model_label(self) -> str:
        """The model name as shown to people (the demo model says so)."""
        if self.is_demo:
            return "GLM-4.7 demo (offline)"
        return self.effective_model or "?"

    @property
    def redacted_key(self) -> str | None:
        return redact(self.api_key)

    def request_problem(self) -> str | None:
        """Why no request can be sent with these settings, or None when one can."""
        if self.is_demo:
            return None
        if not self.effective_base_url:
            return f"the {self.provider} provider needs a base URL (--base-url or GLM_TUI_BASE_URL)"
        if not self.effective_model:
            return f"the {self.provider} provider needs a model (--model or GLM_TUI_MODEL)"
        if not self.api_key:
            return (
                f"no API key: set {key_env_names(self.provider)} or api_key in {self.config_path}"
            )
        return None

    def with_values(self, **changes: Any) -> Settings:
        sources = dict(self.sources)
        for name in changes:
            sources[name] = "changed in this session"
        return replace(self, sources=sources, **changes)


def redact(key: str | None) -> str | None:
    """At most the last 4 characters of a key."""
    if not key:
        return None
    return "…" + key[-4:] if len(key) > 8 else "…"


def key_env_names(provider: str) -> str:
    own = PROVIDERS[provider].key_env if provider in PROVIDERS else None
    return f"{GENERIC_KEY_ENV} or {own}" if own else GENERIC_KEY_ENV


# -- parsing and validation ------------------------------------------------------------------

_FILE_KEYS = {
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
_KEY_TABLE = "keys"
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


def _as_str(value: object, name: str) -> str:
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
        text = _as_str(value, name).strip().lower()
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
        text = _as_str(value, name).strip().rstrip("/")
        if not text.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {text!r}")
        return text
    if name in {"db", "db_path"}:
        return Path(_as_str(value, name)).expanduser()
    text = _as_str(value, name)
    if name in {"model", "theme", "api_key", "vision_model"}:
        text = text.strip()
        if not text:
            raise ConfigError(f"{name} must not be empty")
    return text


def read_toml(
    path: Path, kind: str, error: type[Exception], *, missing_ok: bool = False
) -> dict[str, Any]:
    """A TOML file's table; ``error`` with one line naming the file when it cannot be read.

    Shared by the config file and the theme files. A missing file is {} when ``missing_ok``.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise error(f"{path}: cannot read the {kind} file (No such file or directory)") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {kind} file ({exc.strerror})") from None
    import tomllib  # here: most runs of `ask` and the others have no file to read

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: the {kind} file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's settings, checked; {} when it does not exist."""
    data = read_toml(path, "config", ConfigError, missing_ok=True)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _FILE_KEYS:
            raise ConfigError(
                f"{path}: unknown setting {key!r} (known: {', '.join(sorted(_FILE_KEYS))})"
            )
        if key in ("keymap", _KEY_TABLE):
            values[key] = value  # checked by key_config: a wrong key is reported, not fatal
            continue
        try:
            values["db_path" if key == "db" else key] = normalise(key, value)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return values


_ENV_SETTINGS = {
    "GLM_TUI_PROVIDER": "provider",
    "GLM_TUI_BASE_URL": "base_url",
    "GLM_TUI_MODEL": "model",
    "GLM_TUI_DB": "db_path",
    "GLM_TUI_THEME": "theme",
}


def load_settings(
    flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting: flag > environment > config file > default.

    ``flags`` holds only the options given on the command line (None values are ignored);
    ``config_path`` and ``demo`` are accepted there too.
    """
    env = os.environ if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    if "config_path" in flags:
        config_path, config_src = Path(flags["config_path"]).expanduser(), "flag --config"
    elif env.get("GLM_TUI_CONFIG"):
        config_path, config_src = Path(env["GLM_TUI_CONFIG"]).expanduser(), "env GLM_TUI_CONFIG"
    else:
        config_path, config_src = default_config_path(), "default"
    values["config_path"], sources["config_path"] = config_path, config_src

    for name, value in read_config_file(config_path).items():
        values[name], sources[name] = value, f"config file {config_path}"
    if _KEY_TABLE in values or "keymap" in values:
        from glm_tui.key_config import read_key_config

        keys = read_key_config(values.pop(_KEY_TABLE, None), values.pop("keymap", None),
                               path=config_path)  # fmt: skip
        values.update(
            keymap=keys.keymap, key_overrides=dict(keys.overrides), key_problems=keys.problems
        )
        sources.pop(_KEY_TABLE, None)
        sources["key_overrides"] = sources["key_problems"] = f"config file {config_path}"

    for var, name in _ENV_SETTINGS.items():
        if env.get(var):
            try:
                values[name] = normalise(name, env[var])
            except ConfigError as exc:
                raise ConfigError(f"environment variable {var}: {exc}") from None
            sources[name] = f"env {var}"

    for name, value in flags.items():
        if name in {"config_path", "demo"}:
            continue
        try:
            values[name] = normalise(name, value)
        except ConfigError as exc:
            raise ConfigError(f"--{name.replace('_', '-')}: {exc}") from None
        sources[name] = f"flag --{name.replace('_', '-').replace('db-path', 'db')}"

    if flags.get("demo"):
        values["provider"], sources["provider"] = "demo", "flag --demo"

    provider = values.get("provider", "aimlapi")
    own_env = PROVIDERS[provider].key_env
    for var in (GENERIC_KEY_ENV, own_env or ""):
        if var and env.get(var, "").strip():
            values["api_key"], sources["api_key"] = env[var].strip(), f"env {var}"
            break

    for f in fields(Settings):
        if f.name != "sources":
            sources.setdefault(f.name, "default")
    return Settings(**values, sources=sources)


# -- writing ---------------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    escaped = "".join(c if c >= " " or c in "\\" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else _toml_value(name)


def save_config(path: Path, updates: Mapping[str, Any]) -> None:
    """Merge ``updates`` into the config file, atomically and readable by the owner only.

    A None value removes the key. Values are checked first, so nothing is half-written.
    """
    current = read_config_file(path)
    if "db_path" in current:
        current["db"] = current.pop("db_path")
    for key, value in updates.items():
        key = "db" if key == "db_path" else key
        if key not in _FILE_KEYS:
            raise ConfigError(f"unknown setting {key!r}")
        if value is None:
            current.pop(key, None)
        elif key == _KEY_TABLE:
            if not isinstance(value, Mapping):
                raise ConfigError("keys must be a table of action = key")
            current[key] = dict(value)
        elif key == "keymap":
            current[key] = _as_str(value, key)
        else:
            current[key] = normalise(key, value)
    table = current.pop(_KEY_TABLE, None)
    text = "# glm-tui settings (written by glm-tui; safe to edit)\n" + "".join(
        f"{key} = {_toml_value(value)}\n" for key, value in current.items()
    )
    if isinstance(table, Mapping):
        # Kept as written, wrong entries too: the user fixes them, glm-tui does not drop them.
        text += f"\n[{_KEY_TABLE}]\n" + "".join(
            f"{_toml_key(str(name))} = {_toml_value(value)}\n" for name, value in table.items()
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # here: only `config set` and the settings screen write

    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def config_permission_warning(settings: Settings) -> str | None:
    """A warning when the config file holds a key and others can read it (also when the key in
    use comes from the environment: the one in the file is exposed all the same)."""
    path = settings.config_path
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    if not settings.sources.get("api_key", "").startswith("config file"):
        try:
            if "api_key" not in read_config_file(path):
                return None
        except ConfigError:
            return None
    return f"{path} holds an API key and other users can read it: run chmod 600 {path}"
