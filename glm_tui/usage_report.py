"""What the history cost: the figures of the usage screen and of ``glm-tui usage``.

Spend by day (every day of the range, for a chart), totals per model and per conversation, the
total, tokens split into prompt / cached / completion / reasoning, and the month's budget.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from glm_tui.budget import BudgetState, budget_state, today
from glm_tui.records import record
from glm_tui.store import Store
from glm_tui.store.spending import UsageTotals, every_day

DAYS = 30
"""The days the report covers unless told otherwise (today and the 29 before)."""


@record(slots=False)
class UsageReport:
    since: date
    until: date
    days: list[UsageTotals]
    """Every day from ``since`` to ``until``, oldest first (a day without replies at zero)."""
    models: list[UsageTotals]
    """Per model, the dearest first."""
    conversations: list[UsageTotals]
    """Per conversation (``label`` is its title), the dearest first."""
    total: UsageTotals
    budget: BudgetState | None
    """This month's spend against ``budget_usd`` (the whole month, whatever the range)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "days": [row.to_json() for row in self.days],
            "models": [row.to_json() for row in self.models],
            "conversations": [row.to_json() for row in self.conversations],
            "total": self.total.to_json(),
            "budget": self.budget.to_json() if self.budget is not None else None,
        }


def default_since(until: date, days: int = DAYS) -> date:
    return until - timedelta(days=max(1, days) - 1)


def usage_report(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    budget_usd: float | None = None,
) -> UsageReport:
    """The figures from ``since`` (default: 30 days ago) to ``until`` (default: today), local
    days, both included. Raises StoreError."""
    until = until or today()
    since = since or default_since(until)
    return UsageReport(
        since,
        until,
        every_day(store.usage_by("day", since=since, until=until), since, until),
        store.usage_by("model", since=since, until=until),
        store.usage_by("conversation", since=since, until=until),
        store.usage_total(since=since, until=until),
        budget_state(store, budget_usd),
    )
