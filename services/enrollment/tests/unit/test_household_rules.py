from dataclasses import replace
from datetime import date

import pytest
from idnumbers import make_certno

from medfund_enrollment.domain.categories import primary_category
from medfund_enrollment.domain.errors import InvalidRequest
from medfund_enrollment.domain.household import HouseholdApplication, Kind, MemberApplication, plan_household
from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import ResidentCategory as C
from medfund_shared.policy.pack_set import PackSet

PACK_SET = PackSet.load()
SHIZHU = PACK_SET.in_force("500240", "390", date(2026, 1, 1))
CHAOYANG = PACK_SET.in_force("211302", "390", date(2026, 1, 1))


def member(brdy: date, *categories: str, serial: int = 1, region: str = "500240") -> MemberApplication:
    return MemberApplication(make_certno(brdy, serial, region=region), "张三", "1", brdy, categories or ("adult",))


def household(pack, tier, *members, enrolled_on=date(2025, 10, 15), year=2026) -> HouseholdApplication:
    return HouseholdApplication(pack.admdvs, "390", year, tier, tuple(members), enrolled_on)


def test_a_tiered_region_needs_one_of_its_tiers_for_the_household():
    with pytest.raises(InvalidRequest) as refused:
        plan_household(SHIZHU, household(SHIZHU, None, member(date(1980, 1, 1))))
    assert (refused.value.code, refused.value.field) == ("unknown_tier", "tier")
    with pytest.raises(InvalidRequest):
        plan_household(SHIZHU, household(SHIZHU, "tier3", member(date(1980, 1, 1))))


def test_a_region_without_tiers_refuses_a_tier():
    with pytest.raises(InvalidRequest) as refused:
        plan_household(CHAOYANG, household(CHAOYANG, "tier1", member(date(1980, 1, 1), region="211302")))
    assert refused.value.code == "unknown_tier"


def test_every_member_of_a_household_pays_the_households_tier():
    plans = plan_household(SHIZHU, household(SHIZHU, "tier2", member(date(1980, 1, 1)),
                                             member(date(2015, 6, 1), "minor", serial=2)))
    assert [p.premium_due for p in plans] == [Money.from_yuan("350.00")] * 2


def test_the_same_person_twice_in_one_household_is_refused():
    adult = member(date(1980, 1, 1))
    with pytest.raises(InvalidRequest) as refused:
        plan_household(SHIZHU, household(SHIZHU, "tier1", adult, adult))
    assert (refused.value.code, refused.value.field) == ("duplicate_member", "members.1.certno")


def test_an_unknown_category_names_the_member_field():
    with pytest.raises(InvalidRequest) as refused:
        plan_household(SHIZHU, household(SHIZHU, "tier1", member(date(1980, 1, 1), "martian")))
    assert (refused.value.code, refused.value.field) == ("unknown_category", "members.0.category")


def test_the_most_favourable_category_wins_and_sets_the_premium():
    plans = plan_household(CHAOYANG, household(CHAOYANG, None, member(date(1980, 1, 1), "adult", "dibao")))
    assert plans[0].category == "dibao"
    assert plans[0].premium_due == Money.zero()
    assert plans[0].on_behalf_due == Money.from_yuan("190.00")


def test_full_government_payment_beats_a_partial_subsidy():
    chosen = primary_category(SHIZHU, frozenset({C.DISABLED_MODERATE, C.TEKUN, C.ADULT}), date(1970, 1, 1),
                              "tier1", 2026, date(2025, 10, 1))
    assert chosen is C.TEKUN


def test_equal_premiums_are_decided_by_the_richer_benefits():
    chosen = primary_category(CHAOYANG, frozenset({C.ENTITLED, C.DIBAO, C.TEKUN}), date(1970, 1, 1),
                              None, 2026, date(2025, 10, 1))
    assert chosen is C.TEKUN


def test_a_student_pays_the_student_band_where_it_is_cheaper():
    plans = plan_household(CHAOYANG, household(CHAOYANG, None, member(date(2004, 1, 1), "student")))
    assert (plans[0].category, plans[0].premium_due) == ("student", Money.from_yuan("50.00"))


def test_a_baby_enrolled_within_the_newborn_days_is_a_newborn():
    plans = plan_household(CHAOYANG, household(CHAOYANG, None, member(date(2026, 3, 1), "minor"),
                                               enrolled_on=date(2026, 5, 20)))
    assert plans[0].kind is Kind.NEWBORN
    assert plans[0].premium_due == Money.zero()


def test_someone_insured_last_year_renews_and_others_are_new():
    adult, other = member(date(1980, 1, 1)), member(date(1981, 1, 1), serial=2)
    plans = plan_household(SHIZHU, household(SHIZHU, "tier1", adult, other), renewing=frozenset({adult.certno}))
    assert [p.kind for p in plans] == [Kind.RENEWAL, Kind.NEW]


@pytest.mark.parametrize(("given", "kept"), [(None, None), ("", None), (" ab12 ", "AB12"), ("9" * 20, "9" * 20)])
def test_a_card_number_is_optional_and_kept_upper_cased(given, kept):
    plan = plan_household(CHAOYANG, household(CHAOYANG, None, replace(member(date(1980, 1, 1), region="211302"),
                                                                      ssc_no=given)))[0]
    assert plan.ssc_no == kept


@pytest.mark.parametrize("given", ["9" * 21, "AB-12", "卡1", "A B"])
def test_a_malformed_card_number_names_the_member_field(given):
    with pytest.raises(InvalidRequest) as refused:
        plan_household(CHAOYANG, household(CHAOYANG, None, replace(member(date(1980, 1, 1), region="211302"),
                                                                   ssc_no=given)))
    assert (refused.value.code, refused.value.field) == ("invalid_ssc_no", "members.0.ssc_no")
