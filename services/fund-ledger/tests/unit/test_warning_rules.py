"""Warning rules: measures and severities from figures, with the shipped default thresholds."""

from datetime import datetime
from decimal import Decimal

import pytest

from medfund_ledger.adapters.config import load_config
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import OpenAlert, transition
from medfund_ledger.domain.thresholds import InvalidThreshold, Threshold
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money

T = load_config().thresholds
POOL = "500240:390100:2026"
YUAN = 100


def snapshot(**overrides) -> warnings.PoolSnapshot:
    """The seed 004 half year: raised 101,212,100, spent 62,518,100, due 134,191,600."""
    values = dict(pool_id=POOL, income=101_212_100 * YUAN, expenditure=62_518_100 * YUAN, month_income=0,
                  month_expenditure=10_419_683 * YUAN, carried_over=0,
                  recent_monthly_expenditure=[10_419_683 * YUAN] * 3, planned_expenditure=134_191_600 * YUAN,
                  elapsed_fraction=warnings.elapsed_fraction(datetime(2026, 7, 1, tzinfo=CHINA_TIME), 2026))
    return warnings.PoolSnapshot(**(values | overrides))


def test_the_elapsed_fraction_at_mid_year_is_the_days_gone_over_the_days_in_the_year():
    assert warnings.elapsed_fraction(datetime(2026, 7, 1, tzinfo=CHINA_TIME), 2026) == Decimal(181) / Decimal(365)


def test_seed_004_spending_behind_time_keeps_burn_pace_quiet():
    m = warnings.burn_pace(snapshot(), T["burn_pace"])
    assert m.value == Decimal("-0.0300") and m.severity is None


@pytest.mark.parametrize("planned, severity", [(110_000_000, "yellow"), (90_000_000, "red"), (120_000_000, None)])
def test_burn_pace_is_yellow_over_5_points_and_red_over_15_points_ahead(planned, severity):
    assert warnings.burn_pace(snapshot(planned_expenditure=planned * YUAN), T["burn_pace"]).severity == severity


def pool(income, expenditure, elapsed="0.5", **overrides) -> warnings.PoolSnapshot:
    """A pool with round figures in yuan, ``elapsed`` of its year gone."""
    values = dict(pool_id=POOL, income=income * YUAN, expenditure=expenditure * YUAN, month_income=0,
                  month_expenditure=0, elapsed_fraction=Decimal(elapsed))
    return warnings.PoolSnapshot(**(values | overrides))


def test_over_accumulation_projects_the_year_end_and_crosses_the_annual_limit_alone_for_yellow():
    # 480,000 spent at mid-year runs to 960,000 by year end: surplus 240,000 of 1,200,000 = 20% > 15%;
    # cumulative 20% (nothing brought forward) <= 25%
    m = warnings.over_accumulation(pool(1_200_000, 480_000), T["over_accumulation"])
    assert (m.value, m.severity, m.threshold) == (Decimal("0.2000"), "yellow", Decimal("0.15"))
    assert dict(m.details) == {"annual_surplus_ratio": Decimal("0.2000"), "cumulative_surplus_ratio": Decimal("0.2000")}


def test_over_accumulation_is_red_when_both_limits_are_crossed():
    # (120,000 brought forward + 240,000) / 1,200,000 = 30% > 25%, and the year's 20% > 15%
    m = warnings.over_accumulation(pool(1_200_000, 480_000, carried_over=120_000 * YUAN), T["over_accumulation"])
    assert (m.severity, m.threshold) == ("red", Decimal("0.25"))
    assert dict(m.details)["cumulative_surplus_ratio"] == Decimal("0.3000")


def test_the_cumulative_limit_alone_is_yellow_at_the_cumulative_threshold():
    # 540,000 at mid-year -> 1,080,000: the year's surplus 10%; (200,000 + 120,000) / 1,200,000 = 26.67%
    m = warnings.over_accumulation(pool(1_200_000, 540_000, carried_over=200_000 * YUAN), T["over_accumulation"])
    assert (m.value, m.severity, m.threshold) == (Decimal("0.1000"), "yellow", Decimal("0.25"))
    assert "cumulative limit crossed" in m.message


