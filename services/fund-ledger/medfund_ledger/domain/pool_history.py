"""A pool's months: income, expenditure and the balance (结余) at each month's end, from its monthly figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from medfund_shared.money import Money


@dataclass(frozen=True, slots=True)
class PoolMonth:
    month: str
    """YYYY-MM of the entries' effective dates."""
    income: Money
    expenditure: Money
    balance: Money
    """What was brought forward, plus income less expenditure of every month up to this one's end: the pool's
    balance then."""


def month_series(months: Iterable[tuple[str, int, int]], brought_forward: int = 0) -> list[PoolMonth]:
    """``(YYYY-MM, income fen, expenditure fen)`` in month order -> each month with its closing balance, starting
    from the balance brought forward into the pool (docs/funding.md)."""
    series, balance = [], brought_forward
    for month, income, expenditure in months:
        balance += income - expenditure
        series.append(PoolMonth(month, Money(income), Money(expenditure), Money(balance)))
    return series
