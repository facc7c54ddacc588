"""Settings: precedence, validation, broken files, atomic private writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from glm_tui.config import (
    ConfigError,
    config_permission_warning,
    load_settings,
    read_config_file,
    redact,
    save_config,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    s = load_settings({"config_path": tmp_path / "none.toml"}, env={})
    assert s.provider == "aimlapi"
    assert s.effective_base_url == "https://api.aimlapi.com/v1"
    assert s.effective_model == "zhipu/glm-4.7"
    assert s.api_key is None
    assert s.thinking is None and s.temperature is None and s.max_tokens is None
    assert s.sources["provider"] == "default"
    assert s.request_problem() is not None and "AIMLAPI_API_KEY" in s.request_problem()


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'model = "from-file"\ntemperature = 0.3\nmax_tokens = 100\n')
    env = {"GLM_TUI_CONFIG": str(cfg), "GLM_TUI_MODEL": "from-env"}
    s = load_settings({"temperature": 0.9}, env=env)
    assert s.model == "from-env" and s.sources["model"] == "env GLM_TUI_MODEL"
    assert s.temperature == 0.9 and s.sources["temperature"] == "flag --temperature"
    assert s.max_tokens == 100 and s.sources["max_tokens"].startswith("config file")
    s = load_settings({"model": "from-flag"}, env=env)
    assert s.model == "from-flag" and s.sources["model"] == "flag --model"


def test_config_flag_beats_config_env(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", 'model = "a"\n')
    b = write(tmp_path / "b.toml", 'model = "b"\n')
    s = load_settings({"config_path": str(b)}, env={"GLM_TUI_CONFIG": str(a)})
    assert s.model == "b" and s.config_path == b


@pytest.mark.parametrize(
    ("provider", "var", "base", "model"),
    [
        ("aimlapi", "AIMLAPI_API_KEY", "https://api.aimlapi.com/v1", "zhipu/glm-4.7"),
        ("zai", "ZAI_API_KEY", "https://api.z.ai/api/paas/v4", "glm-4.7"),
    ],
)
def test_provider_keys_and_defaults(
    tmp_path: Path, provider: str, var: str, base: str, model: str
) -> None:
    env = {var: "sk-own-1234567890"}
    s = load_settings({"provider": provider, "config_path": tmp_path / "x.toml"}, env=env)
    assert (s.effective_base_url, s.effective_model, s.api_key) == (base, model, env[var])
    env["GLM_TUI_API_KEY"] = "sk-generic-abcdefgh"
    s = load_settings({"provider": provider, "config_path": tmp_path / "x.toml"}, env=env)
    assert s.api_key == "sk-generic-abcdefgh" and s.sources["api_key"] == "env GLM_TUI_API_KEY"
    assert s.request_problem() is None


def test_other_providers_key_is_not_used(tmp_path: Path) -> None:
    s = load_settings(
        {"provider": "zai", "config_path": tmp_path / "x.toml"}, env={"AIMLAPI_API_KEY": "k" * 20}
    )
    assert s.api_key is None


def test_openai_provider_needs_base_url_and_model(tmp_path: Path) -> None:
    env = {"GLM_TUI_API_KEY": "x" * 20}
    s = load_settings({"provider": "openai", "config_path": tmp_path / "x.toml"}, env=env)
    assert "base URL" in (s.request_problem() or "")
    s = load_settings(
        {"provider": "openai", "base_url": "http://h/v1", "config_path": tmp_path / "x.toml"},
        env=env,
    )
    assert "model" in (s.request_problem() or "")


def test_demo_needs_nothing(tmp_path: Path) -> None:
    s = load_settings({"demo": True, "config_path": tmp_path / "x.toml"}, env={})
    assert s.is_demo and s.request_problem() is None
    assert "demo" in s.model_label


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("model = \n", "invalid TOML"),
        ('temperature = "hot"\n', "temperature must be a number"),
        ("temperature = 7\n", "between 0 and 2"),
        ("max_tokens = 0\n", "max_tokens must be between"),
        ("max_tokens = 1.5\n", "whole number"),
        ('provider = "nope"\n', "provider must be one of"),
        ('colour = "red"\n', "unknown setting 'colour'"),
        ("thinking = 3\n", "thinking must be true or false"),
        ('base_url = "ftp://x"\n', "base_url must start with"),
        ("max_prose_width = 5\n", "max_prose_width must be 0 (no limit) or at least 20"),
        ("max_prose_width = -1\n", "max_prose_width must be between"),
        ('max_prose_width = "wide"\n', "max_prose_width must be a whole number"),
    ],
)
def test_broken_config_file_is_one_clear_line(tmp_path: Path, text: str, needle: str) -> None:
    cfg = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings({"config_path": cfg}, env={})
    message = str(info.value)
    assert needle in message and str(cfg) in message and "\n" not in message


def test_not_utf8_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_bytes(b'model = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_config_file(cfg)


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GLM_TUI_BASE_URL"):
        load_settings({"config_path": tmp_path / "x.toml"}, env={"GLM_TUI_BASE_URL": "nohttp"})


def test_bad_flag_value_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--top-p"):
        load_settings({"top_p": 3.0, "config_path": tmp_path / "x.toml"}, env={})


def test_save_config_is_atomic_private_and_round_trips(tmp_path: Path) -> None:
    cfg = tmp_path / "sub" / "config.toml"
    save_config(cfg, {"model": "glm-4.7", "api_key": "sk-secret-key-1234", "temperature": 0.5})
    save_config(cfg, {"system_prompt": 'Say "hi"\nthen \\ stop', "thinking": False})
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    values = read_config_file(cfg)
    assert values["model"] == "glm-4.7" and values["temperature"] == 0.5
    assert values["system_prompt"] == 'Say "hi"\nthen \\ stop' and values["thinking"] is False
    save_config(cfg, {"temperature": None})
    assert "temperature" not in read_config_file(cfg)
    assert [p.name for p in cfg.parent.iterdir()] == ["config.toml"]


def test_save_config_refuses_bad_values_and_leaves_file_alone(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    save_config(cfg, {"model": "a"})
    before = cfg.read_bytes()
    with pytest.raises(ConfigError):
        save_config(cfg, {"model": "b", "top_p": 5})
    assert cfg.read_bytes() == before


def test_permission_warning_for_readable_key_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    save_config(cfg, {"api_key": "sk-abcdefghijkl"})
    s = load_settings({"config_path": cfg}, env={})
    assert s.api_key == "sk-abcdefghijkl"
    assert config_permission_warning(s) is None
    cfg.chmod(0o644)
    warning = config_permission_warning(s)
    assert warning and "chmod 600" in warning and "abcdefghijkl" not in warning


def test_redact_shows_at_most_four_characters() -> None:
    assert redact("sk-1234567890abcd") == "…abcd"
    assert redact("short") == "…"
    assert redact(None) is None


def test_max_prose_width_from_the_file(tmp_path: Path) -> None:
    assert load_settings({"config_path": tmp_path / "none.toml"}, env={}).max_prose_width == 100
    for value in (0, 20, 140):
        cfg = write(tmp_path / "config.toml", f"max_prose_width = {value}\n")
        settings = load_settings({"config_path": cfg}, env={})
        assert settings.max_prose_width == value
        assert settings.sources["max_prose_width"].startswith("config file")
