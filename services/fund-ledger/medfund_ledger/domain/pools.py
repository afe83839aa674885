"""Pools (one fund of one region and year) and their figures, derived from account balances."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from medfund_ledger.domain import accounts
from medfund_shared.money import Money


class InvalidPoolId(ValueError):
    """Not ``{admdvs}:{fund_pay_type}:{year}``."""


POOL_IDS_REMEMBERED = 4096


@dataclass(frozen=True, slots=True)
class PoolKey:
    admdvs: str
    fund_pay_type: str
    year: int

    @property
    def pool_id(self) -> str:
        return f"{self.admdvs}:{self.fund_pay_type}:{self.year}"

    @classmethod
    @functools.lru_cache(maxsize=POOL_IDS_REMEMBERED)
    def parse(cls, pool_id: str) -> PoolKey:
        """Remembered: a region has a handful of pools and every event names them three times (parsing the same
        few ids again was a tenth of a replay's Python in its profile); an invalid id raises each time."""
        parts = pool_id.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[1]) != 6 or not parts[1].isdigit() \
                or not parts[2].isdigit() or len(parts[2]) != 4:
            raise InvalidPoolId(f"pool id must be admdvs:fund_pay_type:year, got {pool_id!r}")
        return cls(parts[0], parts[1], int(parts[2]))


@dataclass(frozen=True, slots=True)
class PoolFigures:
    income: Money
    expenditure: Money
    payable: Money
    cash: Money
    paid_up_front: Money = Money(0)
    """The part of the expenditure due for the year up front (transfers, sponsored premiums): it does not run on."""
    brought_forward: Money = Money(0)
    """The balance carried in from the books kept before the ledger (only in the first year it keeps)."""

    @property
    def balance(self) -> Money:
        """Fund balance (结余): what was brought forward, plus income, less expenditure; cash also holds what is
        still payable."""
        return self.brought_forward + self.income - self.expenditure

    @classmethod
    def from_balances(cls, balances: dict[str, int]) -> PoolFigures:
        income = -sum(v for a, v in balances.items() if accounts.is_income(a))
        expenditure = sum(v for a, v in balances.items() if accounts.is_expenditure(a))
        payable = -sum(v for a, v in balances.items() if accounts.is_payable(a))
        up_front = sum(v for a, v in balances.items() if accounts.is_paid_up_front(a))
        return cls(Money(income), Money(expenditure), Money(payable), Money(balances.get(accounts.CASH, 0)),
                   Money(up_front), Money(-balances.get(accounts.BROUGHT_FORWARD, 0)))
