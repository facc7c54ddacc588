"""What the window knows of the money: this month's spend against the budget, and the usage
screen's figures.

The month's spend is one query over the history (tens of milliseconds on a large one), and the
status line is drawn often: it is read again only when something may have been spent since (a
reply of this window ended, or another program wrote) or the month or the budget changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.store import StoreError

if TYPE_CHECKING:
    from glm_tui.budget import BudgetState
    from glm_tui.session.session import Session
    from glm_tui.usage_report import UsageReport


class Spend:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.epoch = 0
        """Counts the moments something may have been spent."""
        self._known: tuple[object, BudgetState | None] | None = None

    def changed(self) -> None:
        """Something may have been spent: read the month again when next asked."""
        self.epoch += 1

    def budget(self) -> BudgetState | None:
        """This month's spend against ``budget_usd``; None without a budget, or when the
        history cannot be read now."""
        limit = self.session.settings.budget_usd
        if not limit:
            return None
        from glm_tui.budget import budget_state, today

        key = (limit, today().strftime("%Y-%m"), self.epoch)
        if self._known is None or self._known[0] != key:
            try:
                self._known = (key, budget_state(self.session.store, limit))
            except StoreError:
                return None
        return self._known[1]

    def report(self, days: int) -> UsageReport:
        """The last ``days`` days' figures (StoreError)."""
        from glm_tui.budget import today
        from glm_tui.usage_report import default_since, usage_report

        until = today()
        return usage_report(
            self.session.store,
            since=default_since(until, days),
            until=until,
            budget_usd=self.session.settings.budget_usd,
        )
