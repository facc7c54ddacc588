"""The provider's list of models: ``GET {base_url}/models``, read into :class:`ModelInfo`.

Two shapes are read, and anything in between:

- the plain OpenAI list (Z.ai, vLLM, Ollama, LiteLLM...): ``{"object": "list", "data": [{"id",
  "object": "model", "created", "owned_by"}]}``; only the id is known for sure;
- the AI/ML API catalogue (``/v1/models``, public, no key), richer with
  ``?include=pricing,capabilities,modalities``: each entry has ``type`` (the endpoint it is
  served through: ``chat-completion``, ``openai/chat-completions``, ``image``...), ``info``
  (``name``, ``developer``, ``contextLength``, ``maxTokens`` or ``outputMax``), ``aliases``,
  ``features``, ``capabilities``, ``modalities`` (``{"input": [...], "output": [...]}``) and
  ``pricing`` (``{"kind": "fixed", "units": [{"name": "token", "origin": "provided",
  "price", "per"}]}``: ``price`` US$ for ``per`` units). Its older ``/models`` is a bare array
  of the same entries.

OpenRouter-style fields (``context_length``, ``top_provider``, ``architecture``,
``supported_parameters``, ``pricing.prompt`` per token) are read too. A field that is missing,
unknown or of the wrong type is left unknown (None): reading the list never fails because of
one entry. Only a body that is no list of models at all is an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from glm_tui.records import record

MILLION = 1_000_000
AIMLAPI_INCLUDE = "pricing,capabilities,modalities"
"""The optional sections of the AI/ML API catalogue asked for."""

_TOOL_WORDS = frozenset(
    {"tools", "tool_calling", "tool-calling", "tool_use", "function_calling", "function-calling"}
)
_CHAT_TYPES = ("chat", "completion", "messages", "responses", "llm", "language")
"""Words of an endpoint type that mean text in, text out (``chat-completion``,
``openai/chat-completions``, ``anthropic/messages``...); images, video, audio, embeddings
have types of their own."""
_INPUT_ORIGINS = frozenset({"provided", "input", "prompt"})
_OUTPUT_ORIGINS = frozenset({"generated", "output", "completion"})
_CACHED_ORIGINS = frozenset({"cached", "cache_read", "cached_input", "input_cache_read"})


class ModelListError(Exception):
    """The list could not be fetched or read: one line for the user (never the key)."""


@record
class ModelInfo:
    """One model as the provider describes it; None where the provider did not say."""

    id: str
    name: str | None = None
    developer: str | None = None
    type: str | None = None
    """The endpoint type it is served through (AI/ML API), e.g. ``chat-completion``."""
    chat: bool | None = None
    """A chat model (None: the list does not say, as in the plain OpenAI list)."""
    context_length: int | None = None
    output_limit: int | None = None
    """The most tokens one reply may have."""
    vision: bool | None = None
    """Takes images."""
    tools: bool | None = None
    """Calls functions."""
    input_price: float | None = None
    """US$ per million prompt tokens."""
    output_price: float | None = None
    """US$ per million completion tokens."""
    cached_price: float | None = None
    """US$ per million cached prompt tokens."""
    price_kind: str | None = None
    """``fixed``, ``variants`` (the rate depends on the request) or ``variable``."""
    aliases: tuple[str, ...] = ()
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    created: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("aliases", "input_modalities", "output_modalities", "capabilities"):
            data[key] = list(data[key])
        return data

    def answers_to(self, model_id: str) -> bool:
        """The model is requested as ``model_id`` (its id, or one of its aliases)."""
        return model_id == self.id or model_id in self.aliases

    @property
    def label(self) -> str:
        return self.name or self.id


# -- how the figures read (``glm-tui models``, the TUI's picker) ------------------------------


def tokens_short(count: int | None) -> str:
    """200000 -> '200K', 1048576 -> '1M', None -> '-'."""
    if count is None:
        return "-"
    if count >= 1_000_000 and count % 1_000_000 < 50_000:
        return f"{count / 1_000_000:.0f}M"
    if count >= 1000:
        return f"{count / 1000:.0f}K"
    return str(count)


def price_per_million(usd: float | None) -> str:
    if usd is None:
        return "-"
    return f"${usd:.2f}" if usd >= 0.1 or usd == 0 else f"${usd:.3g}"


def models_url(base_url: str, provider: str) -> str:
    """Where the list is: the AI/ML API's with its optional sections, others' plain."""
    url = f"{base_url.rstrip('/')}/models"
    return f"{url}?include={AIMLAPI_INCLUDE}" if provider == "aimlapi" else url


def parse_models(body: Any) -> list[ModelInfo]:
    """The models of a list's JSON (already decoded), sorted: chat models first."""
    entries: Any = body
    if isinstance(body, Mapping):
        entries = body.get("data")
        if entries is None:
            entries = body.get("models")
    if not isinstance(entries, list):
        raise ModelListError("the provider's model list is not a list of models")
    seen: set[str] = set()
    models: list[ModelInfo] = []
    for entry in entries:
        info = read_entry(entry)
        if info is not None and info.id not in seen:
            seen.add(info.id)
            models.append(info)
    return sort_models(models)


