"""Employees' individual accounts at the gateway: credited from billing's events, debited in the settlement's
own write, given back by a reversal; ``acct_used_flag`` decides; outpatient care is the account's alone.

Expected figures are computed here from pack 321100-310-2013-01-01 (tertiary in county: deductible 900,
ratio 0.87, no pooled outpatient benefit) and benefit-calculation.md step 5.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from adjudication_gateway import activated, publish

from medfund_deploy.evidence import wait_until
from medfund_shared.events.types.billing import EmployeeContributionDeclared, EmployeeContributionWithdrawn
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.money import Money

pytestmark = pytest.mark.integration
HOSPITAL = "H321100T"
STAY = [("TA", "2000.00", "1")]
STAY_POOLED = Money.from_yuan("957.00")
"""round((2,000 − 900) × 0.87)."""
STAY_PERSONAL = Money.from_yuan("2000.00") - STAY_POOLED
"""1,043.00: the personal share the account may pay."""


def _yuan(value) -> Money:
    return Money.from_yuan(str(value))


async def _balance(gateway, psn_no: str) -> Money | None:
    r = await gateway.client.get(f"/v1/persons/{psn_no}/coverage", params={"on": "2026-03-01"}, headers=gateway.admin)
    if r.status_code != 200 or r.json()["insuinfo"][0]["balc"] is None:
        return None
    return _yuan(r.json()["insuinfo"][0]["balc"])


async def _employee_with_account(gateway, account: str) -> str:
    """An employee in service, covered in 2026, whose declared month credited ``account`` to their account."""
    psn = await gateway.covered("321100", "310", category="employee", tier=None, brdy="1990-06-01")
    await publish(gateway.settings, EmployeeContributionDeclared(
        declaration_id=f"D{secrets.token_hex(6)}", employer_code="E1", admdvs="321100", period="2026-02",
        psn_no=psn, certno="321100199006010011", base="6000.00", employer_amount="540.00", employee_amount="120.00",
        pool_amount=str(Money.from_yuan("660.00") - Money.from_yuan(account)), account_amount=account,
        declared_at=datetime(2026, 2, 15, tzinfo=UTC)))

    async def credited():
        return await _balance(gateway, psn) == Money.from_yuan(account)
    await wait_until(credited, "the account credit to reach the read model")
    return psn


async def _ready_to_settle(gateway, psn_no: str, fees, med_type: str = "21") -> str:
    register, upload, key = ("2201", "2204", "data") if med_type == "11" else ("2401", "2301", "mdtrtinfo")
    admitted, _ = await gateway.call(register, HOSPITAL, {key: {
        "psn_no": psn_no, "insutype": "310", "med_type": med_type, "begntime": "2026-03-01 09:00:00"}})
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["data" if med_type == "11" else "result"]["mdtrt_id"]
    uploaded, _ = await gateway.call(upload, HOSPITAL, {"feedetail": [
        {"feedetl_sn": str(n), "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_list_codg": code,
         "det_item_fee_sumamt": amount, "cnt": cnt, "pric": amount} for n, (code, amount, cnt) in enumerate(fees, 1)]})
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    if med_type != "11":
        await gateway.discharge(HOSPITAL, psn_no, mdtrt_id)
    return mdtrt_id


async def _settle(gateway, psn_no: str, mdtrt_id: str, total: str, *, acct_used_flag: str = "1",
                  infno: str = "2304") -> dict:
    settled, _ = await gateway.call(infno, HOSPITAL, {"data": {
        "psn_no": psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": total, "insutype": "310",
        "acct_used_flag": acct_used_flag, "medins_setl_id": secrets.token_hex(8), "psn_setlway": "01"}})
    assert settled["infcode"] == 0, settled["err_msg"]
    return settled["output"]


def _split(out: dict) -> tuple[Money, Money, Money, Money]:
    info = out["setlinfo"]
    return tuple(_yuan(info[n]) for n in ("fund_pay_sumamt", "acct_pay", "psn_cash_pay", "balc"))


async def test_two_concurrent_settlements_never_spend_the_same_yuan(gateway):
    """The balance covers one stay's personal share and part of the other's: the second pays what is left."""
    await gateway.setup_registry()
    balance = Money.from_yuan("1500.00")
    psn = await _employee_with_account(gateway, balance.to_yuan())
    stays = [await _ready_to_settle(gateway, psn, STAY) for _ in range(2)]
    answers = await asyncio.gather(*(_settle(gateway, psn, m, "2000.00") for m in stays))
    first, second = sorted((_split(a) for a in answers), key=lambda split: split[1], reverse=True)
    left = balance - STAY_PERSONAL
    assert first == (STAY_POOLED, STAY_PERSONAL, Money.zero(), left)
    assert second == (STAY_POOLED, left, STAY_PERSONAL - left, Money.zero())
    assert await _balance(gateway, psn) == Money.zero()
    account_rows = [row for a in answers for row in a["setldetail"] if row["fund_pay_type"] == "310200"]
    assert sum((_yuan(row["fund_payamt"]) for row in account_rows), Money.zero()) == balance


async def test_many_concurrent_settlements_spend_the_balance_exactly_once(gateway):
    """Eight at once against a balance of one and a half personal shares: the payments add up to the balance,
    each answer's balc is what the one before it left, and every stay's personal share is paid in full."""
    await gateway.setup_registry()
    balance = Money.from_yuan("1500.00")
    psn = await _employee_with_account(gateway, balance.to_yuan())
    stays = [await _ready_to_settle(gateway, psn, STAY) for _ in range(8)]
    answers = await asyncio.gather(*(_settle(gateway, psn, m, "2000.00") for m in stays))
    splits = sorted((_split(a) for a in answers), key=lambda split: (split[3], split[1]), reverse=True)
    assert sum((paid for _, paid, _, _ in splits), Money.zero()) == balance
    assert all(paid + cash == STAY_PERSONAL for _, paid, cash, _ in splits)
    before = balance
    for _, paid, _, balc in splits:
        assert balc == before - paid
        before = balc
    assert await _balance(gateway, psn) == Money.zero()


async def test_a_reversal_gives_the_account_payment_back(gateway):
    await gateway.setup_registry()
    psn = await _employee_with_account(gateway, "300.00")
    stay = await _ready_to_settle(gateway, psn, STAY)
    out = await _settle(gateway, psn, stay, "2000.00")
    assert _split(out) == (STAY_POOLED, Money.from_yuan("300.00"), STAY_PERSONAL - Money.from_yuan("300.00"),
                           Money.zero())
    reversed_, _ = await gateway.call("2305", HOSPITAL, {"data": {
        "psn_no": psn, "mdtrt_id": stay, "setl_id": out["setlinfo"]["setl_id"]}})
    assert reversed_["infcode"] == 0, reversed_["err_msg"]
    assert _yuan(reversed_["output"]["setlinfo"]["acct_pay"]) == Money.from_yuan("-300.00")
    assert await _balance(gateway, psn) == Money.from_yuan("300.00")


async def test_acct_used_flag_0_leaves_the_account_alone(gateway):
    await gateway.setup_registry()
    psn = await _employee_with_account(gateway, "300.00")
    out = await _settle(gateway, psn, await _ready_to_settle(gateway, psn, STAY), "2000.00", acct_used_flag="0")
    assert _split(out)[:3] == (STAY_POOLED, Money.zero(), STAY_PERSONAL)
    assert [row["fund_pay_type"] for row in out["setldetail"]] == ["310100"]
    assert await _balance(gateway, psn) == Money.from_yuan("300.00")


async def test_outpatient_care_is_paid_from_the_account_only_and_a_pre_settlement_debits_nothing(gateway):
    """2206 previews, 2207 debits, 2208 gives it back."""
    await gateway.setup_registry()
    psn = await _employee_with_account(gateway, "100.00")
    visit = await _ready_to_settle(gateway, psn, [("TA", "150.00", "1")], med_type="11")
    preview = await _settle(gateway, psn, visit, "150.00", infno="2206")
    assert await _balance(gateway, psn) == Money.from_yuan("100.00")
    out = await _settle(gateway, psn, visit, "150.00", infno="2207")
    expected = (Money.zero(), Money.from_yuan("100.00"), Money.from_yuan("50.00"), Money.zero())
    assert _split(preview) == _split(out) == expected
    assert await _balance(gateway, psn) == Money.zero()
    assert Decimal(str(out["setlinfo"]["hifp_pay"])) == 0
    reversed_, _ = await gateway.call("2208", HOSPITAL, {"data": {
        "psn_no": psn, "mdtrt_id": visit, "setl_id": out["setlinfo"]["setl_id"]}})
    assert reversed_["infcode"] == 0, reversed_["err_msg"]
    assert await _balance(gateway, psn) == Money.from_yuan("100.00")


def _registered(psn_no: str, kind: str) -> PersonRegistered:
    return PersonRegistered(
        psn_no=psn_no, certno="321100195801010011", psn_name="王五", gend="1", brdy="1958-01-01", admdvs="321100",
        insutype="310", year=2026, household_id=f"H{psn_no}", category="employee", tier=None, enrollment_kind="new",
        premium_due="0.00", on_behalf_due="0.00", pack_id="321100-310-2013-01-01", employee_kind=kind,
        contribution_years=32)


@pytest.mark.parametrize(("kind", "ratio"), [("retired", "0.89"), ("in_service", "0.87")])
async def test_the_registration_says_who_is_retired_before_any_account_credit(gateway, kind, ratio):
    """A retiree covered by contribution years settles with the retiree uplift (0.87 + 0.02) from the start;
    enrollment keys both events by the person, so the registration arrives first."""
    await gateway.setup_registry()
    psn = f"P{secrets.token_hex(6)}"
    await publish(gateway.settings, _registered(psn, kind), datetime(2026, 1, 4, tzinfo=UTC))
    await publish(gateway.settings, activated(psn, "321100", "310", category="employee", tier=None,
                                              brdy="1958-01-01"))
    out = await gateway.settle_when_covered(HOSPITAL, psn, "310", STAY)
    assert str(out["setlinfo"]["pool_prop_selfpay"]) == ratio


async def test_a_refunded_month_takes_its_credit_back_and_an_account_below_zero_pays_nothing(gateway):
    """300.00 credited and spent on a stay; the month refunded takes the 300.00 back (balance -300.00); the next
    stay's personal share of 1,043.00 is all cash."""
    await gateway.setup_registry()
    psn = await _employee_with_account(gateway, "300.00")
    spent = await _settle(gateway, psn, await _ready_to_settle(gateway, psn, STAY), "2000.00")
    assert _split(spent) == (STAY_POOLED, Money.from_yuan("300.00"), STAY_PERSONAL - Money.from_yuan("300.00"),
                             Money(0))
    await publish(gateway.settings, EmployeeContributionWithdrawn(
        withdrawal_id=f"W{secrets.token_hex(6)}", declaration_id="D-refunded", correction_id="R1", kind="refund",
        tax_voucher_no="FV1", admdvs="321100", period="2026-02", psn_no=psn, certno="321100199006010011",
        employee_amount="120.00", pool_amount="360.00", account_amount="300.00",
        withdrawn_at=datetime(2026, 2, 20, tzinfo=UTC), since=date(2026, 2, 20)))

    async def taken_back():
        return await _balance(gateway, psn) == Money.from_yuan("-300.00")
    await wait_until(taken_back, "the withdrawn credit to reach the read model")
    cash = await _settle(gateway, psn, await _ready_to_settle(gateway, psn, STAY), "2000.00")
    assert _split(cash)[:3] == (STAY_POOLED, Money(0), STAY_PERSONAL)
