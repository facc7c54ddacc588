"""Settings: built-in defaults < config.toml < environment < command-line flags.

This module is the settings' public face: ``Settings``, ``load_settings`` and the names of the
two below it, re-exported. config_values.py says what each setting may be (``normalise``);
config_file.py reads and writes config.toml. Nothing here imports Textual or httpx, so the
scripting commands start fast.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from glm_tui.config_file import read_config_file, read_toml, save_config
from glm_tui.config_values import (
    BUILTIN_TOOLS,
    DEMO_MODEL,
    GENERIC_KEY_ENV,
    KEY_TABLE,
    MIN_PROSE_WIDTH,
    PROVIDERS,
    ConfigError,
    Provider,
    normalise,
)
from glm_tui.records import record

__all__ = [
    "APP_NAME",
    "BUILTIN_TOOLS",
    "DEMO_MODEL",
    "GENERIC_KEY_ENV",
    "MIN_PROSE_WIDTH",
    "PROVIDERS",
    "ConfigError",
    "Provider",
    "Settings",
    "config_permission_warning",
    "default_config_path",
    "default_db_path",
    "key_env_names",
    "load_settings",
    "normalise",
    "read_config_file",
    "read_toml",
    "redact",
    "save_config",
]

APP_NAME = "glm-tui"


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "history.db"


@record(slots=False)
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
    if KEY_TABLE in values or "keymap" in values:
        from glm_tui.key_config import read_key_config

        keys = read_key_config(values.pop(KEY_TABLE, None), values.pop("keymap", None),
                               path=config_path)  # fmt: skip
        values.update(
            keymap=keys.keymap, key_overrides=dict(keys.overrides), key_problems=keys.problems
        )
        sources.pop(KEY_TABLE, None)
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
