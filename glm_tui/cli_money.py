"""``glm-tui models`` and ``glm-tui usage``: the provider's models, and what the history cost.

The commands themselves are in cli.py; here is what they print. Text goes to stdout as one line
per model or per group; a note on the list's age, or on the budget, goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from typing import Any

from glm_tui.api.models import ModelInfo, ModelListError, price_per_million, tokens_short
from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.store.spending import UsageTotals
from glm_tui.terminal_text import strip_controls

EXIT_OK, EXIT_FAILED = 0, 1


def _line(text: str) -> str:
    return " ".join(strip_controls(text).split())


def _say(stream: Any, text: str) -> None:
    stream.write(text + "\n")
    stream.flush()


# -- models -------------------------------------------------------------------------------------


def model_line(model: ModelInfo, width: int, current: str) -> str:
    """``* zhipu/glm-4.7  200K ctx  131K out  $0.60 in / $2.20 out per M  tools``."""
    mark = "*" if model.answers_to(current) else " "
    if model.input_price is None and model.output_price is None:
        price = "price -" if model.price_kind in (None, "fixed") else f"price {model.price_kind}"
    else:
        price = (
            f"{price_per_million(model.input_price)} in / "
            f"{price_per_million(model.output_price)} out per M"
        )
    marks = [name for name, on in (("vision", model.vision), ("tools", model.tools)) if on]
    if model.chat is False:
        marks.append(_line(model.type or "not chat"))
    return "  ".join(
        (
            f"{mark} {_line(model.id):<{width}}",
            f"{tokens_short(model.context_length):>5} ctx",
            f"{tokens_short(model.output_limit):>5} out",
            price,
            *marks,
        )
    ).rstrip()


def run_models(settings: Settings, *, as_json: bool, refresh: bool) -> int:
    """Print the list (cached for a day unless ``refresh``); the exit code."""
    from glm_tui.models_cache import ModelCatalog

    if not settings.effective_base_url:
        _say(sys.stderr, f"error: the {settings.provider} provider needs a base URL (--base-url)")
        return EXIT_FAILED
    catalog = ModelCatalog(settings)
    try:
        listed = asyncio.run(catalog.load(refresh=refresh))
    except ModelListError as exc:
        _say(sys.stderr, f"error: {_line(str(exc))}")
        return EXIT_FAILED
    if listed.problem:
        _say(sys.stderr, f"warning: {_line(listed.note(catalog.clock()))}")
    if as_json:
        _say(sys.stdout, json.dumps([m.to_json() for m in listed.models], ensure_ascii=False))
        return EXIT_OK
    if not listed.models:
        _say(sys.stderr, "the provider lists no models")
        return EXIT_OK
    width = min(48, max(len(_line(m.id)) for m in listed.models))
    current = settings.effective_model or ""
    for model in listed.models:
        _say(sys.stdout, model_line(model, width, current))
    return EXIT_OK


# -- usage --------------------------------------------------------------------------------------


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 1 else f"{value:,.2f}"


def _credits(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


COLUMNS = ("replies", "prompt", "cached", "completion", "reasoning", "credits", "US$")


def usage_row(first: str, row: UsageTotals, width: int) -> str:
    figures = (
        f"{row.replies:,}",
        f"{row.prompt_tokens:,}",
        f"{row.cached_tokens:,}",
        f"{row.completion_tokens:,}",
        f"{row.reasoning_tokens:,}",
        _credits(row.credits),
        _usd(row.usd),
    )
    return f"{first:<{width}}" + "".join(f"  {figure:>12}" for figure in figures)


def _first_column(row: UsageTotals, by: str) -> str:
    if by == "conversation":
        title = _line(row.label)
        title = title if len(title) <= 40 else title[:39] + "…"
        return f"{row.key:>6}  {title}"
    return _line(row.label)


def run_usage(
    store: Store, *, by: str, since: date | None, as_json: bool, budget_usd: float | None
) -> int:
    """Print the totals by day, model or conversation from ``since`` (default: the last 30
    days), the total, and the month's budget. Raises StoreError."""
    from glm_tui.budget import budget_state, today
    from glm_tui.usage_report import default_since

    until = today()
    since = since or default_since(until)
    rows = store.usage_by(by, since=since, until=until)  # type: ignore[arg-type]
    total = store.usage_total(since=since, until=until)
    budget = budget_state(store, budget_usd)
    if as_json:
        data = {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "by": by,
            "rows": [row.to_json() for row in rows],
            "total": total.to_json(),
            "budget": budget.to_json() if budget is not None else None,
        }
        _say(sys.stdout, json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    firsts = [_first_column(row, by) for row in rows]
    width = max([len(by), len("total"), *(len(first) for first in firsts)])
    _say(sys.stdout, f"{by:<{width}}" + "".join(f"  {name:>12}" for name in COLUMNS))
    for first, row in zip(firsts, rows, strict=True):
        _say(sys.stdout, usage_row(first, row, width))
    _say(sys.stdout, usage_row("total", total, width))
    if not rows:
        _say(sys.stderr, f"no replies with usage since {since.isoformat()}")
    if budget is not None:
        _say(sys.stderr, f"budget: {budget.summary()}")
    return EXIT_OK
