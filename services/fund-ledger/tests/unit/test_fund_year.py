"""A whole resident-fund year through the pool rules, month end by month end (docs/fund-alerts.md).

The healthy year is the demo's baseline: the year's amount due collected up front (the window before
the year), spending at the planned 80% of it at an even daily pace, and next year's premiums
collected in the window from September. The overspending year is the demo's story: by mid-year the
fund has paid 46.59% of the amount due (seed 004) against the same plan.
"""

import calendar
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from medfund_ledger.adapters.config import load_config
from medfund_ledger.domain import warnings
from medfund_shared.china_time import CHINA_TIME

T = load_config().thresholds
POOL = "500240:390100:2026"
DUE = 120_000_000
"""1,200,000.00 yuan in fen: the amount due, all collected before 1 January."""
PLANNED = DUE * 8 // 10
NEXT_YEAR_PER_MONTH = DUE // 4
"""Next year's premiums collected September to December."""
DAYS = 365


def _fen(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def spent_through(month: int, pace: int) -> int:
    """Fen spent from 1 January to the end of ``month`` at ``pace`` fen a year, evenly by day."""
    days = sum(calendar.monthrange(2026, m)[1] for m in range(1, month + 1))
    return _fen(Decimal(pace) * days / DAYS)


def month_end_snapshot(month: int, pace: int, next_year_collection: bool = True) -> warnings.PoolSnapshot:
    now = datetime(2026, month, calendar.monthrange(2026, month)[1], 23, 59, 59, tzinfo=CHINA_TIME)
    spent = spent_through(month, pace)
    recent = [spent_through(m, pace) - spent_through(m - 1, pace) for m in range(max(month - 2, 1), month + 1)]
    collected_next = NEXT_YEAR_PER_MONTH * max(month - 8, 0) if next_year_collection else 0
    return warnings.PoolSnapshot(
        pool_id=POOL, income=DUE, expenditure=spent, month_income=0, month_expenditure=recent[-1],
        recent_monthly_expenditure=recent, planned_expenditure=PLANNED,
        elapsed_fraction=warnings.elapsed_fraction(now, 2026), holdings=DUE - spent + collected_next)


def severities(snapshot: warnings.PoolSnapshot) -> dict[str, str]:
    return {m.rule: m.severity for m in warnings.pool_measurements(snapshot, T) if m.severity}


def test_the_healthy_year_shows_no_red_alert_at_any_month_end():
    for month in range(1, 13):
        found = severities(month_end_snapshot(month, PLANNED))
        assert "red" not in found.values(), (month, found)


def test_the_healthy_year_ends_with_the_plans_surplus_over_the_annual_limit_only():
    # 1,200,000 raised, 960,000 spent: 20% surplus > 15% (annual limit), cumulative 20% <= 25%
    m = warnings.over_accumulation(month_end_snapshot(12, PLANNED), T["over_accumulation"])
    assert (m.value, m.severity) == (Decimal("0.2000"), "yellow")


def test_the_healthy_years_reserve_in_december_counts_next_years_premiums():
    # 240,000 left + 1,200,000 collected for next year, over Oct-Dec's 960,000 x 92/365 / 3 a month
    m = warnings.reserve_months(month_end_snapshot(12, PLANNED), T["reserve_months"])
    average = Decimal(PLANNED) * 92 / DAYS / 3
    assert m.value == (Decimal(DUE - PLANNED + DUE) / average).quantize(Decimal("0.01")) == Decimal("17.85")
    assert m.severity is None


def test_a_fund_that_collected_nothing_for_next_year_runs_out_of_reserve_in_december():
    # 240,000 over 80,657.53 a month: 2.98 months, under the red 3: January would find the fund empty
    m = warnings.reserve_months(month_end_snapshot(12, PLANNED, next_year_collection=False), T["reserve_months"])
    assert (m.value, m.severity) == (Decimal("2.98"), "red")


def test_the_overspending_year_fires_burn_pace_at_mid_year_and_nothing_red():
    # 46.59% of the amount due paid by 30 June: 559,080.00 of the 960,000 planned = 58.24% against
    # 181/365 = 49.59% of the year gone: 8.65 points ahead, over the yellow 5 and under the red 15
    pace = _fen(Decimal(DUE) * Decimal("0.4659") * DAYS / 181)
    snapshot = month_end_snapshot(6, pace)
    assert snapshot.expenditure == DUE * 4659 // 10000
    burn = warnings.burn_pace(snapshot, T["burn_pace"])
    assert (burn.value, burn.severity) == (Decimal("0.0865"), "yellow")
    # the year runs to about 1,127,400 < 1,200,000 collected: no deficit projected
    assert severities(snapshot) == {"burn_pace": "yellow"}


def test_individual_accounts_accumulate_without_an_over_accumulation_alert():
    # 310200: credited 1,200,000, spent 100,000 at mid-year: 83% "surplus" that belongs to the account holders
    accounts = warnings.PoolSnapshot(pool_id="321100:310200:2026", income=DUE, expenditure=DUE // 12, month_income=0,
                                     month_expenditure=0, elapsed_fraction=Decimal("0.5"), collected_up_front=False,
                                     rules_not_applicable=load_config().rules_not_applicable["310200"])
    [m] = [m for m in warnings.pool_measurements(accounts, T) if m.rule == "over_accumulation"]
    assert (m.value, m.severity, m.message) == (None, None, "measure undefined: the rule does not apply to this fund")
