"""What a premium paid in full does: employee cover from the pack's wait, or a visible refusal."""

import asyncio
from datetime import date, datetime

import pytest
from idnumbers import make_certno
from topics import events_about

from medfund_shared.china_time import CHINA_TIME

pytestmark = pytest.mark.integration


async def register(enrollment, admdvs: str, insutype: str, brdy: date, serial: int) -> str:
    response = await enrollment.client.post("/v1/enrollments", json={
        "admdvs": admdvs, "insutype": insutype, "year": 2026, "tier": "tier1" if admdvs == "500240" else None,
        "enrolled_on": "2025-10-01", "members": [{"certno": make_certno(brdy, serial, region="500245"),
                                                  "psn_name": "吴九", "gend": "1", "brdy": brdy.isoformat(),
                                                  "category": "adult"}]})
    assert response.status_code == 201, response.text
    return response.json()["members"][0]["psn_no"]


async def refused(enrollment, psn_no: str, timeout: float = 60) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while (person := await enrollment.person(psn_no))["enrollments"][-1]["refusal"] is None:
        assert asyncio.get_running_loop().time() < deadline, person
        await asyncio.sleep(0.2)
    return person


async def test_a_payment_after_the_year_ended_is_recorded_refused_and_published(enrollment):
    psn_no = await register(enrollment, "500240", "390", date(1979, 9, 9), 2)
    paid_at = datetime(2027, 1, 5, 10, tzinfo=CHINA_TIME)
    await enrollment.pay(psn_no, "500240", 2026, paid_at)
    person = await refused(enrollment, psn_no)
    enrolled = person["enrollments"][-1]
    assert (enrolled["status"], person["coverage"]) == ("registered", [])
    assert enrolled["refusal"]["reason"] == "paid_after_year_end" and enrolled["refusal"]["message"]
    assert datetime.fromisoformat(enrolled["refusal"]["paid_at"]) == paid_at
    audit = (await enrollment.client.get(f"/v1/persons/{psn_no}/audit")).json()["entries"]
    assert (audit[-1]["action"], audit[-1]["reason"], audit[-1]["effective_on"]) == \
        ("cover_refused", "paid_after_year_end", "2027-01-05")
    events = await events_about(enrollment.settings, psn_no, "coverage.refused.v1", 1)
    assert [(e.data["reason"], e.data["trigger"], e.data["year"], e.effectivetime) for e in events] == \
        [("paid_after_year_end", "payment", 2026, paid_at)]
