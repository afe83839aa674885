"""A refund that leaves a premium unpaid undoes the cover and every flow of money it brought, through the services'
public APIs only (issue 20); paying again restores each, once.

Shizhu (500240), insurance year 2029, a year no other test uses, so the pools' figures are absolute. A resident of
the moderately disabled category (tier 1) is registered; medical assistance pays 60% of her premium (资助参保);
the tax bureau's feed pays her share; she is treated as an inpatient in a county primary hospital; the payment is
refunded on 1 March; she pays again on 2 April. Figures by hand from the pack (policy-packs.md, funding.md):

- premium 140.00: medical assistance 60% = 84.00, the person 56.00; subsidy 420.00 (central 80% = 336.00,
  provincial 10% = 42.00, county 10% = 42.00); catastrophic financing 30.00 a covered person-year;
- a stay of ten days at 100.00, in county, primary level: the pooled fund pays (1,000.00 - 100.00) x 80% = 720.00.

- paid, one stay settled: 390100 income 56.00 + 84.00 + 420.00 = 560.00, spent 30.00 + 720.00 = 750.00;
  390200 income 30.00; 610100 spent 84.00; subsidy income 420.00;
- refunded, and a stay admitted before the refund's day settled after it: 390100 income 0.00, spent
  720.00 + 720.00 = 1,440.00; 390200 income 0.00; 610100 spent 0.00; subsidy income 0.00;
- paid again: 390100 income 560.00, spent 1,440.00 + 30.00 = 1,470.00; 390200 income 30.00; 610100 spent
  84.00; subsidy income 420.00.
"""

from __future__ import annotations

import secrets
import sys
from datetime import date
from pathlib import Path

import pytest

from medfund_shared.money import Money

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, admit, certno, eventually, inpatient_stay, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "500240", 2029
POOLED, CATASTROPHIC, ASSISTANCE = (f"{ADMDVS}:{fund}:{YEAR}" for fund in ("390100", "390200", "610100"))
TAX_OFFICE = "15002400000"
STAY_PAID = Money.from_yuan("720.00")


def figures_by_hand(pooled_income: str, pooled_spent: str, catastrophic_income: str, assistance_spent: str,
                    subsidy: str) -> dict:
    return {POOLED: (pooled_income, pooled_spent), CATASTROPHIC: (catastrophic_income, "0.00"),
            ASSISTANCE: ("0.00", assistance_spent), "subsidy": subsidy}


PAID = figures_by_hand("560.00", "750.00", "30.00", "84.00", "420.00")
REFUNDED = figures_by_hand("0.00", "1440.00", "0.00", "0.00", "0.00")
PAID_AGAIN = figures_by_hand("560.00", "1470.00", "30.00", "84.00", "420.00")


async def register(clients: Clients) -> dict:
    sent = {"certno": certno(ADMDVS, date(1971, 7, 21), False), "psn_name": "谭秀兰", "gend": "2",
            "brdy": "1971-07-21", "category": "disabled_moderate"}
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": ADMDVS, "insutype": "390", "year": YEAR, "tier": "tier1", "enrolled_on": "2028-10-15",
        "members": [sent]})
    return answer["members"][0] | {"certno": sent["certno"]}


async def pay(clients: Clients, member: dict, paid_at: str) -> str:
    voucher = f"RJ{secrets.token_hex(8)}"
    await clients.call("POST", f"{clients.billing}/v1/collections", clients.auth("tax", tax_office_code=TAX_OFFICE),
                       201, json={"tax_voucher_no": voucher, "certno": member["certno"], "psn_name": "谭秀兰",
                                  "insutype": "390", "admdvs": ADMDVS, "period_year": YEAR, "amount": "56.00",
                                  "paid_at": paid_at, "tax_office_code": TAX_OFFICE, "channel": "etax"})
    return voucher


async def hospital(clients: Clients) -> str:
    code, admin = f"HR{secrets.token_hex(5).upper()}", clients.auth("admin")
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", admin, json={
        "name": "石柱退费旅程卫生院", "admdvs": ADMDVS, "level": "primary", "annual_budget": "1000000.00",
        "budget_year": YEAR})
    await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}A", admin, json={
        "name": "住院床位费", "class": "A", "pric_uplmt_amt": None})
    return code


