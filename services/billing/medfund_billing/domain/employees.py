"""An employee's month under the employee scheme: base, 9% + 2%, and the pool/account split.

The rates, floor, ceiling and account credits come from the pack
(:func:`medfund_shared.policy.contributions.employee_contribution`); this module only fixes the
period and checks the split is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_shared.money import Money
from medfund_shared.policy.contributions import EmployeeMember, employee_contribution
from medfund_shared.policy.schema import PolicyPack


class PeriodError(ValueError):
    """A period that is not ``YYYY-MM``."""


def period_start(period: str) -> date:
    """First day of a ``YYYY-MM`` period."""
    try:
        year, month = period.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise PeriodError(f"period must be YYYY-MM, got {period!r}") from None


@dataclass(frozen=True, slots=True)
class EmployeeMonth:
    """``pool + account == employer + employee`` for a member in service; a retiree pays nothing
    and the pool finances the account credit."""

    retired: bool
    base: Money
    employer: Money
    employee: Money
    pool: Money
    account: Money


def employee_month(pack: PolicyPack, member: EmployeeMember, period: str) -> EmployeeMonth:
    contribution = employee_contribution(pack, member, period_start(period))
    return EmployeeMonth(retired=member.retired, base=contribution.base, employer=contribution.employer,
                         employee=contribution.employee, pool=contribution.pooled_fund,
                         account=contribution.account_credit)
