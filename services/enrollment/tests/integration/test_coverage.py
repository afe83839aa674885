"""Payments activate cover by the region's pack; suspension and termination end it; the topic rebuilds it."""

from datetime import date, datetime, timedelta

import pytest
from idnumbers import make_certno
from topics import read_all

from medfund_enrollment.api.answer_models import CoverageChanged
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
SCHEDULE = [  # region, tier, birth, enrolled on, paid at, first day of cover
    ("500240", "tier1", date(1975, 5, 5), "2025-10-01", datetime(2025, 11, 20, 9, tzinfo=CHINA_TIME), "2026-01-01"),
    ("500240", "tier1", date(1975, 5, 6), "2025-10-01", datetime(2026, 1, 15, 9, tzinfo=CHINA_TIME), "2026-02-01"),
    ("500240", "tier1", date(1975, 5, 7), "2025-10-01", datetime(2026, 2, 28, 23, tzinfo=CHINA_TIME), "2026-03-01"),
    ("500240", "tier1", date(1975, 5, 8), "2025-10-01", datetime(2026, 3, 1, 8, tzinfo=CHINA_TIME), "2026-05-30"),
    ("500240", "tier2", date(2026, 4, 2), "2026-05-01", datetime(2026, 6, 1, 8, tzinfo=CHINA_TIME), "2026-04-02"),
    ("211302", None, date(1975, 6, 5), "2025-10-01", datetime(2025, 12, 1, 9, tzinfo=CHINA_TIME), "2026-01-01"),
    ("211302", None, date(1975, 6, 6), "2025-10-01", datetime(2026, 1, 20, 9, tzinfo=CHINA_TIME), "2026-02-19"),
    ("211302", None, date(1975, 6, 7), "2025-10-01", datetime(2026, 3, 10, 9, tzinfo=CHINA_TIME), "2026-04-09"),
]


async def register(enrollment, admdvs, tier, brdy, enrolled_on, serial, category="adult", renewal_of=None) -> str:
    body = {"admdvs": admdvs, "insutype": "390", "year": 2026, "tier": tier, "enrolled_on": enrolled_on,
            "members": [{"certno": make_certno(brdy, serial, region=admdvs), "psn_name": "李四", "gend": "1",
                         "brdy": brdy.isoformat(), "category": category}]}
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == 201, response.text
    return response.json()["members"][0]["psn_no"]


@pytest.mark.parametrize(("admdvs", "tier", "brdy", "enrolled_on", "paid_at", "starts"), SCHEDULE)
async def test_a_premium_paid_in_full_activates_cover_from_the_packs_date(enrollment, admdvs, tier, brdy,
                                                                        enrolled_on, paid_at, starts):
    psn_no = await register(enrollment, admdvs, tier, brdy, enrolled_on, serial=SCHEDULE.index(
        (admdvs, tier, brdy, enrolled_on, paid_at, starts)) + 1)
    await enrollment.pay(psn_no, admdvs, 2026, paid_at)
    person = await enrollment.wait_for_status(psn_no, "active")
    assert person["coverage"] == [{"insutype": "390", "year": 2026, "from": starts, "to": "2026-12-31",
                                   "status": "active"}]


async def test_a_newborn_with_a_waived_premium_is_covered_from_birth_without_paying(enrollment):
    psn_no = await register(enrollment, "211302", None, date(2026, 3, 3), "2026-04-15", serial=21, category="minor")
    person = await enrollment.person(psn_no)
    assert person["coverage"][0]["from"] == "2026-03-03"
    assert person["enrollments"][0]["premium_due"] == "0.00"


async def test_a_second_payment_event_changes_nothing(enrollment):
    psn_no = await register(enrollment, "500240", "tier1", date(1976, 1, 1), "2025-10-01", serial=22)
    await enrollment.pay(psn_no, "500240", 2026, datetime(2025, 11, 1, tzinfo=CHINA_TIME))
    await enrollment.wait_for_status(psn_no, "active")
    await enrollment.pay(psn_no, "500240", 2026, datetime(2026, 3, 1, tzinfo=CHINA_TIME), voucher="V2")
    await enrollment.wait_consumed()
    assert [p["from"] for p in (await enrollment.person(psn_no))["coverage"]] == ["2026-01-01"]


async def covered_person(enrollment, serial: int) -> str:
    psn_no = await register(enrollment, "500240", "tier1", date(1977, 1, 1), "2025-10-01", serial=serial)
    await enrollment.pay(psn_no, "500240", 2026, datetime(2025, 11, 1, tzinfo=CHINA_TIME))
    await enrollment.wait_for_status(psn_no, "active")
    return psn_no


