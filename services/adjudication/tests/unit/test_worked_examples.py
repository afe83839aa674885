"""E1–E7 of benefit-calculation.md, to the fen."""

from datetime import date

from medfund_adjudication.domain.settlement import Accumulators, settle


def _settle(packs, catalogue, v, ytd=None):
    ytd = ytd or Accumulators()
    pack = packs.in_force(v.person.admdvs, v.person.insutype, v.admission_date)
    return settle(v, pack, catalogue, ytd)


def _amounts(result, *names):
    return {name: getattr(result, name).to_yuan() for name in names}


def test_e1_age_uplift_raises_the_inpatient_ratio_by_ten_points_from_seventy(packs, catalogue, build):
    v = build.visit("211302", "21", [build.fee("1", "A", "20000"), build.fee("2", "B", "8000"),
                                     build.fee("3", "C", "2000")],
                    level="secondary", born=date(1954, 1, 1))
    r = _settle(packs, catalogue, v)
    assert r.age == 72 and str(r.pool_prop_selfpay) == "0.80"
    assert _amounts(r, "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                    "hifmi_pay", "maf_pay", "psn_cash_pay") == {
        "fulamt_ownpay_amt": "2000.00", "preselfpay_amt": "800.00", "inscp_scp_amt": "27200.00",
        "act_pay_dedc": "500.00", "hifp_pay": "21360.00", "hifmi_pay": "0.00", "maf_pay": "0.00",
        "psn_cash_pay": "8640.00"}


def test_e2_outpatient_first_visit_deductible_then_later_visit_deductible(packs, catalogue, build):
    first = _settle(packs, catalogue, build.visit("211302", "11", [build.fee("1", "A", "150")]))
    assert _amounts(first, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == {
        "act_pay_dedc": "40.00", "hifp_pay": "55.00", "psn_cash_pay": "95.00"}
    second = _settle(packs, catalogue, build.visit("211302", "11", [build.fee("1", "A", "300")]),
                     first.accumulators_after)
    assert second.setldetail[0].inscp_scp_amt == build.yuan("200")
    assert _amounts(second, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == {
        "act_pay_dedc": "20.00", "hifp_pay": "90.00", "psn_cash_pay": "210.00"}


def test_e3_dibao_two_admissions_hit_the_pooled_cap_then_the_assistance_cap(packs, catalogue, build):
    def admission(amount):
        return build.visit("211302", "21", [build.fee("1", "A", amount)], level="tertiary",
                           born=date(1976, 1, 1), category="dibao")

    first = _settle(packs, catalogue, admission("100000"))
    assert _amounts(first, "act_pay_dedc", "hifp_pay", "hifmi_pay", "maf_pay", "psn_cash_pay") == {
        "act_pay_dedc": "800.00", "hifp_pay": "60000.00", "hifmi_pay": "17840.00", "maf_pay": "15512.00",
        "psn_cash_pay": "6648.00"}
    second = _settle(packs, catalogue, admission("150000"), first.accumulators_after)
    assert _amounts(second, "act_pay_dedc", "hifp_pay", "hifmi_pay", "maf_pay", "psn_cash_pay") == {
        "act_pay_dedc": "800.00", "hifp_pay": "0.00", "hifmi_pay": "115480.00", "maf_pay": "14488.00",
        "psn_cash_pay": "20032.00"}
    assert second.accumulators_after.assistance_paid == build.yuan("30000")


def test_e4_policy_scope_ceiling_splits_cost_between_pooled_fund_and_high_cost_layer(packs, catalogue, build):
    ytd = Accumulators(inpatient_scope_cost=build.yuan("100000"), inpatient_paid=build.yuan("69370"))
    r = _settle(packs, catalogue, build.visit("330326", "21", [build.fee("1", "A", "50000")], level="secondary"), ytd)
    assert r.setldetail[0].inscp_scp_amt == build.yuan("20000")
    assert _amounts(r, "act_pay_dedc", "hifp_pay", "hifmi_pay", "psn_cash_pay") == {
        "act_pay_dedc": "900.00", "hifp_pay": "13370.00", "hifmi_pay": "18000.00", "psn_cash_pay": "18630.00"}


def test_e5_unreferred_in_city_admission_loses_five_points_and_pays_over_the_price_ceiling(packs, catalogue, build):
    items = [build.fee("1", "A", "10000"), build.fee("2", "B-CEILING-90", "1000", cnt="10")]
    r = _settle(packs, catalogue, build.visit("330326", "21", items, level="tertiary", institution_admdvs="330302"))
    assert r.area == "in_city" and str(r.pool_prop_selfpay) == "0.45"
    assert _amounts(r, "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                    "psn_cash_pay") == {
        "overlmt_selfpay": "100.00", "preselfpay_amt": "90.00", "inscp_scp_amt": "10810.00",
        "act_pay_dedc": "1300.00", "hifp_pay": "4279.50", "psn_cash_pay": "6720.50"}


def test_e6_tier_two_pays_five_points_more_at_primary_level(packs, catalogue, build):
    items = [build.fee("1", "A", "3000"), build.fee("2", "B", "500")]
    r = _settle(packs, catalogue, build.visit("500240", "21", items, level="primary", tier="tier2"))
    assert str(r.pool_prop_selfpay) == "0.85"
    assert _amounts(r, "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "psn_cash_pay") == {
        "preselfpay_amt": "50.00", "inscp_scp_amt": "3450.00", "act_pay_dedc": "100.00",
        "hifp_pay": "2847.50", "psn_cash_pay": "652.50"}


def test_e7_retired_employee_account_pays_the_personal_share_first(packs, catalogue, build):
    items = [build.fee("1", "A", "12000"), build.fee("2", "B", "2000"), build.fee("3", "C", "500")]
    r = _settle(packs, catalogue, build.visit("321100", "21", items, level="tertiary", retired=True,
                                              balance="1200", acct_used=True))
    assert str(r.pool_prop_selfpay) == "0.89"
    assert _amounts(r, "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                    "acct_pay", "psn_cash_pay", "balc") == {
        "fulamt_ownpay_amt": "500.00", "preselfpay_amt": "300.00", "inscp_scp_amt": "13700.00",
        "act_pay_dedc": "900.00", "hifp_pay": "11392.00", "acct_pay": "1200.00", "psn_cash_pay": "1908.00",
        "balc": "0.00"}
    assert [row.fund_pay_type for row in r.setldetail] == ["310100", "310200"]
