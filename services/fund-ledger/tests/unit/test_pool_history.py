"""A pool's months carry the balance at each month's end: the running sum of income less expenditure."""

from medfund_ledger.domain.pool_history import month_series
from medfund_shared.money import Money


def test_each_month_closes_on_the_running_balance():
    series = month_series([("2025-12", 90_000_000, 0), ("2026-02", 0, 9_000_000), ("2026-03", 500, 1_000_000)])
    assert [m.month for m in series] == ["2025-12", "2026-02", "2026-03"]
    assert [m.balance for m in series] == [Money(90_000_000), Money(81_000_000), Money(80_000_500)]
    assert series[2].income == Money(500) and series[2].expenditure == Money(1_000_000)


def test_no_months_no_series():
    assert month_series([]) == []
