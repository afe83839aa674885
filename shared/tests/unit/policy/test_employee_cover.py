"""Employee-scheme cover, retiree minimum years, late fee and flexible workers (321100), figures by hand."""

from datetime import date

import pytest

from medfund_shared.money import Money
from medfund_shared.policy.contributions import ContributionInputError, flexible_worker_contribution
from medfund_shared.policy.employee_cover import (
    EmployeeCover,
    EmployeeCoverInputError,
    employee_cover,
    late_fee,
    period_month,
    retiree_years_shortfall,
)
from medfund_shared.policy.pack_set import PackSet

PACK_SET = PackSet.load()
ZHENJIANG = PACK_SET.in_force("321100", "310", date(2026, 1, 1))
SHIZHU = PACK_SET.in_force("500240", "390", date(2026, 1, 1))


def months(*periods: str) -> list[date]:
    return [period_month(p) for p in periods]


def test_cover_starts_on_the_first_day_of_the_first_month_paid():
    assert employee_cover(ZHENJIANG, months("2026-03", "2026-04"), date(2026, 4, 1)) == \
        EmployeeCover(date(2026, 3, 1), None)


def test_nothing_paid_is_no_cover():
    assert employee_cover(ZHENJIANG, [], date(2026, 4, 1)) is None


def test_two_overdue_unpaid_months_still_cover():
    # paid Jan; Feb and Mar overdue once April is declared in the region: 2 < 3
    assert employee_cover(ZHENJIANG, months("2026-01"), date(2026, 4, 1)).suspended_since is None


def test_after_three_unpaid_months_cover_is_suspended_from_the_month_after_them():
    # paid Jan; Feb, Mar, Apr overdue once May is declared: suspended from 1 May
    assert employee_cover(ZHENJIANG, months("2026-01"), date(2026, 5, 1)) == \
        EmployeeCover(date(2026, 1, 1), date(2026, 5, 1))


def test_paying_the_missed_months_back_restores_cover():
    assert employee_cover(ZHENJIANG, months("2026-01", "2026-02", "2026-03", "2026-04"),
                          date(2026, 5, 1)).suspended_since is None


def test_a_gap_of_three_between_paid_months_suspends_even_when_later_months_are_paid():
    cover = employee_cover(ZHENJIANG, months("2026-01", "2026-05", "2026-06"), date(2026, 6, 1))
    assert cover.suspended_since == date(2026, 5, 1)


def test_months_before_the_first_one_paid_are_not_owed():
    assert employee_cover(ZHENJIANG, months("2026-06"), date(2026, 7, 1)) == EmployeeCover(date(2026, 6, 1), None)


def test_a_resident_pack_is_no_employee_scheme():
    with pytest.raises(EmployeeCoverInputError):
        employee_cover(SHIZHU, months("2026-01"), date(2026, 2, 1))


@pytest.mark.parametrize(("gend", "years", "short"), [("1", 30, False), ("1", 29, True), ("2", 25, False),
                                                      ("2", 24, True), ("2", 29, False)])
def test_a_retiree_needs_30_years_as_a_man_and_25_as_a_woman(gend, years, short):
    reason = retiree_years_shortfall(ZHENJIANG, gend, years)
    assert (reason is not None) == short
    if short:
        assert f"{years} contribution years" in reason


@pytest.mark.parametrize(("paid_on", "fee"), [
    (date(2026, 4, 15), "0.00"),     # due by 15 April for March: on time
    (date(2026, 4, 16), "0.33"),     # 660.00 × 0.0005 × 1 = 0.33
    (date(2026, 5, 15), "9.90"),     # 30 days: 660.00 × 0.015 = 9.90
    (date(2026, 4, 25), "3.30"),     # 10 days: 660.00 × 0.005 = 3.30
])
def test_a_late_month_owes_half_a_per_mille_a_day_after_the_15th_of_the_next_month(paid_on, fee):
    assert late_fee(ZHENJIANG, date(2026, 3, 1), Money.from_yuan("660.00"), paid_on) == Money.from_yuan(fee)


def test_a_flexible_worker_pays_11_percent_of_the_chosen_base_all_personal():
    under_45 = flexible_worker_contribution(ZHENJIANG, date(1990, 6, 1), Money.from_yuan("5000.00"), date(2026, 3, 1))
    # 5000 × 11% = 550.00; account 4% = 200.00; pool 350.00
    assert (under_45.employer, under_45.employee, under_45.account_credit, under_45.pooled_fund) == (
        Money.zero(), Money.from_yuan("550.00"), Money.from_yuan("200.00"), Money.from_yuan("350.00"))
    from_45 = flexible_worker_contribution(ZHENJIANG, date(1981, 3, 1), Money.from_yuan("5000.00"), date(2026, 3, 1))
    # 45 on 1 March 2026: account 5% = 250.00; pool 300.00
    assert (from_45.account_credit, from_45.pooled_fund) == (Money.from_yuan("250.00"), Money.from_yuan("300.00"))


@pytest.mark.parametrize("base", ["3599.99", "18000.01"])
def test_a_flexible_base_outside_the_floor_and_ceiling_is_refused(base):
    # floor 72000 / 12 × 0.6 = 3600.00; ceiling × 3 = 18000.00
    with pytest.raises(ContributionInputError, match="base"):
        flexible_worker_contribution(ZHENJIANG, date(1990, 1, 1), Money.from_yuan(base), date(2026, 3, 1))
