"""The settings form's logic, without widgets: what it shows, what changed, what to apply.

Every value is checked with ``config.normalise`` before anything is written. Only the fields the
user changed are written, so a value that came from the environment or a flag is not copied
into the file by accident.
"""

from __future__ import annotations

import os
from dataclasses import field, replace
from typing import Any

from glm_tui.config import GENERIC_KEY_ENV, PROVIDERS, ConfigError, Settings, normalise
from glm_tui.records import record
from glm_tui.store import Conversation

OPTIONAL = {"base_url", "model", "temperature", "top_p", "max_tokens", "system_prompt"}
"""Settings that may be left empty: the provider's or the server's default then applies."""
CONVERSATION_FIELDS = ("conversation_model", "conversation_system_prompt")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def form_values(settings: Settings, conversation: Conversation | None) -> dict[str, Any]:
    """What the form shows for these settings (and conversation), field by field."""
    values: dict[str, Any] = {
        "provider": settings.provider,
        "base_url": _text(settings.base_url),
        "model": _text(settings.model),
        "api_key": "",
        "thinking": settings.thinking is not False,
        "web_search": settings.web_search,
        "temperature": _text(settings.temperature),
        "top_p": _text(settings.top_p),
        "max_tokens": _text(settings.max_tokens),
        "system_prompt": _text(settings.system_prompt),
        "theme": settings.theme,
        "max_prose_width": str(settings.max_prose_width),
    }
    if conversation is not None:
        values["conversation_model"] = conversation.model
        values["conversation_system_prompt"] = _text(conversation.system_prompt)
    return values


@record(frozen=False, slots=False)
class FormResult:
    settings: dict[str, Any] = field(default_factory=dict)
    """Changed settings, checked (None: remove from the file, use the default)."""
    conversation: dict[str, Any] = field(default_factory=dict)
    """Changed fields of the conversation, for ``Store.set_conversation_fields``."""
    errors: dict[str, str] = field(default_factory=dict)
    """Field name -> why its value is refused."""


def check_form(initial: dict[str, Any], current: dict[str, Any]) -> FormResult:
    """Compare the form with what it showed at first; check every changed value."""
    result = FormResult()
    for name, value in current.items():
        if value == initial.get(name):
            continue
        target = result.conversation if name in CONVERSATION_FIELDS else result.settings
        key = name.removeprefix("conversation_")
        if isinstance(value, str) and key != "system_prompt":
            value = value.strip()
        if value == "" and (key in OPTIONAL and name != "conversation_model"):
            target[key] = None
            continue
        try:
            target[key] = normalise(key, value)
        except ConfigError as exc:
            result.errors[name] = str(exc)
    return result


def _with_key_for_provider(new: Settings, old: Settings) -> Settings:
    """After a provider change, the key that provider would get at the next start."""
    sources = dict(new.sources)
    for var in (GENERIC_KEY_ENV, PROVIDERS[new.provider].key_env or ""):
        if var and os.environ.get(var, "").strip():
            sources["api_key"] = f"env {var}"
            return replace(new, api_key=os.environ[var].strip(), sources=sources)
    if old.sources.get("api_key", "").startswith("config file"):
        sources["api_key"] = old.sources["api_key"]
        return replace(new, api_key=old.api_key, sources=sources)
    sources["api_key"] = "default"
    return replace(new, api_key=None, sources=sources)


def new_settings(old: Settings, result: FormResult) -> Settings:
    """The settings to use now that ``result`` is saved (the key a new provider gets, too)."""
    if not result.settings:
        return old
    new = old.with_values(**result.settings)
    if "provider" in result.settings and "api_key" not in result.settings:
        new = _with_key_for_provider(new, old)
    return new


def saved_message(new: Settings, result: FormResult) -> tuple[str, bool]:
    """What to say once saved, and whether it is a warning (the settings still cannot send)."""
    if not result.settings and not result.conversation:
        return "Nothing changed.", False
    where = f"Saved to {new.config_path}." if result.settings else "Saved."
    problem = new.request_problem()
    if problem:
        return f"{where} Note: {problem}", True
    return where, False
