"""A pool's books with a candidate's expenditure (issue 25): figures by hand, the shipped default thresholds
(reserve_months yellow under 6 months, red under 3)."""

from decimal import Decimal

from medfund_ledger.adapters.config import load_config
from medfund_ledger.domain.warnings import PoolSnapshot
from medfund_ledger.domain.what_if import pool_what_if, with_expenditure_change

T = load_config().thresholds
YUAN = 100


def pool(**overrides) -> PoolSnapshot:
    """Income 1,000,000, spent 600,000 by June, 100,000 in each of April, May and June: 4 months of reserve."""
    values = dict(pool_id="500240:390100:2026", income=1_000_000 * YUAN, expenditure=600_000 * YUAN, month_income=0,
                  month_expenditure=100_000 * YUAN, recent_monthly_expenditure=[100_000 * YUAN] * 3,
                  recent_months=("2026-06", "2026-05", "2026-04"))
    return PoolSnapshot(**(values | overrides))


def test_the_change_is_booked_in_its_months_and_in_the_year():
    candidate = with_expenditure_change(pool(), {"2026-06": 20_000 * YUAN, "2026-03": 10_000 * YUAN}, "2026-06")
    assert candidate.expenditure == 630_000 * YUAN
    assert candidate.month_expenditure == 120_000 * YUAN
    assert candidate.recent_monthly_expenditure == [120_000 * YUAN, 100_000 * YUAN, 100_000 * YUAN]
    assert candidate.balance == 370_000 * YUAN


def test_a_month_the_ledger_has_not_reached_is_not_booked():
    candidate = with_expenditure_change(pool(), {"2026-07": 50_000 * YUAN}, "2026-06")
    assert candidate == pool()


def test_what_the_fund_holds_for_later_years_moves_with_the_change():
    candidate = with_expenditure_change(pool(holdings=900_000 * YUAN), {"2026-05": -30_000 * YUAN}, "2026-06")
    assert candidate.holdings == 930_000 * YUAN and candidate.expenditure == 570_000 * YUAN


def test_paying_more_shortens_the_reserve_and_turns_it_red():
    """Actual: 400,000 held ÷ 100,000 a month = 4.00 months (yellow). Candidate: 60,000 more in each of the three
    months: 220,000 held ÷ 160,000 a month = 1.38 months (red)."""
    outcome = pool_what_if(pool(), {m: 60_000 * YUAN for m in ("2026-04", "2026-05", "2026-06")}, "2026-06", T)
    actual, candidate = outcome.measure("reserve_months")
    assert actual.value == Decimal("4.00") and actual.severity == "yellow"
    assert candidate.value == Decimal("1.38") and candidate.severity == "red"
    assert outcome.booked_change == 180_000 * YUAN
    assert "reserve_months" in {m.rule for m in outcome.firing}


def test_no_change_measures_the_same():
    outcome = pool_what_if(pool(), {}, "2026-06", T)
    assert [m.value for m in outcome.actual_measures] == [m.value for m in outcome.candidate_measures]
