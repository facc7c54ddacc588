"""The monthly budget (``budget_usd`` in config.toml): how much of it this month has spent.

The month is the calendar month where the user is; the spend is the US$ the provider reported
for the replies of the month (the AI/ML API reports it; Z.ai and others do not, so with them
nothing counts against the budget). Past 80 % the status line warns; past 100 % the TUI asks
before each send. Nothing is ever blocked without asking.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from glm_tui.records import record
from glm_tui.store import Store

WARN_AT = 0.8
"""The share of the budget past which the status line warns."""

Level = Literal["ok", "warning", "over"]


def today() -> date:
    """The local date (the budget's month and the usage's days follow the user's calendar)."""
    return datetime.now().astimezone().date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def money(usd: float) -> str:
    """'US$8.20' (four decimals below a cent: 'US$0.0012')."""
    return f"US${usd:,.4f}" if 0 < usd < 0.01 else f"US${usd:,.2f}"


@record
class BudgetState:
    limit_usd: float
    spent_usd: float
    """This month's spend, as reported by the provider."""
    month: str
    """``YYYY-MM``."""

    @property
    def fraction(self) -> float:
        return self.spent_usd / self.limit_usd

    @property
    def level(self) -> Level:
        if self.spent_usd >= self.limit_usd:
            return "over"
        if self.spent_usd >= WARN_AT * self.limit_usd:
            return "warning"
        return "ok"

    @property
    def over(self) -> bool:
        """Past 100 %: each send is confirmed first."""
        return self.level == "over"

    def summary(self) -> str:
        """This month's spend against the budget, in one sentence."""
        percent = f"{self.fraction * 100:.0f} %"
        spent, limit = money(self.spent_usd), money(self.limit_usd)
        if self.level == "over":
            return f"This month's spend, {spent}, is over the budget ({percent} of {limit})."
        return f"This month's spend is {spent}, {percent} of the budget ({limit})."

    def sentence(self) -> str | None:
        """What the status line (or ``ask``) says: the summary past 80 %, else None."""
        return self.summary() if self.level != "ok" else None

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "budget_usd": self.limit_usd,
            "spent_usd": self.spent_usd,
            "fraction": self.fraction,
            "level": self.level,
        }


def budget_state(
    store: Store, limit_usd: float | None, day: date | None = None
) -> BudgetState | None:
    """This month's spend against ``limit_usd``; None without a budget. Raises StoreError."""
    if not limit_usd:
        return None
    day = day or today()
    spent = store.usage_total(since=month_start(day)).usd or 0.0
    return BudgetState(limit_usd, spent, day.strftime("%Y-%m"))