async def test_suspension_ends_cover_and_reinstatement_resumes_it_with_an_audit_trail(enrollment):
    psn_no = await covered_person(enrollment, 31)
    suspended = await enrollment.client.post(f"/v1/persons/{psn_no}/suspensions", json={
        "year": 2026, "since": "2026-04-01", "reason": "moved_away", "note": "户口迁出"})
    assert suspended.status_code == 201, suspended.text
    assert not departures(CoverageChanged, suspended.json())
    again = await enrollment.client.post(f"/v1/persons/{psn_no}/suspensions", json={
        "year": 2026, "since": "2026-04-02", "reason": "moved_away"})
    assert again.status_code == 409
    reinstated = await enrollment.client.post(f"/v1/persons/{psn_no}/reinstatements",
                                              json={"year": 2026, "since": "2026-06-01"})
    assert reinstated.status_code == 201 and not departures(CoverageChanged, reinstated.json())
    coverage = (await enrollment.person(psn_no))["coverage"]
    assert [(p["from"], p["to"], p["status"]) for p in coverage] == [
        ("2026-01-01", "2026-03-31", "active"), ("2026-04-01", "2026-05-31", "suspended"),
        ("2026-06-01", "2026-12-31", "active")]
    audit = (await enrollment.client.get(f"/v1/persons/{psn_no}/audit")).json()["entries"]
    assert [(e["action"], e["actor"]) for e in audit][-2:] == [("suspended", "operator-7"),
                                                               ("reinstated", "operator-7")]
    assert audit[-2]["note"] == "户口迁出" and audit[-2]["reason"] == "moved_away"


async def test_death_terminates_cover_on_the_day_of_death(enrollment):
    psn_no = await covered_person(enrollment, 32)
    response = await enrollment.client.post(f"/v1/persons/{psn_no}/terminations", json={
        "year": 2026, "on": "2026-07-09", "reason": "death"})
    assert response.status_code == 201, response.text
    assert not departures(CoverageChanged, response.json())
    person = await enrollment.person(psn_no)
    assert [(p["to"], p["status"]) for p in person["coverage"]] == [("2026-07-09", "terminated")]
    assert person["enrollments"][-1]["status"] == "terminated"


async def test_joining_the_employee_scheme_ends_the_resident_enrollment(enrollment):
    brdy = date(1985, 2, 2)
    psn_no = await register(enrollment, "500240", "tier1", brdy, "2025-10-01", serial=33)
    await enrollment.pay(psn_no, "500240", 2026, datetime(2025, 11, 1, tzinfo=CHINA_TIME))
    await enrollment.wait_for_status(psn_no, "active")
    response = await enrollment.client.post("/v1/enrollments", json={
        "admdvs": "321100", "insutype": "310", "year": 2026, "enrolled_on": "2026-05-01",
        "members": [{"certno": make_certno(brdy, 33, region="500240"), "psn_name": "李四", "gend": "1",
                     "brdy": brdy.isoformat(), "employer_code": "EMP1"}]})
    assert response.status_code == 201, response.text
    person = await enrollment.person(psn_no)
    assert [(e["insutype"], e["status"]) for e in person["enrollments"]] == [("390", "terminated"),
                                                                            ("310", "registered")]
    assert person["coverage"][0]["to"] == "2026-04-30"


async def test_the_enrollment_topic_alone_rebuilds_everyones_cover(enrollment):
    """Replay every event from the beginning and compare with what the service answers."""
    await enrollment.wait_published()
    events = await read_all(enrollment.settings, "medfund.enrollment.v1")
    rebuilt: dict[str, list[list]] = {}
    for event in events:
        data = event.data
        periods = rebuilt.setdefault(data.get("psn_no", ""), [])
        if event.type.endswith("coverage.activated.v1"):
            periods.append([data["coverage_from"], data["coverage_to"]])
        elif event.type.endswith("coverage.suspended.v1") and periods:
            periods[-1][1] = (date.fromisoformat(data["since"]) - timedelta(days=1)).isoformat()
        elif event.type.endswith("coverage.reinstated.v1"):
            periods.append([data["since"], f"{data['year']}-12-31"])
        elif event.type.endswith("coverage.terminated.v1") and periods:
            on = date.fromisoformat(data["on"])
            last = on if data["reason"] == "death" else on - timedelta(days=1)
            periods[-1][1] = min(periods[-1][1], last.isoformat())
    covered = {psn: periods for psn, periods in rebuilt.items() if periods}
    assert len(covered) >= len(SCHEDULE) + 4
    for psn_no, periods in covered.items():
        served = [[p["from"], p["to"]] for p in (await enrollment.person(psn_no))["coverage"]
                  if p["status"] != "suspended"]
        assert served == periods, psn_no
