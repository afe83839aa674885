"""E1–E7 of benefit-calculation.md to the fen, through the NHSA gateway on the real database and broker.

Year-to-date state is never written directly: it comes from earlier settlements, and an employee's
account and retired flag from a billing event, as in production.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from adjudication_gateway import amounts, publish

from medfund_deploy.evidence import wait_until
from medfund_shared.events.types.billing import EmployeeAccountCredited
from medfund_shared.money import Money

pytestmark = pytest.mark.integration


async def test_e1_settles_to_the_fen_through_the_gateway(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302", brdy="1954-01-01")
    out = await gateway.settle_when_covered("H211302S", psn, "390",
                                            [("TA", "20000.00", "1"), ("TB", "8000.00", "1"), ("TC", "2000.00", "1")])
    assert amounts(out, "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                   "psn_cash_pay", "pool_prop_selfpay") == {
        "fulamt_ownpay_amt": "2000.00", "preselfpay_amt": "800.00", "inscp_scp_amt": "27200.00",
        "act_pay_dedc": "500.00", "hifp_pay": "21360.00", "psn_cash_pay": "8640.00", "pool_prop_selfpay": "0.80"}
    assert out["setldetail"][0]["fund_pay_type"] == "390100"


async def test_e2_outpatient_first_visit_then_a_later_visit_with_the_smaller_deductible(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    first = await gateway.settle_when_covered("H211302S", psn, "390", [("TA", "150.00", "1")], med_type="11")
    second = await gateway.admit_and_settle("H211302S", psn, "390", [("TA", "300.00", "1")], med_type="11",
                                            begntime="2026-03-02 09:00:00")
    names = ("act_pay_dedc", "hifp_pay", "psn_cash_pay")
    assert amounts(first, *names) == {"act_pay_dedc": "40.00", "hifp_pay": "55.00", "psn_cash_pay": "95.00"}
    assert amounts(second, *names) == {"act_pay_dedc": "20.00", "hifp_pay": "90.00", "psn_cash_pay": "210.00"}
    assert str(second["setldetail"][0]["inscp_scp_amt"]) == "200.00"


async def test_e3_two_admissions_reach_the_pooled_then_assistance_cap(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302", category="dibao")
    first = await gateway.settle_when_covered("H211302T", psn, "390", [("TA", "100000.00", "1")])
    second = await gateway.admit_and_settle("H211302T", psn, "390", [("TA", "150000.00", "1")],
                                            begntime="2026-05-01 09:00:00")
    names = ("act_pay_dedc", "hifp_pay", "hifmi_pay", "maf_pay", "psn_cash_pay")
    assert amounts(first, *names) == {"act_pay_dedc": "800.00", "hifp_pay": "60000.00", "hifmi_pay": "17840.00",
                                      "maf_pay": "15512.00", "psn_cash_pay": "6648.00"}
    assert amounts(second, *names) == {"act_pay_dedc": "800.00", "hifp_pay": "0.00", "hifmi_pay": "115480.00",
                                       "maf_pay": "14488.00", "psn_cash_pay": "20032.00"}


async def test_e4_the_cost_ceiling_splits_a_later_admission_between_pooled_fund_and_high_cost_layer(gateway):
    """The prior state (scope cost 100,000, hifp 69,370) is one earlier admission of 100,000 A at 70 %."""
    await gateway.setup_registry()
    psn = await gateway.covered("330326")
    prior = await gateway.settle_when_covered("H330326S", psn, "390", [("TA", "100000.00", "1")])
    assert amounts(prior, "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay") == {
        "inscp_scp_amt": "100000.00", "act_pay_dedc": "900.00", "hifp_pay": "69370.00", "hifmi_pay": "0.00"}
    out = await gateway.admit_and_settle("H330326S", psn, "390", [("TA", "50000.00", "1")],
                                         begntime="2026-05-01 09:00:00")
    assert amounts(out, "act_pay_dedc", "hifp_pay", "hifmi_pay", "psn_cash_pay") == {
        "act_pay_dedc": "900.00", "hifp_pay": "13370.00", "hifmi_pay": "18000.00", "psn_cash_pay": "18630.00"}
    assert str(out["setldetail"][0]["inscp_scp_amt"]) == "20000.00"


async def test_e5_unreferred_in_city_admission_pays_over_the_price_ceiling(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("330326")
    out = await gateway.settle_when_covered("H330302T", psn, "390", [("TA", "10000.00", "1"),
                                                                     ("TB90", "1000.00", "10")])
    assert amounts(out, "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                   "psn_cash_pay") == {
        "overlmt_selfpay": "100.00", "preselfpay_amt": "90.00", "inscp_scp_amt": "10810.00",
        "act_pay_dedc": "1300.00", "hifp_pay": "4279.50", "psn_cash_pay": "6720.50"}


async def test_e6_tier_two_at_primary_level(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("500240", tier="tier2")
    out = await gateway.settle_when_covered("H500240P", psn, "390", [("TA", "3000.00", "1"),
                                                                     ("TB", "500.00", "1")])
    assert amounts(out, "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "psn_cash_pay") == {
        "preselfpay_amt": "50.00", "inscp_scp_amt": "3450.00", "act_pay_dedc": "100.00", "hifp_pay": "2847.50",
        "psn_cash_pay": "652.50"}


async def _retiree_credit(gateway, psn_no: str, yuan: str) -> None:
    """Billing's monthly retiree credit (the only event saying an employee is retired), once the person
    and the credit are both visible."""
    await publish(gateway.settings, EmployeeAccountCredited(
        credit_id=f"CR{secrets.token_hex(6)}", psn_no=psn_no, admdvs="321100", period="2026-02",
        amount=Money.from_yuan(yuan), source="retiree_pension", credited_at=datetime(2026, 2, 1, tzinfo=UTC)))

    async def credited():
        r = await gateway.client.get(f"/v1/persons/{psn_no}/coverage", params={"on": "2026-03-01"},
                                     headers=gateway.admin)
        return r.status_code == 200 and r.json()["insuinfo"][0]["balc"] == yuan
    await wait_until(credited, "the account credit to reach the read model")


async def test_e7_a_retired_employee_gets_the_uplift_and_the_account_pays_first(gateway):
    """Enrollment records every employee as category ``employee``; the retiree credit sets the flag."""
    await gateway.setup_registry()
    psn = await gateway.covered("321100", "310", category="employee", tier=None, brdy="1960-05-01")
    await _retiree_credit(gateway, psn, "1200.00")
    out = await gateway.admit_and_settle("H321100T", psn, "310",
                                         [("TA", "12000.00", "1"), ("TB", "2000.00", "1"), ("TC", "500.00", "1")],
                                         acct_used_flag="1")
    assert amounts(out, "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "pool_prop_selfpay",
                   "hifp_pay", "acct_pay", "psn_cash_pay", "balc") == {
        "fulamt_ownpay_amt": "500.00", "preselfpay_amt": "300.00", "inscp_scp_amt": "13700.00",
        "act_pay_dedc": "900.00", "pool_prop_selfpay": "0.89", "hifp_pay": "11392.00", "acct_pay": "1200.00",
        "psn_cash_pay": "1908.00", "balc": "0.00"}
    assert [row["fund_pay_type"] for row in out["setldetail"]] == ["310100", "310200"]
