"""Covered residents made the production way: enrollment API, tax-bureau payment feed, 1101 polling."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from medfund_adjudication.bench.gateway import Gateway

ADMDVS = "500240"
TIER = "tier1"
YEAR = 2026
ENROLLED_ON = "2025-11-01"
PAID_AT = "2025-11-15T10:00:00+08:00"
TAX_OFFICE = "TAX500240"
HOUSEHOLD = 10
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Resident:
    certno: str
    psn_no: str
    premium_due: str


def _ok(r: httpx.Response) -> None:
    if r.is_error:
        raise RuntimeError(f"{r.request.method} {r.request.url}: {r.status_code} {r.text}")


def certno(rng: random.Random) -> str:
    """A random resident ID of the region with a valid GB 11643 check character."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
    first17 = f"{ADMDVS}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


async def enroll(client: httpx.AsyncClient, headers: dict, rng: random.Random) -> list[Resident]:
    """One household; a member enrolled already (409) is simply not returned."""
    members = [{"certno": c, "psn_name": "测试", "gend": "1" if int(c[16]) % 2 else "2",
                "brdy": f"{c[6:10]}-{c[10:12]}-{c[12:14]}", "category": "adult"}
               for c in (certno(rng) for _ in range(HOUSEHOLD))]
    r = await client.post("/v1/enrollments", headers=headers, json={
        "admdvs": ADMDVS, "insutype": "390", "year": YEAR, "tier": TIER, "enrolled_on": ENROLLED_ON,
        "members": members})
    if r.status_code == 409:
        return []
    _ok(r)
    return [Resident(m["certno"], m["psn_no"], m["premium_due"]) for m in r.json()["members"]]


async def pay(client: httpx.AsyncClient, tax: dict, staff: dict, resident: Resident, timeout: float = 60) -> None:
    """Pay the premium; a payment that beat the registration to billing sits in suspense until billing
    matches it or, failing that, we resolve it as an operator would."""
    r = await client.post("/v1/collections", headers=tax, json={
        "tax_voucher_no": f"BENCH{resident.psn_no}"[:30], "certno": resident.certno, "psn_name": "测试",
        "insutype": "390", "admdvs": ADMDVS, "period_year": YEAR, "amount": resident.premium_due,
        "paid_at": PAID_AT, "tax_office_code": TAX_OFFICE, "channel": "etax"})
    _ok(r)
    if r.json()["match"] != "unmatched":
        return
    payment_id, deadline = r.json()["payment_id"], asyncio.get_running_loop().time() + timeout
    while True:
        await asyncio.sleep(0.5)
        r = await client.post(f"/v1/suspense/{payment_id}/resolve", headers=staff, json={"psn_no": resident.psn_no})
        if r.status_code == 409:
            return  # billing matched it meanwhile; ``covered`` confirms the outcome
        if r.status_code != 422 or asyncio.get_running_loop().time() > deadline:
            _ok(r)
            return


async def covered(gateway: Gateway, resident: Resident, timeout: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await gateway.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": resident.certno,
                                                      "certno": resident.certno, "psn_cert_type": "01"}})
        if answer["infcode"] == 0 and answer["output"]["insuinfo"][0]["psn_insu_stas"] == "1":
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{resident.psn_no} not covered in adjudication: {answer['err_msg']}")
        await asyncio.sleep(0.5)
