"""Single rules of the settlement engine, one at a time."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from medfund_adjudication.domain.settlement import Accumulators, SettlementRefused, reverse, settle
from medfund_adjudication.domain.settlement.catastrophic import progressive_value
from medfund_adjudication.domain.settlement.visit import area_of
from medfund_shared.money import Money
from medfund_shared.policy.ages import age_on

DAY = date(2026, 3, 1)


def _settle(packs, catalogue, v, ytd=None):
    ytd = ytd or Accumulators()
    return settle(v, packs.in_force(v.person.admdvs, v.person.insutype, v.admission_date), catalogue, ytd)


def test_age_counts_whole_years_and_changes_on_the_birthday():
    assert age_on(date(1956, 3, 2), date(2026, 3, 1)) == 69
    assert age_on(date(1956, 3, 2), date(2026, 3, 2)) == 70


def test_area_is_county_then_city_by_the_first_four_digits_then_elsewhere():
    assert area_of("211302", "211302") == "in_county"
    assert area_of("211302", "211303") == "in_city"
    assert area_of("211302", "210102") == "out_of_city"


def test_an_unknown_code_is_paid_as_class_c_and_the_settlement_says_so(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("211302", "21", [build.fee("7", "XYZ", "100")]))
    assert r.fulamt_ownpay_amt == build.yuan("100") and r.inscp_scp_amt == Money(0)
    assert not r.items[0].in_catalogue and r.items[0].item_class == "C"
    assert "item 7: code XYZ is not in the catalogue" in r.setl_proc_info


def test_every_fund_row_names_the_pack_and_its_version(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("211302", "21", [build.fee("1", "A", "100000")], category="tekun"))
    assert [row.fund_pay_type for row in r.setldetail] == ["390100", "390200", "610100"]
    assert all(row.setl_proc_info.startswith("pack 211302-390-2015-01-01 v1:") for row in r.setldetail)
    assert "annual payment cap 60000.00" in r.setldetail[0].setl_proc_info
    assert r.pack_hash == packs.get("211302-390-2015-01-01").content_hash


def test_the_unreferred_penalty_applies_out_of_county_only(packs, catalogue, build):
    items = [build.fee("1", "A", "10000")]
    in_county = _settle(packs, catalogue, build.visit("211302", "21", items, level="tertiary"))
    out_of_city = _settle(packs, catalogue, build.visit("211302", "21", items, level="tertiary",
                                                          institution_admdvs="210102"))
    referred = _settle(packs, catalogue, build.visit("211302", "21", items, level="tertiary",
                                                       institution_admdvs="210102", referred=True))
    assert (in_county.pool_prop_selfpay, out_of_city.pool_prop_selfpay, referred.pool_prop_selfpay) == (
        Decimal("0.65"), Decimal("0.45"), Decimal("0.55"))


def test_outpatient_without_primary_care_referral_pays_the_unreferred_ratio(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("330326", "11", [build.fee("1", "A", "100")], level="secondary"))
    referred = _settle(packs, catalogue, build.visit("330326", "11", [build.fee("1", "A", "100")],
                                                     level="secondary", referred=True))
    assert (r.hifp_pay, referred.hifp_pay) == (build.yuan("15"), build.yuan("20"))


def test_outpatient_out_of_county_pays_nothing_from_the_pool(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("211302", "11", [build.fee("1", "A", "100")],
                                              institution_admdvs="211303", referred=True))
    assert r.hifp_pay == Money(0) and r.psn_cash_pay == build.yuan("100")


def test_outpatient_payments_stop_at_the_annual_payment_cap(packs, catalogue, build):
    v = build.visit("500240", "11", [build.fee("1", "A", "150")], level="primary", tier="tier1")
    first = _settle(packs, catalogue, v)
    second = _settle(packs, catalogue, v, first.accumulators_after)
    assert (first.hifp_pay, second.hifp_pay) == (build.yuan("90"), build.yuan("10"))


def test_employee_outpatient_is_paid_by_the_account_only(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("321100", "11", [build.fee("1", "A", "300")], balance="100",
                                              acct_used=True))
    assert (r.hifp_pay, r.acct_pay, r.psn_cash_pay, r.balc) == (
        Money(0), build.yuan("100"), build.yuan("200"), Money(0))


def test_the_account_pays_nothing_unless_the_person_asks(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("321100", "11", [build.fee("1", "A", "300")], balance="100"))
    assert (r.acct_pay, r.balc) == (Money(0), build.yuan("100"))


def test_maternity_pays_the_flat_amount_at_most_the_policy_scope(packs, catalogue, build):
    big = _settle(packs, catalogue, build.visit("330326", "52", [build.fee("1", "A", "5000")]))
    small = _settle(packs, catalogue, build.visit("330326", "52", [build.fee("1", "A", "500")]))
    assert (big.hifp_pay, small.hifp_pay) == (build.yuan("800"), build.yuan("500"))
    assert big.accumulator_delta == Accumulators()


def test_maternity_is_refused_where_the_pack_has_no_maternity_benefit(packs, catalogue, build):
    with pytest.raises(SettlementRefused) as refused:
        _settle(packs, catalogue, build.visit("211302", "52", [build.fee("1", "A", "500")]))
    assert refused.value.code == "med_type_not_covered"


def test_special_disease_outpatient_pays_the_inpatient_ratio_without_deductible(packs, catalogue, build):
    r = _settle(packs, catalogue, build.visit("330326", "14", [build.fee("1", "A", "1000")], level="tertiary",
                                              disease_codes=("N18.500",)))
    assert (r.act_pay_dedc, r.hifp_pay) == (Money(0), build.yuan("700"))
    assert r.accumulator_delta.inpatient_scope_cost == build.yuan("1000")


def test_special_disease_outpatient_is_refused_for_an_unlisted_disease(packs, catalogue, build):
    with pytest.raises(SettlementRefused) as refused:
        _settle(packs, catalogue, build.visit("330326", "14", [build.fee("1", "A", "1000")], disease_codes=("J18.9",)))
    assert refused.value.code == "disease_not_listed"


def test_icd10_ranges_cover_every_category_between_their_bounds(packs):
    diseases = packs.get("330326-390-2019-01-01").special_diseases
    assert diseases.covers("C97") and diseases.covers("D67.x") and diseases.covers("f84.0")
    assert not diseases.covers("C98") and not diseases.covers("F84.1") and not diseases.covers("N18.4")


def test_a_tiered_pack_refuses_a_person_without_a_tier(packs, catalogue, build):
    with pytest.raises(SettlementRefused) as refused:
        _settle(packs, catalogue, build.visit("500240", "21", [build.fee("1", "A", "1000")]))
    assert refused.value.code == "unknown_tier"


def test_a_pack_of_another_region_is_refused(packs, catalogue, build):
    v = build.visit("211302", "21", [build.fee("1", "A", "1000")])
    with pytest.raises(SettlementRefused) as refused:
        settle(v, packs.get("330326-390-2019-01-01"), catalogue, Accumulators())
    assert refused.value.code == "wrong_pack"


def test_a_reversal_negates_every_amount_and_refunds_the_account(packs, catalogue, build):
    original = _settle(packs, catalogue, build.visit("321100", "21", [build.fee("1", "A", "5000")], balance="2000",
                                                     acct_used=True))
    reversal = reverse(original, original.accumulators_after)
    assert (reversal.hifp_pay, reversal.acct_pay, reversal.psn_cash_pay) == (
        -original.hifp_pay, -original.acct_pay, -original.psn_cash_pay)
    assert [row.fund_payamt for row in reversal.setldetail] == [-row.fund_payamt for row in original.setldetail]
    assert reversal.balc == build.yuan("2000")
    assert reversal.accumulators_after == Accumulators()


@pytest.mark.parametrize(("applied", "deductible", "hifp"), [("0", "500", "350"), ("300", "200", "560"),
                                                             ("500", "0", "700"), ("800", "0", "700")])
def test_a_later_settlement_of_a_stay_applies_only_the_deductible_its_earlier_ones_left(packs, catalogue, build,
                                                                                         applied, deductible, hifp):
    """211302 secondary in county: deductible 500, ratio 0.70; 1000 in scope, (1000 - what is left) x 0.70."""
    v = replace(build.visit("211302", "21", [build.fee("1", "A", "1000")]), deductible_applied=build.yuan(applied))
    r = _settle(packs, catalogue, v)
    assert (r.act_pay_dedc, r.hifp_pay) == (build.yuan(deductible), build.yuan(hifp))


@pytest.mark.parametrize(("total", "cap", "expected"), [
    # 211302: threshold 8000.00, 50 % up to 20000.00 above it, 70 % up to 70000.00, 80 % beyond.
    ("8000.00", None, "0.00"),
    ("8000.01", None, "0.01"),  # 1 fen x 0.5 = 0.5 fen, rounded half up
    ("28000.00", None, "10000.00"),  # 20000.00 x 0.5
    ("38000.01", None, "17000.01"),  # 10000.00 + 10000.01 x 0.7 = 17000.007
    ("98000.00", None, "61000.00"),  # 10000.00 + 50000.00 x 0.7 + 20000.00 x 0.8
    ("38000.01", "15000.00", "15000.00"),
    ("28000.00", "10000.00", "10000.00"),
])
def test_the_catastrophic_value_by_hand(packs, total, cap, expected):
    rules = packs.in_force("211302", "390", date(2026, 1, 1)).catastrophic
    if cap is not None:
        rules = rules.model_copy(update={"annual_cap": Money.from_yuan(cap)})
    assert progressive_value(Money.from_yuan(total), rules) == Money.from_yuan(expected)
