"""Use case: the budget meters (总额控制): each institution's fund payments of a year against its global budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_shared.money import Money

RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class MetersQuery:
    year: int | None = None
    as_of: date | None = None
    """The payments settled by the end of this business date; ``None``: all booked so far."""


@dataclass(frozen=True)
class InstitutionMeter:
    fixmedins_code: str
    year: int
    name: str | None
    admdvs: str | None
    level: str | None
    fund_paid: Money
    annual_budget: Money | None
    """The budget an admin set, else the registered one; ``None`` without either."""
    budget_set_by_admin: bool
    used_of_budget: Decimal | None
    """fund_paid ÷ annual_budget to 4 decimals; ``None`` without a budget (or a zero one)."""


async def institution_meters(query: MetersQuery, uow: LedgerUnitOfWork) -> list[InstitutionMeter]:
    async with uow:
        rows = await uow.institutions.years(query.year, query.as_of)
    return [InstitutionMeter(row.fixmedins_code, row.year, row.name, row.admdvs, row.level, Money(row.fund_paid),
                             None if row.budget is None else Money(row.budget), bool(row.budget_set_by_admin),
                             (Decimal(row.fund_paid) / Decimal(row.budget)).quantize(RATIO) if row.budget else None)
            for row in rows]