def test_surplus_of_year_to_date_income_early_in_the_year_is_no_over_accumulation():
    # a quarter in: 300,000 spent of 1,200,000 collected up front is 75% "surplus" so far, but the year
    # runs to 1,200,000 of expenditure: no surplus at year end
    m = warnings.over_accumulation(pool(1_200_000, 300_000, elapsed="0.25"), T["over_accumulation"])
    assert (m.value, m.severity) == (Decimal("0.0000"), None)


def test_over_accumulation_is_undefined_before_the_year_starts_or_without_income():
    before = warnings.over_accumulation(pool(1_200_000, 0, elapsed="0"), T["over_accumulation"])
    assert before.value is None and "not started" in before.message
    assert warnings.over_accumulation(pool(0, 10_000), T["over_accumulation"]).value is None


def test_a_fund_collected_up_front_is_in_deficit_only_when_its_year_projects_one():
    # 660,000 spent at mid-year -> 1,320,000 by year end against 1,200,000 collected: 120,000 projected deficit
    m = warnings.current_deficit(pool(1_200_000, 660_000), T["current_deficit"])
    assert (m.value, m.severity) == (Decimal("120000.00"), "yellow")
    # a month with no income after collection ended is no deficit when the year holds
    m = warnings.current_deficit(pool(1_200_000, 540_000, month_expenditure=90_000 * YUAN), T["current_deficit"])
    assert (m.value, m.severity) == (Decimal("-120000.00"), None)


def test_a_year_to_date_deficit_is_red():
    m = warnings.current_deficit(pool(1_200_000, 1_250_000), T["current_deficit"])
    assert (m.value, m.severity) == (Decimal("50000.00"), "red")


def test_a_fund_with_monthly_income_projects_its_income_too_and_watches_the_month():
    # 600,000 in half a year -> 1,200,000; 540,000 -> 1,080,000: no projected deficit
    healthy = pool(600_000, 540_000, collected_up_front=False)
    assert warnings.current_deficit(healthy, T["current_deficit"]).severity is None
    # but this month spent 130,000 against 100,000 raised: the month is in deficit
    month = warnings.current_deficit(pool(600_000, 540_000, collected_up_front=False, month_income=100_000 * YUAN,
                                          month_expenditure=130_000 * YUAN), T["current_deficit"])
    assert (month.value, month.severity) == (Decimal("30000.00"), "yellow")
    assert month.message.startswith("current-month deficit")


def test_the_deficit_is_undefined_before_the_year_starts():
    m = warnings.current_deficit(pool(1_200_000, 0, elapsed="0"), T["current_deficit"])
    assert m.value is None and m.severity is None


@pytest.mark.parametrize("spent, severity", [(600_000, None), (900_000, "yellow"), (1_000_000, "red")])
def test_reserve_months_on_the_pools_balance_is_yellow_under_six_and_red_under_three(spent, severity):
    # balance 600,000 / 300,000 / 200,000 over 100,000 a month: 6, 3 and 2 months
    m = warnings.reserve_months(pool(1_200_000, spent, recent_monthly_expenditure=[100_000 * YUAN] * 3),
                                T["reserve_months"])
    assert m.severity == severity


def test_reserve_months_counts_what_the_fund_holds_for_later_years():
    # December: 240,000 left of this year, 1,200,000 collected for next year, 80,000 spent a month
    m = warnings.reserve_months(pool(1_200_000, 960_000, recent_monthly_expenditure=[80_000 * YUAN] * 3,
                                     holdings=1_440_000 * YUAN), T["reserve_months"])
    assert (m.value, m.severity) == (Decimal("18.00"), None)
    assert dict(m.details) == {"holdings": Decimal("1440000.00"), "average_monthly_expenditure": Decimal("80000.00")}


