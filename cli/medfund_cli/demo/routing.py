"""Which institution treats an encounter: the global budgets (总额控制) steer the county's patients.

Only the story's overspending institution crosses into its budget alert, and only when the story
drives it there. Every other encounter goes to the institution of its level with the most room,
and only where the case's medical cost (a bound on the fund payment) fits under
``Scenario.routine_budget_use`` of the budget, counting the cost of what is in flight there. At a
small scale one admission is a large part of a budget: the encounter then goes to another level
where it fits, and a very expensive case that fits nowhere does not happen.
"""

from __future__ import annotations

from decimal import Decimal

from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.tally import Tally
from medfund_shared.money import Money


class Router:
    """Budgets, what each institution has been paid and the cost of what is in flight there."""

    def __init__(self, institutions: list[Institution], tally: Tally, routine_use: Decimal) -> None:
        self.tally, self.routine_use = tally, routine_use
        self.by_level: dict[str, list[Institution]] = {}
        for institution in institutions:
            self.by_level.setdefault(institution.level, []).append(institution)
        self.budgets = {i.code: i.annual_budget for i in institutions}
        self.in_flight: dict[str, Money] = {}

    def committed(self, institution: Institution) -> Money:
        """Fund payments settled at ``institution`` plus the medical cost of its encounters in flight."""
        return self.tally.by_institution.get(institution.code, Money.zero()) + self.in_flight.get(
            institution.code, Money.zero())

    def room(self, institution: Institution) -> Money:
        """Budget share still open to routine patients (negative when past it)."""
        return self.budgets[institution.code].times(self.routine_use) - self.committed(institution)

    def choose(self, levels: list[str], cost: Money) -> Institution | None:
        """The institution of ``levels`` with the most room, if a case costing ``cost`` fits in it."""
        candidates = [i for level in levels for i in self.by_level.get(level, [])]
        best = max(candidates, key=self.room, default=None)
        return best if best is not None and self.room(best) >= cost else None

    def start(self, institution: Institution, cost: Money) -> None:
        self.in_flight[institution.code] = self.in_flight.get(institution.code, Money.zero()) + cost

    def finish(self, institution: Institution, cost: Money) -> None:
        self.in_flight[institution.code] -= cost

    def raise_budget(self, code: str, budget: Money) -> None:
        self.budgets[code] = budget
