"""Government subsidy by level and the employee month come from the packs and add up exactly."""

from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest

from medfund_billing.domain.employees import PeriodError, employee_month, period_start
from medfund_billing.domain.government import subsidy_allocation
from medfund_billing.domain.reconciliation import local_day, voucher_digest
from medfund_shared.money import Money
from medfund_shared.policy.contributions import EmployeeMember
from medfund_shared.policy.pack_set import PackSet

PACK_SET = PackSet.load()


def test_the_subsidy_shares_add_up_to_the_per_capita_amount():
    allocation = subsidy_allocation(PACK_SET.get("500240-390-2026-01-01"))
    assert allocation.amount == Money.from_yuan("420")
    assert sum((amount for _, amount in allocation.shares), Money(0)) == allocation.amount
    assert [level for level, _ in allocation.shares] == ["central", "provincial", "county"]


def test_a_pack_without_shares_allocates_the_whole_subsidy_without_levels():
    allocation = subsidy_allocation(PACK_SET.get("211302-390-2015-01-01"))
    assert (allocation.amount, allocation.shares) == (Money.from_yuan("380"), ())


def test_an_employee_month_splits_exactly_between_pool_and_account():
    pack = PACK_SET.get("321100-310-2013-01-01")
    month = employee_month(pack, EmployeeMember(date(1990, 5, 1), prior_year_average_monthly_wage=Money.from_yuan(
        "6000.00")), "2026-03")
    assert (month.base, month.employer, month.employee, month.account) == (
        Money.from_yuan("6000"), Money.from_yuan("540"), Money.from_yuan("120"), Money.from_yuan("240"))
    assert month.pool + month.account == month.employer + month.employee


def test_a_wage_below_the_floor_is_raised_to_it_and_a_retiree_pays_nothing():
    pack = PACK_SET.get("321100-310-2013-01-01")
    low = employee_month(pack, EmployeeMember(date(1990, 5, 1), prior_year_average_monthly_wage=Money.from_yuan(
        "1000")), "2026-03")
    retiree = employee_month(pack, EmployeeMember(date(1950, 5, 1), retired=True,
                                                  monthly_pension=Money.from_yuan("4000")), "2026-03")
    assert low.base == Money.from_yuan("3600")
    assert (retiree.employer, retiree.employee, retiree.account, retiree.pool) == (
        Money(0), Money(0), Money.from_yuan("240"), -Money.from_yuan("240"))


def test_a_period_must_be_year_and_month():
    assert period_start("2026-03") == date(2026, 3, 1)
    with pytest.raises(PeriodError):
        period_start("2026-3")


def test_the_reconciliation_day_is_the_tax_offices_local_day():
    from datetime import datetime

    assert local_day(datetime(2025, 11, 20, 16, 30, tzinfo=UTC), ZoneInfo("Asia/Shanghai")) == date(2025, 11, 21)
    assert voucher_digest(["b", "a"]) == voucher_digest(["a", "b"])
