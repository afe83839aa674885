"""A flexible worker's month refunded is unpaid again, through the services' public APIs only (issue 20).

Zhenjiang (321100), 2026, on a service set of its own (profile ``isolated``): the month refunded moves no region
clock of another module, and the pools start empty. An operator registers a flexible worker (灵活就业); she pays
March through the tax feed on 20 March and is covered from 1 March; the payment is refunded on 25 March, and with
no month paid left her cover is withdrawn from that day (a hospital's 1101 reads her as suspended); she pays March
again on 10 April (on time: due by 15 April) and is covered again from 25 March.

Figures by hand from the 321100 pack: base 5,000.00 x 11% = 550.00, all personal; her account (under 45) 4% =
200.00, the pool 350.00. 310100 income: 350.00, then 0.00 after the refund, then 350.00; 310200: 200.00, 0.00,
200.00.
"""

from __future__ import annotations

import secrets
import sys
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from medfund_shared.events.types.enrollment import TOPIC as ENROLLMENT_TOPIC
from medfund_shared.schemes import EMPLOYEE_SCHEME

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, certno, cover_period, eventually, heard_of, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "321100", 2026
TAX_OFFICE = "13211000000"
POOLED, ACCOUNT = f"{ADMDVS}:310100:{YEAR}", f"{ADMDVS}:310200:{YEAR}"
CERTNO = certno(ADMDVS, date(1991, 4, 2), False)


@pytest.fixture(scope="module")
def clients(own_clients: Clients) -> Clients:
    """On a service set of its own (see the module's docstring)."""
    return own_clients


async def pay_march(clients: Clients, paid_at: str) -> str:
    voucher = f"FLR{secrets.token_hex(8)}"
    await clients.call("POST", f"{clients.billing}/v1/collections", clients.auth("tax", tax_office_code=TAX_OFFICE),
                       201, json={"tax_voucher_no": voucher, "certno": CERTNO, "psn_name": "钱丽", "insutype": "310",
                                  "admdvs": ADMDVS, "period_year": YEAR, "period": "2026-03", "base": "5000.00",
                                  "amount": "550.00", "paid_at": paid_at, "tax_office_code": TAX_OFFICE,
                                  "channel": "etax"})
    return voucher


cover = partial(cover_period, EMPLOYEE_SCHEME, YEAR)
"""A period of employee cover in the journey's year."""


async def coverage(clients: Clients, psn_no: str) -> list[dict]:
    return (await clients.person(psn_no))["coverage"]


async def insu_status(clients: Clients, hospital: str, day: str) -> str | None:
    """``psn_insu_stas`` of 310 in the hospital's 1101 on ``day`` (None when the gateway refuses the read)."""
    answer = await clients.gateway("1101", hospital, {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": CERTNO, "psn_cert_type": "01", "certno": CERTNO, "psn_name": ""}},
        inf_time=f"{day} 08:30:00", admdvs=ADMDVS)
    if answer["infcode"] != 0:
        return None
    return next((i["psn_insu_stas"] for i in answer["output"]["insuinfo"] if i["insutype"] == "310"), None)


async def incomes(clients: Clients) -> tuple[str, str]:
    pools = [await clients.pool(pool_id) for pool_id in (POOLED, ACCOUNT)]
    return tuple(yuan(p["income"]).to_yuan() if p else "0.00" for p in pools)


async def test_a_refunded_month_withdraws_the_cover_and_its_money_and_paying_it_again_restores_both(
        clients, own_services):
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": ADMDVS, "insutype": "310", "year": YEAR, "enrolled_on": "2026-01-04", "members": [{
            "certno": CERTNO, "psn_name": "钱丽", "gend": "2", "brdy": "1991-04-02", "flexible": True}]})
    psn_no = answer["members"][0]["psn_no"]
    await heard_of(clients, own_services.databases, "enrollment", "billing", ENROLLMENT_TOPIC)
    hospital = f"HZ{secrets.token_hex(5).upper()}"
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{hospital}", clients.auth("admin"), json={
        "name": "镇江退费旅程医院", "admdvs": ADMDVS, "level": "tertiary", "annual_budget": "5000000.00"})

    voucher = await pay_march(clients, "2026-03-20T10:00:00+08:00")
    covered = [cover("2026-03-01", "2026-12-31")]
    assert await eventually(lambda: coverage(clients, psn_no), lambda c: c == covered) == covered
    assert await eventually(lambda: incomes(clients), lambda f: f == ("350.00", "200.00")) == ("350.00", "200.00")

    await clients.call("POST", f"{clients.billing}/v1/collections/{voucher}/refund", clients.auth("operator"), 201,
                       json={"reason": "paid into the wrong scheme", "refunded_at": "2026-03-25T10:00:00+08:00"})
    withdrawn = [cover("2026-03-01", "2026-03-24"), cover("2026-03-25", "2026-12-31", "suspended")]
    assert await eventually(lambda: coverage(clients, psn_no), lambda c: c == withdrawn) == withdrawn
    assert await eventually(lambda: incomes(clients), lambda f: f == ("0.00", "0.00")) == ("0.00", "0.00")
    read = await eventually(lambda: insu_status(clients, hospital, "2026-03-28"), lambda s: s != "1")
    assert read in (None, "2"), "suspended (暂停参保) or not insured"

    await pay_march(clients, "2026-04-10T10:00:00+08:00")
    restored = [*withdrawn[:1], cover("2026-03-25", "2026-03-24", "suspended"), cover("2026-03-25", "2026-12-31")]
    assert await eventually(lambda: coverage(clients, psn_no), lambda c: c == restored) == restored
    assert await eventually(lambda: incomes(clients), lambda f: f == ("350.00", "200.00")) == ("350.00", "200.00")
    assert await eventually(lambda: insu_status(clients, hospital, "2026-04-12"), lambda s: s == "1") == "1"
    assert await clients.dead_letters() == {"enrollment": [], "billing": [], "adjudication": [], "ledger": []}