def test_reserve_months_is_undefined_without_recent_expenditure():
    m = warnings.reserve_months(pool(1_200_000, 0, recent_monthly_expenditure=[0, 0, 0]), T["reserve_months"])
    assert m.value is None and "no expenditure" in m.message


def test_cost_spike_compares_payment_per_inpatient_settlement_with_the_baseline():
    m = warnings.cost_spike(snapshot(inpatient_recent=(12_255, 10), inpatient_baseline=(30_000, 30)), T["cost_spike"])
    assert m.value == Decimal("0.2255") and m.severity == "yellow"
    assert warnings.cost_spike(snapshot(), T["cost_spike"]).value is None


def test_cost_spike_says_nothing_about_windows_with_too_few_settlements():
    few = snapshot(inpatient_recent=(40_000, 2), inpatient_baseline=(30_000, 30), inpatient_minimum=10)
    m = warnings.cost_spike(few, T["cost_spike"])
    assert m.value is None and m.severity is None and "fewer than 10" in m.message
    enough = snapshot(inpatient_recent=(12_255, 10), inpatient_baseline=(30_000, 30), inpatient_minimum=10)
    assert warnings.cost_spike(enough, T["cost_spike"]).value is not None


@pytest.mark.parametrize("paid, severity", [(79, None), (81, "yellow"), (101, "red")])
def test_an_institution_over_80_percent_of_its_budget_is_yellow_and_over_100_percent_red(paid, severity):
    assert warnings.institution_budget("H001", paid, 100, T["institution_budget"], 2026).severity == severity


def test_an_institution_without_a_budget_for_the_year_has_no_measure():
    m = warnings.institution_budget("H001", 500, None, T["institution_budget"], 2027)
    assert m.value is None and "no global budget for 2027" in m.message


def test_a_large_claim_is_measured_in_yuan_of_fund_payment():
    m = warnings.large_claim("S1", Money.from_yuan("100000.01"), T["large_claim"])
    assert m.severity == "yellow" and m.value == Decimal("100000.01")


def test_thresholds_refuse_red_milder_than_yellow():
    with pytest.raises(InvalidThreshold):
        Threshold(Decimal("0.2"), Decimal("0.1"))


def _m(severity):
    return warnings.Measurement("burn_pace", "pool", POOL, Decimal("0.1"), severity, Decimal("0.05"), "")


def test_an_alert_fires_on_first_crossing_then_changes_only_with_severity_and_resolves_under_yellow():
    first = transition(None, _m("yellow"))
    assert first.state == "firing" and first.alert_id is None
    open_alert = OpenAlert("a1", "yellow", "firing")
    assert transition(open_alert, _m("yellow")).refresh
    escalated = transition(open_alert, _m("red"))
    assert (escalated.alert_id, escalated.state, escalated.severity) == ("a1", "firing", "red")
    resolved = transition(open_alert, _m(None))
    assert (resolved.state, resolved.severity) == ("resolved", "yellow")
    assert transition(None, _m(None)) is None


def test_an_unchanged_condition_refreshes_the_measure_without_a_new_state():
    refresh = transition(OpenAlert("a1", "yellow", "acknowledged"), _m("yellow"))
    assert (refresh.alert_id, refresh.state, refresh.severity) == ("a1", "acknowledged", "yellow")
    assert refresh.refresh
    assert refresh.measurement.value == Decimal("0.1")


def test_an_alert_whose_measure_becomes_undefined_resolves_saying_why():
    gone = warnings.burn_pace(pool(1_200_000, 10_000), T["burn_pace"])
    resolved = transition(OpenAlert("a1", "yellow", "firing"), gone)
    assert (resolved.state, resolved.refresh, resolved.measurement.value) == ("resolved", False, None)
    assert resolved.measurement.message == "measure undefined: the pool has no planned expenditure"
