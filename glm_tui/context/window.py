"""Models and their windows: how many tokens each takes, which see images, and where a turn
with an image goes.

GLM-4.7 reads text only and has a 200K-token window; a turn whose prompt carries an image goes
to the provider's vision model (``vision_model``; GLM-4.6V on the AI/ML API and on Z.ai). The
table is matched on the model's own name (``zhipu/glm-4.7`` is ``glm-4.7``); the
``context_window`` setting wins over it, for a model it does not know.
"""

from __future__ import annotations

from glm_tui.config import DEMO_MODEL, Settings

DEFAULT_WINDOW = 128_000
"""For a model not in the table (and no ``context_window`` set)."""

KNOWN_WINDOWS: dict[str, int] = {
    "glm-4.7": 200_000,
    "glm-4.7-flash": 200_000,
    "glm-4.6": 200_000,
    "glm-4.5": 128_000,
    "glm-4.5-air": 128_000,
    "glm-4.5-flash": 128_000,
    "glm-4.6v": 128_000,
    "glm-4.6v-flash": 128_000,
    "glm-4.5v": 64_000,
    DEMO_MODEL: 200_000,
}
VISION_MODELS = frozenset({"glm-4.6v", "glm-4.6v-flash", "glm-4.5v", DEMO_MODEL})
"""Models known to take images (the demo model takes anything)."""
DEFAULT_VISION_MODELS: dict[str, str] = {
    "aimlapi": "z-ai/glm-4.6v",
    "zai": "glm-4.6v",
    "demo": DEMO_MODEL,
}


def base_name(model: str) -> str:
    """``zhipu/glm-4.7`` -> ``glm-4.7``."""
    return model.rsplit("/", 1)[-1].strip().lower()


def context_window(model: str, settings: Settings | None = None) -> int:
    """The model's window in tokens: the setting, else the table, else DEFAULT_WINDOW."""
    if settings is not None and settings.context_window:
        return settings.context_window
    return KNOWN_WINDOWS.get(base_name(model), DEFAULT_WINDOW)


def vision_model(settings: Settings) -> str | None:
    """Where a turn with an image goes: the setting, else the provider's own (None: none)."""
    return settings.vision_model or DEFAULT_VISION_MODELS.get(settings.provider)


def sees_images(model: str, settings: Settings) -> bool:
    if settings.vision_model and model == settings.vision_model:
        return True
    return base_name(model) in VISION_MODELS or model == DEFAULT_VISION_MODELS.get(
        settings.provider
    )


class NoVisionModel(Exception):
    """A prompt with an image, and nowhere to send it: one line saying what to set."""


def model_for_images(model: str, settings: Settings) -> str:
    """The model a turn with an image goes to: ``model`` if it sees images, else the vision
    model; NoVisionModel when there is none."""
    if sees_images(model, settings):
        return model
    chosen = vision_model(settings)
    if chosen is None:
        raise NoVisionModel(
            f"{model or 'this model'} does not take images and the {settings.provider} provider"
            f" has no default vision model: set vision_model in {settings.config_path}"
            " (a model of this provider that takes images), or remove the image"
        )
    return chosen
