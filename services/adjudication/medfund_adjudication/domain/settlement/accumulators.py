"""A person's year-to-date totals for one insurance year, which caps and deductibles are measured against."""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import add, attrgetter, neg

from medfund_shared.money import Money

NO_MONEY = Money(0)


@dataclass(frozen=True)
class Accumulators:
    inpatient_paid: Money = NO_MONEY
    inpatient_scope_cost: Money = NO_MONEY
    catastrophic_burden: Money = NO_MONEY
    catastrophic_paid: Money = NO_MONEY
    assistance_paid: Money = NO_MONEY
    outpatient_eligible: Money = NO_MONEY
    outpatient_deductible: Money = NO_MONEY
    outpatient_visits: int = 0
    outpatient_paid: Money = NO_MONEY

    def plus(self, delta: Accumulators) -> Accumulators:
        return Accumulators(*map(add, _values(self), _values(delta)))

    def minus(self, delta: Accumulators) -> Accumulators:
        return self.plus(delta.negated())

    def negated(self) -> Accumulators:
        return Accumulators(*map(neg, _values(self)))


_values = attrgetter(*(f.name for f in fields(Accumulators)))
"""The totals in field order, as a tuple (positional construction: every settlement adds two sets of them)."""