def decode(raw: bytes) -> Any:
    """A body's JSON; ModelListError when it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ModelListError("the provider's model list is not JSON") from None


def sort_models(models: Iterable[ModelInfo]) -> list[ModelInfo]:
    """Chat models first, then the ones the list says nothing about, then the others; by id
    within each group."""
    order = {True: 0, None: 1, False: 2}
    return sorted(models, key=lambda m: (order[m.chat], m.id.lower(), m.id))


def read_entry(entry: Any) -> ModelInfo | None:
    """One entry of the list; None if it has no id."""
    if not isinstance(entry, Mapping):
        return None
    model_id = _text(entry.get("id"))
    if model_id is None:
        return None
    info = entry.get("info")
    info = info if isinstance(info, Mapping) else {}
    top = entry.get("top_provider")
    top = top if isinstance(top, Mapping) else {}
    inputs, outputs = _modalities(entry)
    capabilities = _words(entry.get("capabilities"))
    features = _words(entry.get("features"))
    parameters = _words(entry.get("supported_parameters"))
    kind = _text(entry.get("type"))
    prices = _prices(entry.get("pricing"))
    return ModelInfo(
        id=model_id,
        name=_first_text(info.get("name"), entry.get("name"), entry.get("display_name")),
        developer=_first_text(info.get("developer"), entry.get("owned_by")),
        type=kind,
        chat=_is_chat(kind, _words(entry.get("endpoints")), outputs),
        context_length=_first_count(
            info.get("contextLength"),
            info.get("context_length"),
            entry.get("context_length"),
            entry.get("context_window"),
            entry.get("max_model_len"),
            top.get("context_length"),
        ),
        output_limit=_first_count(
            info.get("outputMax"),
            info.get("maxTokens"),
            info.get("max_output_tokens"),
            entry.get("max_output_tokens"),
            entry.get("max_completion_tokens"),
            top.get("max_completion_tokens"),
        ),
        vision=_vision(capabilities, features, inputs, has_modalities=inputs is not None),
        tools=_tools(capabilities, features, parameters, entry),
        input_price=prices.get("input"),
        output_price=prices.get("output"),
        cached_price=prices.get("cached"),
        price_kind=prices.kind,
        aliases=_words(entry.get("aliases")),
        input_modalities=inputs or (),
        output_modalities=outputs or (),
        capabilities=capabilities,
        created=_first_count(entry.get("created")),
    )


# -- reading fields ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _first_text(*values: Any) -> str | None:
    return next((text for text in map(_text, values) if text is not None), None)


def _words(value: Any) -> tuple[str, ...]:
    """A list of strings (anything else in it is skipped); () for anything but a list."""
    if not isinstance(value, list):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def _count(value: Any) -> int | None:
    """A positive whole number (a float like 128000.0 too); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return number if number > 0 else None


def _first_count(*values: Any) -> int | None:
    for value in values:
        number = _count(value)
        if number is not None:
            return number
    return None


