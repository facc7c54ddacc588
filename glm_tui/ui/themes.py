"""Colour themes as TOML files: the bundled ``themes/`` plus ``<config dir>/themes/*.toml``.

A theme file describes one ``textual.theme.Theme``. Broken files are reported and skipped, never
fatal: the app says which file is wrong and carries on with the default theme.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

from glm_tui.config import ConfigError, Settings, read_toml, save_config
from glm_tui.ui.textual_private import choose_theme

DEFAULT_THEME = "glm-dark"

COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
REQUIRED_KEYS = ("name", "primary")
FRACTION_KEYS = ("luminosity_spread", "text_alpha")
KNOWN_KEYS = {"name", "dark", "variables", *COLOUR_KEYS, *FRACTION_KEYS}

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_ALPHA_SUFFIX = re.compile(r"\s+\d{1,3}(\.\d+)?%$")
_KEYWORD_COLOURS = {"auto", "transparent", "initial", "inherit"}


class ThemeError(Exception):
    """A theme file is wrong; the message is one line that names the file."""


def bundled_themes_dir() -> Path | None:
    """The bundled themes: inside an installed wheel, or at the root of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "themes", package.parent / "themes"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def user_themes_dir(settings: Settings) -> Path:
    return settings.config_path.parent / "themes"


def _theme_variables() -> frozenset[str]:
    return frozenset(ColorSystem(primary="#000000").generate())


THEME_VARIABLES = _theme_variables()
"""Textual's named variables, which a theme's ``[variables]`` table may override."""


def _check_colour(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{where} must be a colour in quotes, got {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{where} is not a colour: {value!r}") from None
    return value


def _check_variable(name: object, value: object) -> tuple[str, str]:
    if not isinstance(name, str) or name not in THEME_VARIABLES:
        raise ThemeError(f"unknown variable {name!r} in [variables]")
    where = f"variables.{name}"
    if not isinstance(value, str) or not value.strip():
        raise ThemeError(f"{where} must be text in quotes, got {value!r}")
    value = value.strip()
    if name.endswith("style"):
        words = value.split()
        if not words or any(word not in VALID_STYLE_FLAGS for word in words):
            raise ThemeError(
                f"{where} must be text styles ({', '.join(sorted(VALID_STYLE_FLAGS))}), "
                f"got {value!r}"
            )
        return name, value
    colour = _ALPHA_SUFFIX.sub("", value)
    if colour in _KEYWORD_COLOURS or colour.startswith("ansi_"):
        return name, value
    if colour.startswith("$"):
        if colour[1:] not in THEME_VARIABLES:
            raise ThemeError(f"{where} refers to an unknown variable {colour!r}")
        return name, value
    _check_colour(colour, where)
    return name, value


def theme_from_data(data: dict[str, Any]) -> Theme:
    """A Theme from a parsed TOML table; ThemeError (without the file name) when wrong."""
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ThemeError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise ThemeError(f"{key!r} is missing")
    name = data["name"]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ThemeError(
            f"name must be 1-40 letters, digits, '-' or '_' (starting with a letter or digit), "
            f"got {name!r}"
        )
    values: dict[str, Any] = {"name": name}
    for key in COLOUR_KEYS:
        if key in data:
            values[key] = _check_colour(data[key], key)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"dark must be true or false, got {dark!r}")
    values["dark"] = dark
    for key in FRACTION_KEYS:
        if key in data:
            number = data[key]
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise ThemeError(f"{key} must be a number, got {number!r}")
            if not 0.0 <= number <= 1.0:
                raise ThemeError(f"{key} must be between 0 and 1, got {number!r}")
            values[key] = float(number)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError("variables must be a table ([variables])")
    values["variables"] = dict(_check_variable(k, v) for k, v in variables.items())
    return Theme(**values)


def load_theme_file(path: Path) -> Theme:
    """One theme file; ThemeError naming the file when it cannot be used."""
    data = read_toml(path, "theme", ThemeError)
    try:
        return theme_from_data(data)
    except ThemeError as exc:
        raise ThemeError(f"{path}: {exc}") from None


def _theme_files(directory: Path | None) -> list[Path]:
    if directory is None:
        return []
    try:
        return sorted(p for p in directory.glob("*.toml") if p.is_file())
    except OSError:
        return []


def load_themes(user_dir: Path | None) -> tuple[list[Theme], list[str]]:
    """The bundled themes, then the user's (a user theme replaces a bundled one of its name).

    Returns the themes that loaded and one message per file that did not.
    """
    themes: list[Theme] = []
    errors: list[str] = []
    for path in [*_theme_files(bundled_themes_dir()), *_theme_files(user_dir)]:
        try:
            themes.append(load_theme_file(path))
        except ThemeError as exc:
            errors.append(str(exc))
    return themes, errors


# -- the app's side ------------------------------------------------------------------------


ThemeProblem = tuple[str, str]
"""(title, message) of a notification about the themes."""


def setup_themes(app: App[Any], settings: Settings) -> list[ThemeProblem]:
    """Register every theme and switch to ``settings.theme``, before the app runs.

    Call it from the app's ``__init__``: the stylesheet is then parsed once, with the theme's
    colours. Returns what to tell the user, for :func:`report_problems`.
    """
    themes, errors = load_themes(user_themes_dir(settings))
    for theme in themes:
        app.register_theme(theme)
    problems = [("Theme skipped", error) for error in errors]
    name = settings.theme
    if name not in app.available_themes:
        name = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else "textual-dark"
        problems.append(
            (
                "Theme",
                f"Unknown theme {settings.theme!r} (from "
                f"{settings.sources.get('theme', 'the settings')}): using {name}.",
            )
        )
    choose_theme(app, name)
    return problems


def report_problems(app: App[Any], problems: list[ThemeProblem]) -> None:
    """Once the app runs: say what went wrong with the theme files."""
    for title, message in problems:
        app.notify(message, title=title, severity="warning", markup=False, timeout=10)


def remember_theme(settings: Settings, name: str) -> tuple[Settings, str | None]:
    """Save a theme chosen in the app (the command palette, the settings) to config.toml: the
    settings with it, and what to say if it could not be saved."""
    if name == settings.theme:
        return settings, None
    try:
        save_config(settings.config_path, {"theme": name})
    except (OSError, ConfigError) as exc:
        problem = f"The theme is used now but could not be saved to {settings.config_path}: {exc}"
        return settings.with_values(theme=name), problem
    return settings.with_values(theme=name), None