async def subsidy_income(clients: Clients) -> Money:
    """The pooled fund's subsidy income, every level together, from its journal (credits less debits)."""
    total = Money.zero()
    for entry in await clients.journal_after(POOLED, 0):
        for line in entry["lines"]:
            if line["pool_id"] == POOLED and line["account"].startswith("income:subsidy:"):
                total += yuan(line["credit"]) - yuan(line["debit"])
    return total


async def figures(clients: Clients) -> dict:
    seen: dict = {}
    for pool_id in (POOLED, CATASTROPHIC, ASSISTANCE):
        pool = await clients.pool(pool_id)
        seen[pool_id] = (yuan(pool["income"]).to_yuan(), yuan(pool["expenditure"]).to_yuan()) if pool else None
    seen["subsidy"] = (await subsidy_income(clients)).to_yuan() if seen[POOLED] else None
    return seen


def periods(person: dict) -> list[tuple[str, str, str]]:
    return [(p["from"], p["to"], p["status"]) for p in person["coverage"] if p["year"] == YEAR]


async def refund(clients: Clients, voucher: str) -> dict:
    return await clients.call("POST", f"{clients.billing}/v1/collections/{voucher}/refund", clients.auth("operator"),
                              201, json={"reason": "wrong person paid", "refunded_at": "2029-03-01T10:00:00+08:00"})


async def test_a_refund_uncovers_the_person_and_undoes_each_flow_and_paying_again_restores_them(clients):
    member = await register(clients)
    assert member["premium_due"] == "56.00"
    voucher = await pay(clients, member, "2028-11-20T10:15:00+08:00")
    covered = await eventually(lambda: clients.person(member["psn_no"]), lambda p: periods(p) != [])
    assert periods(covered) == [("2029-01-01", "2029-12-31", "active")]

    code = await hospital(clients)
    first = await inpatient_stay(clients, code, member, "2029-02-01 09:00:00", "2029-02-06 10:00:00")
    assert yuan(first["setlinfo"]["hifp_pay"]) == STAY_PAID
    seen = await eventually(lambda: figures(clients), lambda f: f == PAID)
    assert seen == PAID

    answer = await refund(clients, voucher)
    assert (answer["amount"], answer["tax_voucher_no"]) == ("56.00", voucher)
    withdrawn = await eventually(lambda: clients.person(member["psn_no"]),
                                 lambda p: p["enrollments"][-1]["status"] == "suspended")
    assert periods(withdrawn) == [("2029-01-01", "2029-02-28", "active"), ("2029-03-01", "2029-12-31", "suspended")]

    refused = await admit(clients, code, member, "2029-03-10 09:00:00")
    assert refused["infcode"] == -1 and "suspended since 2029-03-01" in refused["err_msg"], refused["err_msg"]
    before_refund = await inpatient_stay(clients, code, member, "2029-02-20 09:00:00", "2029-02-25 10:00:00")
    assert yuan(before_refund["setlinfo"]["hifp_pay"]) == STAY_PAID, "admitted before the refund's day: covered"
    seen = await eventually(lambda: figures(clients), lambda f: f == REFUNDED)
    assert seen == REFUNDED

    await clients.call("POST", f"{clients.billing}/v1/collections/{voucher}/refund", clients.auth("operator"), 200,
                       json={"reason": "wrong person paid", "refunded_at": "2029-03-01T10:00:00+08:00"})
    await pay(clients, member, "2029-04-02T10:00:00+08:00")
    restored = await eventually(lambda: clients.person(member["psn_no"]),
                                lambda p: p["enrollments"][-1]["status"] == "active")
    assert periods(restored) == [("2029-01-01", "2029-02-28", "active"), ("2029-03-01", "2029-04-01", "suspended"),
                                 ("2029-04-02", "2029-12-31", "active")]
    seen = await eventually(lambda: figures(clients), lambda f: f == PAID_AGAIN)
    assert seen == PAID_AGAIN
    readmitted = await admit(clients, code, member, "2029-04-10 09:00:00")
    assert readmitted["infcode"] == 0, readmitted["err_msg"]
    assert await clients.dead_letters() == {"enrollment": [], "billing": [], "adjudication": [], "ledger": []}
