"""Warning rules: measures and severities from figures, with the shipped default thresholds."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from medfund_ledger.adapters.config import load_config
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import OpenAlert, transition
from medfund_ledger.domain.thresholds import InvalidThreshold, Threshold
from medfund_shared.money import Money

CST = timezone(timedelta(hours=8))
T = load_config().thresholds
POOL = "500240:390100:2026"
YUAN = 100


def snapshot(**overrides) -> warnings.PoolSnapshot:
    """The seed 004 half year: raised 101,212,100, spent 62,518,100, due 134,191,600."""
    values = dict(pool_id=POOL, income=101_212_100 * YUAN, expenditure=62_518_100 * YUAN, month_income=0,
                  month_expenditure=10_419_683 * YUAN, cumulative_balance=38_694_000 * YUAN,
                  recent_monthly_expenditure=[10_419_683 * YUAN] * 3, planned_expenditure=134_191_600 * YUAN,
                  elapsed_fraction=warnings.elapsed_fraction(datetime(2026, 7, 1, tzinfo=CST), 2026))
    return warnings.PoolSnapshot(**(values | overrides))


def test_the_elapsed_fraction_at_mid_year_is_the_days_gone_over_the_days_in_the_year():
    assert warnings.elapsed_fraction(datetime(2026, 7, 1, tzinfo=CST), 2026) == Decimal(181) / Decimal(365)


def test_seed_004_spending_behind_time_keeps_burn_pace_quiet():
    m = warnings.burn_pace(snapshot(), T["burn_pace"])
    assert m.value == Decimal("-0.0300") and m.severity is None


@pytest.mark.parametrize("planned, severity", [(110_000_000, "yellow"), (90_000_000, "red"), (120_000_000, None)])
def test_burn_pace_is_yellow_over_5_points_and_red_over_15_points_ahead(planned, severity):
    assert warnings.burn_pace(snapshot(planned_expenditure=planned * YUAN), T["burn_pace"]).severity == severity


def test_seed_004_surplus_of_38_percent_of_income_is_red_over_accumulation():
    m = warnings.over_accumulation(snapshot(), T["over_accumulation"])
    assert m.value == Decimal("0.3823") and m.severity == "red" and m.threshold == Decimal("0.25")


def test_a_month_spending_more_than_it_raises_is_a_yellow_deficit_and_a_year_in_deficit_is_red():
    assert warnings.current_deficit(snapshot(), T["current_deficit"]).severity == "yellow"
    assert warnings.current_deficit(snapshot(month_expenditure=0), T["current_deficit"]).severity is None
    red = warnings.current_deficit(snapshot(expenditure=102_000_000 * YUAN), T["current_deficit"])
    assert red.severity == "red" and red.value == Decimal("787900.00")


@pytest.mark.parametrize("balance, severity", [(70_000_000, None), (40_000_000, "yellow"), (20_000_000, "red")])
def test_reserve_months_is_yellow_under_six_and_red_under_three(balance, severity):
    m = warnings.reserve_months(snapshot(cumulative_balance=balance * YUAN), T["reserve_months"])
    assert m.severity == severity


def test_cost_spike_compares_payment_per_inpatient_settlement_with_the_baseline():
    m = warnings.cost_spike(snapshot(inpatient_recent=(12_255, 10), inpatient_baseline=(30_000, 30)), T["cost_spike"])
    assert m.value == Decimal("0.2255") and m.severity == "yellow"
    assert warnings.cost_spike(snapshot(), T["cost_spike"]) is None


@pytest.mark.parametrize("paid, severity", [(79, None), (81, "yellow"), (101, "red")])
def test_an_institution_over_80_percent_of_its_budget_is_yellow_and_over_100_percent_red(paid, severity):
    assert warnings.institution_budget("H001", paid, 100, T["institution_budget"]).severity == severity


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
    assert transition(open_alert, _m("yellow")) is None
    assert transition(OpenAlert("a1", "yellow", "acknowledged"), _m("yellow")) is None
    escalated = transition(open_alert, _m("red"))
    assert (escalated.alert_id, escalated.state, escalated.severity) == ("a1", "firing", "red")
    resolved = transition(open_alert, _m(None))
    assert (resolved.state, resolved.severity) == ("resolved", "yellow")
    assert transition(None, _m(None)) is None
