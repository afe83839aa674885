"""Every pool that pays has income, through the services' public APIs only (issue 20).

Pingyang (330326), insurance year 2026, a county no other test touches, so the figures are absolute:
an operator enrols a household of two adults and one 低保 member; the tax bureau's feed pays the adults'
premiums in the window; medical assistance sponsors the 低保 member's premium (资助参保); civil affairs
appropriates money to medical assistance; one adult is treated as an inpatient in a county primary
hospital. Expected figures are computed here by hand from the Pingyang pack (policy-packs.md):

- premium 210.00 a person, subsidy 480.00 a person, catastrophic financing 29.00 a covered person;
- inpatient, in county, primary level: deductible 600.00, the pooled fund pays 80%.

390100 income    = 2 x 210.00 paid + 210.00 sponsored + 3 x 480.00 subsidy       = 2,070.00
390100 spent     = 3 x 29.00 catastrophic + (1,000.00 - 600.00) x 80% inpatient =   407.00
390200 income    = 3 x 29.00                                                    =    87.00
610100 income    = 50,000.00 appropriated; spent 210.00 sponsored premium
"""

from __future__ import annotations

import secrets
import sys
from datetime import date
from pathlib import Path

import pytest

from medfund_shared.money import Money

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, enrol_household, eventually, inpatient_stay, pay_premium, register_hospital, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "330326", 2026
POOLED, CATASTROPHIC, ASSISTANCE = (f"{ADMDVS}:{fund}:{YEAR}" for fund in ("390100", "390200", "610100"))
ADMITTED, SETTLED = "2026-04-01 09:00:00", "2026-04-06 10:00:00"
EXPECTED = {POOLED: ("2070.00", "407.00"), CATASTROPHIC: ("87.00", "0.00"), ASSISTANCE: ("50000.00", "210.00")}


async def enrol(clients: Clients) -> list[dict]:
    people = [(date(1980, 2, 3), "1", "adult"), (date(1982, 5, 6), "2", "adult"), (date(1950, 8, 9), "1", "dibao")]
    return await enrol_household(clients, ADMDVS, YEAR, people, enrolled_on="2025-10-15")


async def figures(clients: Clients) -> dict[str, tuple[str, str] | None]:
    pools = {pool_id: await clients.pool(pool_id) for pool_id in EXPECTED}
    return {pool_id: (yuan(p["income"]).to_yuan(), yuan(p["expenditure"]).to_yuan()) if p else None
            for pool_id, p in pools.items()}


async def test_a_county_with_payments_an_appropriation_and_a_settlement_funds_every_pool_that_pays(clients):
    first, second, sponsored = await enrol(clients)
    assert [m["premium_due"] for m in (first, second, sponsored)] == ["210.00", "210.00", "0.00"]
    for member in (first, second):
        await pay_premium(clients, member, ADMDVS, YEAR, "210.00", paid_at="2025-11-20T10:15:00+08:00")
    appropriation = {"appropriation_id": f"MZ-{ADMDVS}-{YEAR}-{secrets.token_hex(3)}", "admdvs": ADMDVS,
                     "fund_pay_type": "610100", "year": YEAR, "amount": "50000.00",
                     "received_at": "2026-01-12T09:30:00+08:00", "source": "civil_affairs", "voucher_no": "MZ-001"}
    await clients.call("POST", f"{clients.billing}/v1/appropriations", clients.auth("operator"), 201,
                       json=appropriation)
    await clients.call("POST", f"{clients.billing}/v1/appropriations", clients.auth("admin"), 200, json=appropriation)
    for member in (first, second, sponsored):
        covered = await eventually(lambda m=member: clients.person(m["psn_no"]), lambda p: p["coverage"] != [])
        assert covered["coverage"] != [], f"{member['psn_no']} never covered"

    code = await register_hospital(clients, ADMDVS, "primary", "平阳旅程卫生院")
    settled = await inpatient_stay(clients, code, first, ADMITTED, SETTLED)
    assert yuan(settled["setlinfo"]["hifp_pay"]) == Money.from_yuan("320.00")
    assert [d["fund_pay_type"] for d in settled["setldetail"]] == ["390100"]

    seen = await eventually(lambda: figures(clients), lambda f: f == EXPECTED)
    assert seen == EXPECTED
    for pool_id in EXPECTED:
        pool = await clients.pool(pool_id)
        assert yuan(pool["income"]).fen > 0, pool_id
