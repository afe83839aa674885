"""A person's year-to-date totals for one insurance year, which caps and deductibles are measured against."""

from __future__ import annotations

from dataclasses import dataclass, fields

from medfund_shared.money import Money


@dataclass(frozen=True)
class Accumulators:
    inpatient_paid: Money = Money(0)
    inpatient_scope_cost: Money = Money(0)
    catastrophic_burden: Money = Money(0)
    catastrophic_paid: Money = Money(0)
    assistance_paid: Money = Money(0)
    outpatient_eligible: Money = Money(0)
    outpatient_deductible: Money = Money(0)
    outpatient_visits: int = 0
    outpatient_paid: Money = Money(0)

    def plus(self, delta: Accumulators) -> Accumulators:
        return Accumulators(**{f.name: getattr(self, f.name) + getattr(delta, f.name) for f in fields(self)})

    def minus(self, delta: Accumulators) -> Accumulators:
        return self.plus(delta.negated())

    def negated(self) -> Accumulators:
        return Accumulators(**{f.name: -getattr(self, f.name) for f in fields(self)})
