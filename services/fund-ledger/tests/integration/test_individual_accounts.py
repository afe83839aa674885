"""Employees' individual accounts in the ledger: the 310200 pool keeps a sub-ledger per person whose statements
add up to the pool, and the retiree credit is financed by the pooled fund. Figures are the events' own inputs."""

from __future__ import annotations

import ledger_events as ev
import pytest

from medfund_shared.auth import issue_token
from medfund_shared.events.types.billing import EmployeeAccountCredited, EmployeeContributionDeclared
from medfund_shared.events.types.claims import SettlementCompleted, SettlementReversed
from medfund_shared.money import Money

pytestmark = pytest.mark.integration
ADMDVS = "321100"
POOLED, ACCOUNT = f"{ADMDVS}:310100:2026", f"{ADMDVS}:310200:2026"
HOSPITAL = "H321100T"


def declared(psn_no: str, period: str, pool: str, account: str, day: int) -> EmployeeContributionDeclared:
    return EmployeeContributionDeclared(
        declaration_id=f"D{psn_no}{period}", employer_code="E1", admdvs=ADMDVS, period=period, psn_no=psn_no,
        certno="321100199006010011", base="6000.00", employer_amount="540.00", employee_amount="120.00",
        pool_amount=pool, account_amount=account, declared_at=ev.at(2026, int(period[5:]), day))


def retiree_credit(psn_no: str, period: str, amount: str) -> EmployeeAccountCredited:
    return EmployeeAccountCredited(credit_id=f"C{psn_no}{period}", psn_no=psn_no, admdvs=ADMDVS, period=period,
                                   amount=amount, source="retiree_pension", credited_at=ev.at(2026, int(period[5:]), 1))


def settled(psn_no: str, setl_id: str, hifp: str, acct: str, cash: str, cls=SettlementCompleted, **extra):
    total = Money.from_yuan(hifp) + Money.from_yuan(acct) + Money.from_yuan(cash)
    funds = [{"fund_pay_type": "310100", "fund_payamt": hifp}]
    if Money.from_yuan(acct):
        funds.append({"fund_pay_type": "310200", "fund_payamt": acct})
    when = ev.at(2026, 4, 10)
    return cls(setl_id=setl_id, mdtrt_id=f"M{setl_id}", medins_setl_id=f"MS{setl_id}", psn_no=psn_no,
               fixmedins_code=HOSPITAL, admdvs=ADMDVS, insutype="310", med_type="21", year=2026, begntime=when,
               setl_time=when, medfee_sumamt=total.to_yuan(), inscp_scp_amt=total.to_yuan(), act_pay_dedc="0",
               hifp_pay=hifp, hifmi_pay="0", maf_pay="0", fund_pay_sumamt=hifp, acct_pay=acct, psn_cash_pay=cash,
               funds=funds, pack_id="321100-310-2013-01-01", pack_version="1", **extra)


async def test_statements_show_every_movement_and_add_up_to_the_account_pool(ledger):
    events = [(declared("EA1", "2026-02", "420.00", "240.00", 15), ev.at(2026, 2, 15)),
              (declared("EA1", "2026-03", "420.00", "240.00", 15), ev.at(2026, 3, 15)),
              (declared("EA2", "2026-03", "390.00", "270.00", 16), ev.at(2026, 3, 16)),
              (retiree_credit("EA3", "2026-03", "180.00"), ev.at(2026, 3, 1)),
              (settled("EA1", "S1", "957.00", "400.00", "643.00"), ev.at(2026, 4, 10)),
              (settled("EA3", "S2", "957.00", "180.00", "863.00"), ev.at(2026, 4, 11)),
              (settled("EA1", "S1R", "-957.00", "-400.00", "-643.00", SettlementReversed, original_setl_id="S1"),
               ev.at(2026, 4, 12))]
    sent = [await ledger.publish(data, at) for data, at in events]
    await ledger.wait_applied()

    one = (await ledger.client.get("/v1/accounts/EA1")).json()
    assert one["balance"] == "480.00"
    assert [(e["effective_date"], e["event_id"], e["kind"], e["memo"], e["amount"], e["balance_after"])
            for e in one["entries"]] == [
        ("2026-02-15", sent[0].id, "employee_contribution", "2026-02", "240.00", "240.00"),
        ("2026-03-15", sent[1].id, "employee_contribution", "2026-03", "240.00", "480.00"),
        ("2026-04-10", sent[4].id, "settlement", HOSPITAL, "-400.00", "80.00"),
        ("2026-04-12", sent[6].id, "settlement_reversed", HOSPITAL, "400.00", "480.00")]
    three = (await ledger.client.get("/v1/accounts/EA3")).json()
    assert [(e["kind"], e["memo"], e["amount"]) for e in three["entries"]] == [
        ("account_credited", "2026-03", "180.00"), ("settlement", HOSPITAL, "-180.00")]
    balances = [Money.from_yuan((await ledger.client.get(f"/v1/accounts/{p}")).json()["balance"])
                for p in ("EA1", "EA2", "EA3")]
    account_pool = (await ledger.client.get(f"/v1/pools/{ACCOUNT}")).json()
    assert Money.from_yuan(account_pool["balance"]) == sum(balances, Money.zero()) == Money.from_yuan("750.00")

    pooled = (await ledger.client.get(f"/v1/pools/{POOLED}")).json()
    # pooled income 420 + 420 + 390; spent 957 (S1 reversed) and the retiree's 180 moved to the account pool
    assert (pooled["income"], pooled["expenditure"]) == ("1230.00", "1137.00")


async def test_an_unknown_account_is_404_and_a_malformed_psn_no_422_and_staff_only(ledger):
    assert (await ledger.client.get("/v1/accounts/NOBODY")).status_code == 404
    bad = await ledger.client.get("/v1/accounts/a%20b")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "psn_no"
    hospital = {"Authorization": f"Bearer {issue_token(ledger.settings, 'his', fixmedins_code=HOSPITAL)}"}
    assert (await ledger.client.get("/v1/accounts/EA1", headers=hospital)).status_code == 403
