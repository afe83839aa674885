"""Employee-scheme (310) cover from the months paid, the retiree's minimum years and the late fee.

Pure functions over a policy pack's ``coverage.employee`` section. Time is never the wall clock: a
month counts as overdue once a later period has been declared or paid in the same region (the
region's *clock*, the latest period seen in its data), so replaying the same data gives the same cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import EmployeeCoverage

if TYPE_CHECKING:
    from medfund_shared.policy.schema import PolicyPack

MONTHS_PER_YEAR = 12


class EmployeeCoverInputError(ValueError):
    """A question the pack cannot answer: not an employee scheme, or a period that is not ``YYYY-MM``."""


def month_index(day: date) -> int:
    """Months since year 0, so that consecutive months are consecutive integers."""
    return day.year * MONTHS_PER_YEAR + day.month - 1


def month_start(index: int) -> date:
    return date(index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1, 1)


def period_month(period: str) -> date:
    """First day of a ``YYYY-MM`` period."""
    try:
        year, month = period.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(period)
        return date(int(year), int(month), 1)
    except ValueError:
        raise EmployeeCoverInputError(f"period must be YYYY-MM, got {period!r}") from None


@dataclass(frozen=True)
class EmployeeCover:
    """Cover from ``starts`` (first day of the first month paid, after the pack's wait); suspended
    from ``suspended_since`` while a run of unpaid months at least as long as the pack allows remains."""

    starts: date
    suspended_since: date | None


def employee_cover(pack: PolicyPack, paid_months: Iterable[date], region_clock: date) -> EmployeeCover | None:
    """The cover ``paid_months`` give when the region's latest period seen is ``region_clock``.

    A month is overdue once the clock is past it. After ``suspend_after_unpaid_months`` consecutive
    overdue unpaid months (counted from the first month paid), cover is suspended from the first day of
    the month after them; paying those months back (so no such run remains) restores it from that day.
    ``None`` when nothing is paid.
    """
    rules = employee_coverage_rules(pack)
    paid = {month_index(m) for m in paid_months}
    if not paid:
        return None
    first = min(paid)
    starts = month_start(first + rules.wait_months)
    limit = rules.suspend_after_unpaid_months
    if limit is None:
        return EmployeeCover(starts, None)
    run = 0
    for month in range(first + 1, month_index(region_clock)):
        run = 0 if month in paid else run + 1
        if run == limit:
            return EmployeeCover(starts, month_start(month + 1))
    return EmployeeCover(starts, None)


def retiree_years_shortfall(pack: PolicyPack, gend: str, contribution_years: int) -> str | None:
    """Why a retiree is not covered without contributions (too few contribution years), or ``None``."""
    minimum = employee_coverage_rules(pack).retiree_minimum_years
    if minimum is None or contribution_years >= minimum.for_gender(gend):
        return None
    needed = minimum.for_gender(gend)
    return (f"{contribution_years} contribution years; a retiree is covered without contributions from "
            f"{needed} years ({'men' if gend == '1' else 'women'}, {pack.pack_id})")


def due_date(pack: PolicyPack, period: date) -> date | None:
    """The last day a month's contribution is on time: the pack's due day of the following month."""
    rules = employee_coverage_rules(pack)
    if rules.declaration_due_day is None:
        return None
    return month_start(month_index(period) + 1).replace(day=rules.declaration_due_day)


def late_fee(pack: PolicyPack, period: date, contribution: Money, paid_on: date) -> Money:
    """滞纳金: the contribution times the daily rate for each day ``paid_on`` is past the due date."""
    due = due_date(pack, period)
    if due is None or paid_on <= due:
        return Money.zero()
    days = (paid_on - due) // timedelta(days=1)
    return contribution.times(employee_coverage_rules(pack).late_fee_daily_rate * days)


def employee_coverage_rules(pack: PolicyPack) -> EmployeeCoverage:
    if pack.coverage.employee is None:
        raise EmployeeCoverInputError(f"pack {pack.pack_id} is not an employee scheme")
    return pack.coverage.employee
