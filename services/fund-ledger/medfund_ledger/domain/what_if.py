"""A pool's books as they would stand had its expenditure differed month by month (a simulation's candidate
policy, issue 25): the same snapshot with the difference booked, judged by the same pool rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from medfund_ledger.domain.warnings import Measurement, PoolSnapshot, pool_measurements


def with_expenditure_change(actual: PoolSnapshot, change: Mapping[str, int], this_month: str) -> PoolSnapshot:
    """``actual`` with ``change`` (fen by ``YYYY-MM``; positive: the pool would have paid more) booked as
    expenditure. Months after ``this_month`` (the snapshot's date) have not happened yet and are left out."""
    booked = {month: fen for month, fen in change.items() if month <= this_month}
    total = sum(booked.values())
    return replace(
        actual, expenditure=actual.expenditure + total,
        month_expenditure=actual.month_expenditure + booked.get(this_month, 0),
        holdings=None if actual.holdings is None else actual.holdings - total,
        recent_monthly_expenditure=[spent + booked.get(month, 0) for spent, month in
                                    zip(actual.recent_monthly_expenditure, actual.recent_months, strict=True)])


@dataclass(frozen=True)
class PoolWhatIf:
    actual: PoolSnapshot
    candidate: PoolSnapshot
    actual_measures: list[Measurement]
    candidate_measures: list[Measurement]

    def measure(self, rule: str) -> tuple[Measurement, Measurement]:
        return (next(m for m in self.actual_measures if m.rule == rule),
                next(m for m in self.candidate_measures if m.rule == rule))

    @property
    def booked_change(self) -> int:
        """The difference in expenditure booked up to the snapshot's month (fen)."""
        return self.candidate.expenditure - self.actual.expenditure

    @property
    def firing(self) -> list[Measurement]:
        """The candidate's measures at yellow or red."""
        return [m for m in self.candidate_measures if m.severity is not None]


def pool_what_if(actual: PoolSnapshot, change: Mapping[str, int], this_month: str, thresholds) -> PoolWhatIf:
    candidate = with_expenditure_change(actual, change, this_month)
    return PoolWhatIf(actual, candidate, pool_measurements(actual, thresholds),
                      pool_measurements(candidate, thresholds))
