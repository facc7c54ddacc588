"""Reading and writing config.toml: the file's settings checked one by one, and changes merged
into it atomically, readable by its owner only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from glm_tui.config_values import FILE_KEYS, KEY_TABLE, ConfigError, as_text, normalise


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
        if key not in FILE_KEYS:
            raise ConfigError(
                f"{path}: unknown setting {key!r} (known: {', '.join(sorted(FILE_KEYS))})"
            )
        if key in ("keymap", KEY_TABLE):
            values[key] = value  # checked by key_config: a wrong key is reported, not fatal
            continue
        try:
            values["db_path" if key == "db" else key] = normalise(key, value)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return values


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
        if key not in FILE_KEYS:
            raise ConfigError(f"unknown setting {key!r}")
        if value is None:
            current.pop(key, None)
        elif key == KEY_TABLE:
            if not isinstance(value, Mapping):
                raise ConfigError("keys must be a table of action = key")
            current[key] = dict(value)
        elif key == "keymap":
            current[key] = as_text(value, key)
        else:
            current[key] = normalise(key, value)
    table = current.pop(KEY_TABLE, None)
    text = "# glm-tui settings (written by glm-tui; safe to edit)\n" + "".join(
        f"{key} = {_toml_value(value)}\n" for key, value in current.items()
    )
    if isinstance(table, Mapping):
        # Kept as written, wrong entries too: the user fixes them, glm-tui does not drop them.
        text += f"\n[{KEY_TABLE}]\n" + "".join(
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
