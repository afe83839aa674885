"""A refund that leaves the premium unpaid withdraws the cover from its day (billing's ``premium.withdrawn``);
only the premium paid in full again restores it, from that payment's day."""

from datetime import date, datetime

import pytest
from idnumbers import make_certno
from topics import events_about

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import PremiumWithdrawn

pytestmark = pytest.mark.integration


async def _covered(enrollment, serial: int) -> str:
    response = await enrollment.client.post("/v1/enrollments", json={
        "admdvs": "500240", "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-01",
        "members": [{"certno": make_certno(date(1980, 5, 5), serial, region="500240"), "psn_name": "周五", "gend": "1",
                     "brdy": "1980-05-05", "category": "adult"}]})
    assert response.status_code == 201, response.text
    psn_no = response.json()["members"][0]["psn_no"]
    await enrollment.pay(psn_no, "500240", 2026, datetime(2025, 11, 20, 10, tzinfo=CHINA_TIME), premium_due="140.00")
    await enrollment.wait_for_status(psn_no, "active")
    return psn_no


async def _withdraw(enrollment, psn_no: str, since: date) -> None:
    """Put a real ``premium.withdrawn`` event on this test's billing topic, as billing does after a refund."""
    at = datetime(since.year, since.month, since.day, 9, tzinfo=CHINA_TIME)
    data = PremiumWithdrawn(correction_id=f"R-{psn_no}", kind="refund", tax_voucher_no="V1", psn_no=psn_no,
                            admdvs="500240", insutype="390", year=2026, premium_due="140.00", paid_total="0.00",
                            withdrawn_at=at, since=since)
    event = CloudEvent(source="medfund/billing", type=data.event_type, subject=psn_no, time=at, effectivetime=at,
                       partitionkey=psn_no, data=data.model_dump(mode="json"))
    key, value, headers = event.to_kafka()
    await enrollment.producer.send_and_wait(enrollment.settings.topic(data.topic), value, key=key, headers=headers)


def _periods(person: dict) -> list[tuple[str, str, str]]:
    return [(p["from"], p["to"], p["status"]) for p in person["coverage"]]


async def test_a_refund_withdraws_cover_from_its_day_and_the_premium_paid_again_restores_it(enrollment):
    psn_no = await _covered(enrollment, 61)
    await _withdraw(enrollment, psn_no, date(2026, 3, 1))
    person = await enrollment.wait_for_status(psn_no, "suspended")
    assert _periods(person) == [("2026-01-01", "2026-02-28", "active"), ("2026-03-01", "2026-12-31", "suspended")]
    [suspended] = await events_about(enrollment.settings, psn_no, "coverage.suspended.v1", 1)
    assert (suspended.data["since"], suspended.data["reason"], suspended.data["actor"]) == (
        "2026-03-01", "premium_withdrawn", "billing")

    operator = await enrollment.client.post(f"/v1/persons/{psn_no}/reinstatements",
                                            json={"year": 2026, "since": "2026-03-15"})
    assert operator.status_code == 409 and operator.json()["error"]["code"] == "premium_unpaid"

    await enrollment.pay(psn_no, "500240", 2026, datetime(2026, 4, 2, 10, tzinfo=CHINA_TIME), premium_due="140.00",
                         voucher="V2")
    person = await enrollment.wait_for_status(psn_no, "active")
    assert _periods(person) == [("2026-01-01", "2026-02-28", "active"), ("2026-03-01", "2026-04-01", "suspended"),
                                ("2026-04-02", "2026-12-31", "active")]
    [reinstated] = await events_about(enrollment.settings, psn_no, "coverage.reinstated.v1", 1)
    assert (reinstated.data["since"], reinstated.data["actor"]) == ("2026-04-02", "billing")
    audit = (await enrollment.client.get(f"/v1/persons/{psn_no}/audit")).json()["entries"]
    assert [(e["action"], e["actor"], e["reason"]) for e in audit][-2:] == [
        ("suspended", "billing", "premium_withdrawn"), ("reinstated", "billing", None)]


async def test_a_refund_dated_before_the_year_withdraws_the_whole_year(enrollment):
    psn_no = await _covered(enrollment, 62)
    await _withdraw(enrollment, psn_no, date(2025, 12, 20))
    person = await enrollment.wait_for_status(psn_no, "suspended")
    assert _periods(person) == [("2026-01-01", "2025-12-31", "active"), ("2026-01-01", "2026-12-31", "suspended")]