def _number(value: Any) -> float | None:
    """A price: a number, or a number as text (OpenRouter quotes its prices)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value or value < 0:
        return None
    return float(value)


def _modalities(entry: Mapping[str, Any]) -> tuple[tuple[str, ...] | None, ...]:
    """(input, output) modalities, lower case; None for a side the entry does not give."""
    found: list[tuple[str, ...] | None] = [None, None]
    modalities = entry.get("modalities")
    architecture = entry.get("architecture")
    for index, side in enumerate(("input", "output")):
        value: Any = None
        if isinstance(modalities, Mapping):
            value = modalities.get(side)
        if value is None and isinstance(architecture, Mapping):
            value = architecture.get(f"{side}_modalities")
        if isinstance(value, list):
            found[index] = tuple(word.lower() for word in _words(value))
    return found[0], found[1]


def _is_chat(
    kind: str | None, endpoints: tuple[str, ...], outputs: tuple[str, ...] | None
) -> bool | None:
    if any(endpoint.rstrip("/").endswith("/chat/completions") for endpoint in endpoints):
        return True
    if kind is not None:
        low = kind.lower()
        return low == "text" or any(word in low for word in _CHAT_TYPES)
    if outputs is not None and "text" not in outputs:
        return False
    return None


def _vision(
    capabilities: tuple[str, ...],
    features: tuple[str, ...],
    inputs: tuple[str, ...] | None,
    *,
    has_modalities: bool,
) -> bool | None:
    words = [w.lower() for w in (*capabilities, *features)]
    if any("vision" in word or word in ("image_input", "image-input") for word in words):
        return True
    if inputs is not None and "image" in inputs:
        return True
    return False if has_modalities else None


def _tools(
    capabilities: tuple[str, ...],
    features: tuple[str, ...],
    parameters: tuple[str, ...],
    entry: Mapping[str, Any],
) -> bool | None:
    if any(word.lower() in _TOOL_WORDS for word in capabilities):
        return True
    if any(word.lower().endswith((".function", ".tools", ".tool-calls")) for word in features):
        return True
    if "tools" in parameters:
        return True
    # A section that was given and does not list tools says "no"; a missing one says nothing.
    known = (
        isinstance(entry.get("capabilities"), list)
        or bool(features)
        or isinstance(entry.get("supported_parameters"), list)
    )
    return False if known else None


@record(frozen=False, slots=False)
class _Prices:
    per_million: dict[str, float]
    kind: str | None = None

    def get(self, side: str) -> float | None:
        return self.per_million.get(side)


def _prices(pricing: Any) -> _Prices:
    """US$ per million tokens for ``input``, ``output`` and ``cached``, where stated."""
    prices = _Prices({})
    if not isinstance(pricing, Mapping):
        return prices
    prices.kind = _text(pricing.get("kind"))
    found = prices.per_million
    units = pricing.get("units")
    if isinstance(units, list):
        for unit in units:
            if not isinstance(unit, Mapping):
                continue
            name = (_text(unit.get("name")) or _text(unit.get("unit")) or "token").lower()
            content = (_text(unit.get("content")) or "text").lower()
            origin = (_text(unit.get("origin")) or "").lower()
            price, per = _number(unit.get("price")), _number(unit.get("per"))
            if not name.startswith("token") or content != "text" or price is None or not per:
                continue
            side = _side(origin)
            if side is not None and side not in found:
                found[side] = price / per * MILLION
        if found and prices.kind is None:
            prices.kind = "fixed"
        return prices
    # OpenRouter: US$ per token, as text.
    per_token = (("input", "prompt"), ("output", "completion"), ("cached", "input_cache_read"))
    for side, key in per_token:
        price = _number(pricing.get(key))
        if price is not None:
            found[side] = price * MILLION
    return prices


def _side(origin: str) -> str | None:
    if origin in _INPUT_ORIGINS:
        return "input"
    if origin in _OUTPUT_ORIGINS:
        return "output"
    if origin in _CACHED_ORIGINS:
        return "cached"
    return None
