"""Employee contributions of the Zhenjiang pack: base floor and ceiling, rates, account credits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medfund_shared.money import Money
from medfund_shared.policy.contributions import (
    ContributionInputError,
    EmployeeMember,
    contribution_base,
    employee_contribution,
)
from medfund_shared.policy.loader import load_pack

PACKS = Path(str(resources.files("medfund_shared.policy") / "packs"))
ZHENJIANG = load_pack(PACKS / "321100-310-2013-01-01.yaml")
CHAOYANG = load_pack(PACKS / "211302-390-2015-01-01.yaml")
MONTH = date(2015, 3, 1)


def yuan(value: str) -> Money:
    return Money.from_yuan(value)


@pytest.mark.parametrize(("wage", "base"), [
    ("0", "3600"),
    ("3000", "3600"),
    ("3599.99", "3600"),
    ("3600", "3600"),
    ("3600.01", "3600.01"),
    ("10000", "10000"),
    ("17999.99", "17999.99"),
    ("18000", "18000"),
    ("18000.01", "18000"),
    ("50000", "18000"),
])
def test_base_is_own_wage_between_60_and_300_percent_of_the_provincial_average(wage, base):
    assert contribution_base(ZHENJIANG, yuan(wage)) == yuan(base)


@pytest.mark.parametrize(("birth", "account", "pool"), [
    (date(1970, 3, 2), "400", "700"),
    (date(1970, 3, 1), "500", "600"),
])
def test_account_credit_is_4_percent_before_45_and_5_percent_from_45(birth, account, pool):
    paid = employee_contribution(ZHENJIANG, EmployeeMember(birth, prior_year_average_monthly_wage=yuan("10000")), MONTH)
    assert (paid.base, paid.employer, paid.employee, paid.total) == (
        yuan("10000"), yuan("900"), yuan("200"), yuan("1100"))
    assert (paid.account_credit, paid.pooled_fund) == (yuan(account), yuan(pool))


def test_each_share_is_rounded_half_up_and_the_pool_takes_the_rest():
    paid = employee_contribution(ZHENJIANG, EmployeeMember(date(1980, 1, 1),
                                                           prior_year_average_monthly_wage=yuan("7777.77")), MONTH)
    assert (paid.employer, paid.employee, paid.account_credit, paid.pooled_fund) == (
        yuan("700.00"), yuan("155.56"), yuan("311.11"), yuan("544.45"))


def test_a_retiree_pays_nothing_and_the_pool_finances_6_percent_of_the_pension():
    paid = employee_contribution(ZHENJIANG, EmployeeMember(date(1950, 1, 1), retired=True,
                                                           monthly_pension=yuan("4000")), MONTH)
    assert (paid.total, paid.account_credit, paid.pooled_fund) == (Money.zero(), yuan("240"), yuan("-240"))


@pytest.mark.parametrize("member", [
    EmployeeMember(date(1980, 1, 1)),
    EmployeeMember(date(1950, 1, 1), retired=True),
])
def test_the_amount_the_contribution_is_reckoned_on_is_required(member):
    with pytest.raises(ContributionInputError):
        employee_contribution(ZHENJIANG, member, MONTH)


def test_a_resident_pack_has_no_employee_contribution():
    with pytest.raises(ContributionInputError, match="not an employee scheme"):
        contribution_base(CHAOYANG, yuan("5000"))


@given(wage_fen=st.integers(0, 10_000_000), pension_fen=st.integers(0, 5_000_000),
       birth=st.dates(date(1940, 1, 1), date(2000, 12, 31)), retired=st.booleans(),
       month=st.dates(date(2013, 1, 1), date(2040, 12, 1)))
def test_pool_and_account_add_up_to_the_contribution_exactly(wage_fen, pension_fen, birth, retired, month):
    member = EmployeeMember(birth, retired, Money(wage_fen), Money(pension_fen))
    paid = employee_contribution(ZHENJIANG, member, month)
    assert paid.pooled_fund + paid.account_credit == paid.total
    assert paid.total == paid.employer + paid.employee
    if not retired:
        assert yuan("3600") <= paid.base <= yuan("18000")
        assert paid.employer == paid.base.times(Decimal("0.09"))
        assert paid.account_credit in (paid.base.times(Decimal("0.04")), paid.base.times(Decimal("0.05")))
        assert paid.pooled_fund >= Money.zero()
