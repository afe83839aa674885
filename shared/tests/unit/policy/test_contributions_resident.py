"""Resident premiums of the shipped packs: every band, tier and category, newborns, subsidies."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import ResidentCategory
from medfund_shared.policy.contributions import (
    ContributionInputError,
    ResidentPerson,
    SubsidyLine,
    resident_premium,
)
from medfund_shared.policy.loader import load_pack

PACKS = Path(str(resources.files("medfund_shared.policy") / "packs"))
CHAOYANG = load_pack(PACKS / "211302-390-2015-01-01.yaml")
PINGYANG = load_pack(PACKS / "330326-390-2019-01-01.yaml")
SHIZHU = load_pack(PACKS / "500240-390-2026-01-01.yaml")
ZHENJIANG = load_pack(PACKS / "321100-310-2013-01-01.yaml")

ADULT_BIRTH = date(1980, 5, 5)
MINOR_BIRTH = date(2008, 7, 1)


def yuan(value: str) -> Money:
    return Money.from_yuan(value)


def premium(pack, *categories: str, birth: date = ADULT_BIRTH, tier: str | None = None,
            year: int | None = None, enrolled_on: date | None = None):
    year = year or pack.effective_from.year
    enrolled_on = enrolled_on or date(year - 1, 12, 1)
    return resident_premium(pack, ResidentPerson(birth, frozenset(categories), tier), year, enrolled_on)


@pytest.mark.parametrize(("categories", "birth", "individual", "on_behalf", "applied"), [
    ((), ADULT_BIRTH, "190", "0", "adult"),
    ((), date(2000, 1, 2), "50", "0", "minor"),
    (("student",), date(1995, 9, 1), "50", "0", "student"),
    (("dibao",), ADULT_BIRTH, "0", "190", "dibao"),
    (("dibao",), MINOR_BIRTH, "0", "50", "dibao"),
    (("tekun",), ADULT_BIRTH, "0", "190", "tekun"),
    (("disabled_severe",), ADULT_BIRTH, "0", "190", "disabled_severe"),
    (("entitled",), ADULT_BIRTH, "0", "190", "entitled"),
    (("disabled_moderate",), ADULT_BIRTH, "190", "0", "adult"),
    (("poverty_registered",), ADULT_BIRTH, "190", "0", "adult"),
    (("family_planning",), ADULT_BIRTH, "190", "0", "adult"),
    (("orphan",), MINOR_BIRTH, "50", "0", "minor"),
])
def test_chaoyang_premium_by_category(categories, birth, individual, on_behalf, applied):
    due = premium(CHAOYANG, *categories, birth=birth)
    assert (due.individual, due.on_behalf, due.waived, due.applied) == (
        yuan(individual), yuan(on_behalf), Money.zero(), applied)


@pytest.mark.parametrize(("birth", "band", "individual"), [
    (date(1997, 1, 1), ResidentCategory.ADULT, "190"),
    (date(1997, 1, 2), ResidentCategory.MINOR, "50"),
])
def test_minor_is_under_eighteen_on_the_first_day_of_the_insurance_year(birth, band, individual):
    due = premium(CHAOYANG, birth=birth, year=2015)
    assert (due.band, due.individual) == (band, yuan(individual))


@pytest.mark.parametrize(("enrolled_after_days", "individual", "waived"), [(90, "0", "50"), (91, "50", "0")])
def test_chaoyang_newborn_premium_is_waived_only_within_ninety_days(enrolled_after_days, individual, waived):
    birth = date(2015, 3, 10)
    due = premium(CHAOYANG, birth=birth, enrolled_on=birth + timedelta(days=enrolled_after_days))
    assert (due.individual, due.on_behalf, due.waived) == (yuan(individual), Money.zero(), yuan(waived))


def test_chaoyang_newborn_relief_is_for_the_birth_year_only():
    due = premium(CHAOYANG, birth=date(2014, 12, 20), year=2015, enrolled_on=date(2015, 1, 5))
    assert (due.individual, due.applied) == (yuan("50"), "minor")


def test_chaoyang_subsidy_is_one_government_line():
    assert premium(CHAOYANG).subsidy == (SubsidyLine("government", yuan("380")),)


@pytest.mark.parametrize(("categories", "individual", "on_behalf"), [
    ((), "210", "0"),
    (("student",), "210", "0"),
    (("tekun",), "0", "210"),
    (("dibao",), "0", "210"),
    (("disabled_severe",), "0", "210"),
    (("orphan",), "0", "210"),
    (("entitled",), "210", "0"),
    (("disabled_moderate",), "210", "0"),
])
def test_pingyang_premium_by_category(categories, individual, on_behalf):
    due = premium(PINGYANG, *categories)
    assert (due.standard, due.individual, due.on_behalf) == (yuan("210"), yuan(individual), yuan(on_behalf))


def test_pingyang_minor_pays_the_same_premium():
    assert premium(PINGYANG, birth=MINOR_BIRTH).individual == yuan("210")


def test_pingyang_newborn_premium_is_paid_by_the_government_whenever_enrolled_in_the_birth_year():
    due = premium(PINGYANG, birth=date(2019, 5, 1), enrolled_on=date(2019, 12, 1))
    assert (due.individual, due.on_behalf, due.waived, due.applied) == (
        Money.zero(), yuan("210"), Money.zero(), "newborn")


def test_pingyang_subsidy_is_one_line_of_480():
    assert premium(PINGYANG).subsidy == (SubsidyLine("government", yuan("480")),)


@pytest.mark.parametrize(("categories", "tier", "individual", "on_behalf", "applied"), [
    ((), "tier1", "140", "0", "adult"),
    ((), "tier2", "350", "0", "adult"),
    (("student",), "tier1", "140", "0", "adult"),
    (("tekun",), "tier1", "0", "140", "tekun"),
    (("tekun",), "tier2", "0", "350", "tekun"),
    (("disabled_severe",), "tier2", "0", "350", "disabled_severe"),
    (("entitled",), "tier2", "0", "350", "entitled"),
    (("family_planning",), "tier1", "0", "140", "family_planning"),
    (("dibao",), "tier1", "0", "140", "dibao"),
    (("dibao",), "tier2", "210", "140", "dibao"),
    (("poverty_registered",), "tier1", "0", "140", "poverty_registered"),
    (("poverty_registered",), "tier2", "210", "140", "poverty_registered"),
    (("disabled_moderate",), "tier1", "56", "84", "disabled_moderate"),
    (("disabled_moderate",), "tier2", "266", "84", "disabled_moderate"),
    (("disabled_moderate", "dibao"), "tier1", "0", "140", "dibao"),
    (("disabled_moderate", "tekun"), "tier2", "0", "350", "tekun"),
    (("dibao", "tekun"), "tier2", "0", "350", "tekun"),
    (("orphan",), "tier1", "140", "0", "adult"),
])
def test_shizhu_premium_by_tier_and_category(categories, tier, individual, on_behalf, applied):
    due = premium(SHIZHU, *categories, tier=tier)
    assert (due.individual, due.on_behalf, due.applied) == (yuan(individual), yuan(on_behalf), applied)


def test_shizhu_newborn_pays_the_tier_premium():
    due = premium(SHIZHU, birth=date(2026, 4, 1), tier="tier1", enrolled_on=date(2026, 4, 2))
    assert (due.individual, due.applied) == (yuan("140"), "minor")


def test_shizhu_subsidy_is_split_by_level_of_government():
    assert premium(SHIZHU, tier="tier1").subsidy == (
        SubsidyLine("central", yuan("336")), SubsidyLine("provincial", yuan("42")),
        SubsidyLine("county", yuan("42")))


@pytest.mark.parametrize(("paid", "in_full"), [("139.99", False), ("140.00", True), ("150.00", True)])
def test_paying_the_individual_premium_counts_as_paid_in_full(paid, in_full):
    assert premium(SHIZHU, tier="tier1").is_paid_in_full(yuan(paid)) is in_full


def test_a_person_paid_for_in_full_by_the_government_is_paid_in_full_with_nothing():
    assert premium(CHAOYANG, "dibao").is_paid_in_full(Money.zero())


@pytest.mark.parametrize(("pack", "tier"), [(SHIZHU, None), (SHIZHU, "tier3"), (CHAOYANG, "tier1")])
def test_the_tier_must_be_one_the_pack_offers(pack, tier):
    with pytest.raises(ContributionInputError, match="tier"):
        premium(pack, tier=tier)


def test_an_unknown_category_is_refused():
    with pytest.raises(ContributionInputError, match="veteran"):
        premium(CHAOYANG, "veteran")


def test_an_employee_pack_has_no_resident_premium():
    with pytest.raises(ContributionInputError, match="not a resident scheme"):
        premium(ZHENJIANG, year=2015)


RESIDENT_CASES = st.sampled_from([(CHAOYANG, None), (PINGYANG, None), (SHIZHU, "tier1"), (SHIZHU, "tier2")])


@given(case=RESIDENT_CASES,
       categories=st.frozensets(st.sampled_from([c.value for c in ResidentCategory])),
       birth=st.dates(date(1920, 1, 1), date(2030, 12, 31)),
       enrolled_after=st.integers(0, 400))
def test_the_standard_premium_is_always_paid_waived_or_paid_on_behalf(case, categories, birth, enrolled_after):
    pack, tier = case
    year = pack.effective_from.year + 2
    due = resident_premium(pack, ResidentPerson(birth, categories, tier), year, birth + timedelta(days=enrolled_after))
    assert due.individual + due.on_behalf + due.waived == due.standard
    assert min(due.individual, due.on_behalf, due.waived) >= Money.zero()
    assert due.subsidy_total == pack.contributions.resident.subsidy.per_capita
