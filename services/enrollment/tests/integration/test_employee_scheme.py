"""The employee scheme (310) in enrollment: who registers and how, cover from the months paid, a lapse
after three unpaid months and its back-payment, retirees by contribution years.

Billing's ``employee.contribution_declared`` events are put on this test's billing topic as billing
would publish them (the full chain through billing's APIs is the end-to-end test's job)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time

import pytest
from idnumbers import make_certno
from topics import events_about

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import EmployeeContributionDeclared, EmployeeContributionWithdrawn
from medfund_shared.money import Money

pytestmark = pytest.mark.integration


def registration(*members: dict, enrolled_on: str = "2026-01-05") -> dict:
    return {"admdvs": "321100", "insutype": "310", "year": 2026, "enrolled_on": enrolled_on, "members": list(members)}


def member(brdy: date, serial: int, gend: str = "1", **extra) -> dict:
    return {"certno": make_certno(brdy, serial, male=gend == "1", region="321100"), "psn_name": "周七", "gend": gend,
            "brdy": brdy.isoformat(), **extra}


async def register(enrollment, body: dict) -> dict:
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == 201, response.text
    return response.json()["members"][0]


async def declare(enrollment, psn_no: str, period: str) -> None:
    """Billing's event for one employee's month (figures of a 6,000 base; enrollment reads only the month)."""
    start = datetime.combine(date.fromisoformat(f"{period}-01"), time(0), CHINA_TIME)
    data = EmployeeContributionDeclared(
        declaration_id=str(uuid.uuid4()), employer_code="EMP1", admdvs="321100", period=period, psn_no=psn_no,
        certno="-", base=Money.from_yuan("6000.00"), employer_amount=Money.from_yuan("540.00"),
        employee_amount=Money.from_yuan("120.00"), pool_amount=Money.from_yuan("420.00"),
        account_amount=Money.from_yuan("240.00"), declared_at=start)
    event = CloudEvent(source="medfund/billing", type=data.event_type, subject=data.subject(), time=start,
                       effectivetime=start, partitionkey=psn_no, data=data.model_dump(mode="json"))
    key, value, headers = event.to_kafka()
    await enrollment.producer.send_and_wait(enrollment.settings.topic(data.topic), value, key=key, headers=headers)


async def wait_for_coverage(enrollment, psn_no: str, expected: list[dict], timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (coverage := (await enrollment.person(psn_no))["coverage"]) != expected:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"coverage of {psn_no} is {coverage}, expected {expected}")
        await asyncio.sleep(0.2)


def period(starts: str, ends: str, status: str) -> dict:
    return {"insutype": "310", "year": 2026, "from": starts, "to": ends, "status": status}


async def test_an_employee_registers_with_the_employer_and_is_covered_from_the_first_month_declared(enrollment):
    registered = await register(enrollment, registration(member(date(1990, 5, 1), 11, employer_code="EMP1",
                                                                ssc_no="SSC11")))
    assert registered["status"] == "registered"
    person = await enrollment.person(registered["psn_no"])
    assert person["enrollments"][-1]["employee"] == {"kind": "in_service", "employer_code": "EMP1",
                                                     "contribution_years": None, "monthly_pension": None}
    await declare(enrollment, registered["psn_no"], "2026-03")
    await wait_for_coverage(enrollment, registered["psn_no"], [period("2026-03-01", "2026-12-31", "active")])


async def test_three_unpaid_months_suspend_cover_and_paying_them_back_restores_it(enrollment):
    lapsing = await register(enrollment, registration(member(date(1980, 2, 1), 21, employer_code="EMP2")))
    other = await register(enrollment, registration(member(date(1981, 2, 1), 22, employer_code="EMP3")))
    await declare(enrollment, lapsing["psn_no"], "2026-01")
    await wait_for_coverage(enrollment, lapsing["psn_no"], [period("2026-01-01", "2026-12-31", "active")])
    await declare(enrollment, other["psn_no"], "2026-04")  # the region reaches April: Feb, Mar overdue, 2 < 3
    await wait_for_coverage(enrollment, other["psn_no"], [period("2026-04-01", "2026-12-31", "active")])
    assert (await enrollment.person(lapsing["psn_no"]))["enrollments"][-1]["status"] == "active"
    await declare(enrollment, other["psn_no"], "2026-05")  # Feb, Mar, Apr overdue: suspended from 1 May
    await wait_for_coverage(enrollment, lapsing["psn_no"], [period("2026-01-01", "2026-04-30", "active"),
                                                            period("2026-05-01", "2026-12-31", "suspended")])
    for month in ("2026-02", "2026-03", "2026-04"):
        await declare(enrollment, lapsing["psn_no"], month)
    await wait_for_coverage(enrollment, lapsing["psn_no"], [period("2026-01-01", "2026-04-30", "active"),
                                                            period("2026-05-01", "2026-04-30", "suspended"),
                                                            period("2026-05-01", "2026-12-31", "active")])
    audit = (await enrollment.client.get(f"/v1/persons/{lapsing['psn_no']}/audit")).json()["entries"]
    assert [(e["action"], e["reason"]) for e in audit] == [
        ("activated", "employee_months"), ("suspended", "unpaid_months"), ("reinstated", None)]


@pytest.mark.parametrize(("gend", "years", "status"), [("1", 30, "active"), ("2", 25, "active"),
                                                       ("1", 29, "registered"), ("2", 24, "registered")])
async def test_a_retiree_is_covered_without_contributions_from_the_minimum_years_else_refused(enrollment, gend, years,
                                                                                            status):
    registered = await register(enrollment, registration(member(
        date(1955, 3, 1), 30 + years, gend=gend, retired=True, contribution_years=years, monthly_pension="4000.00"),
        enrolled_on="2026-02-10"))
    assert registered["status"] == status
    person = await enrollment.person(registered["psn_no"])
    if status == "active":
        assert person["coverage"] == [period("2026-02-01", "2026-12-31", "active")]
    else:
        assert person["coverage"] == []
        refusal = person["enrollments"][-1]["refusal"]
        assert refusal["reason"] == "retiree_contribution_years_short"
        assert f"{years} contribution years" in refusal["message"]


async def test_a_flexible_worker_registers_without_an_employer(enrollment):
    registered = await register(enrollment, registration(member(date(1992, 7, 1), 41, flexible=True)))
    person = await enrollment.person(registered["psn_no"])
    assert person["enrollments"][-1]["employee"]["kind"] == "flexible"


@pytest.mark.parametrize(("body", "code", "field"), [
    (registration(member(date(1990, 1, 1), 51)), "employee_kind_missing", "members.0.employer_code"),
    (registration(member(date(1990, 1, 1), 52, flexible=True, employer_code="EMP1")), "invalid_combination",
     "members.0.employer_code"),
    (registration(member(date(1990, 1, 1), 53, flexible=True, retired=True, contribution_years=30)),
     "invalid_combination", "members.0.flexible"),
    (registration(member(date(1950, 1, 1), 54, retired=True)), "missing_field", "members.0.contribution_years"),
    (registration(member(date(1990, 1, 1), 55, employer_code="EMP1", monthly_pension="100.00")),
     "invalid_combination", "members.0.monthly_pension"),
    ({"admdvs": "500240", "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-10",
      "members": [{"certno": make_certno(date(1990, 1, 1), 56), "psn_name": "周七", "gend": "1",
                   "brdy": "1990-01-01", "category": "adult", "employer_code": "EMP1"}]},
     "not_employee_scheme", "members.0.employer_code"),
])
async def test_wrong_combinations_are_refused_with_the_field_and_register_nobody(enrollment, body, code, field):
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == 422, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    certno = body["members"][0]["certno"]
    assert (await enrollment.client.get("/v1/persons", params={"certno": certno})).status_code == 404


async def test_the_csv_batch_registers_employees_retirees_and_flexible_workers(enrollment):
    header = ("household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on,"
              "employer_code,retired,flexible,contribution_years,monthly_pension")
    people = [(date(1985, 1, 1), 61, "EMP1,,,,"), (date(1950, 1, 1), 62, ",true,,31,3500.00"),
              (date(1993, 1, 1), 63, ",,true,,"), (date(1950, 2, 1), 64, ",true,,20,3500.00"),
              (date(1985, 2, 1), 65, ",,,,")]
    lines = [header] + [f"K{serial},321100,310,2026,,{make_certno(brdy, serial, region='321100')},周七,1,{brdy},"
                        f"employee,2026-01-05,{extra}" for brdy, serial, extra in people]
    response = await enrollment.client.post("/v1/enrollments/batches", content="\n".join(lines).encode(),
                                            headers={"Content-Type": "text/csv"})
    assert response.status_code == 202, response.text
    report = response.json()
    assert (report["accepted"], [(r["line"], r["code"]) for r in report["rejected"]]) == (
        4, [(6, "employee_kind_missing")])
    retiree = (await enrollment.client.get("/v1/persons", params={
        "certno": make_certno(date(1950, 1, 1), 62, region="321100")})).json()
    assert retiree["coverage"] == [period("2026-01-01", "2026-12-31", "active")]
    short = (await enrollment.client.get("/v1/persons", params={
        "certno": make_certno(date(1950, 2, 1), 64, region="321100")})).json()
    assert short["enrollments"][-1]["refusal"]["reason"] == "retiree_contribution_years_short"


async def _withdraw_month(enrollment, psn_no: str, period: str, since: date) -> None:
    """Billing's ``employee.contribution_withdrawn`` after a flexible worker's month was refunded."""
    at = datetime(since.year, since.month, since.day, 9, tzinfo=CHINA_TIME)
    data = EmployeeContributionWithdrawn(
        withdrawal_id=f"W-{psn_no}-{period}", declaration_id=f"D-{psn_no}-{period}", correction_id=f"R-{psn_no}",
        kind="refund", tax_voucher_no="FV1", admdvs="321100", period=period, psn_no=psn_no, certno="-",
        employee_amount="550.00", pool_amount="350.00", account_amount="200.00", withdrawn_at=at, since=since)
    event = CloudEvent(source="medfund/billing", type=data.event_type, subject=data.subject(), time=at,
                       effectivetime=at, partitionkey=psn_no, data=data.model_dump(mode="json"))
    key, value, headers = event.to_kafka()
    await enrollment.producer.send_and_wait(enrollment.settings.topic(data.topic), value, key=key, headers=headers)


async def test_a_flexible_workers_only_month_refunded_withdraws_the_cover_and_paying_it_again_restores_it(
        enrollment):
    """321100: cover from the first day of the first month paid; with no month paid left it is withdrawn from the
    refund's day, and the month paid again restores it from there (the months' own rules)."""
    worker = await register(enrollment, registration(member(date(1990, 6, 1), 71, flexible=True)))
    psn_no = worker["psn_no"]
    await declare(enrollment, psn_no, "2026-03")
    await wait_for_coverage(enrollment, psn_no, [period("2026-03-01", "2026-12-31", "active")])
    await _withdraw_month(enrollment, psn_no, "2026-03", date(2026, 3, 25))
    await wait_for_coverage(enrollment, psn_no, [period("2026-03-01", "2026-03-24", "active"),
                                                 period("2026-03-25", "2026-12-31", "suspended")])
    [suspended] = await events_about(enrollment.settings, psn_no, "coverage.suspended.v1", 1)
    assert (suspended.data["reason"], suspended.data["since"]) == ("premium_withdrawn", "2026-03-25")
    await declare(enrollment, psn_no, "2026-03")
    await wait_for_coverage(enrollment, psn_no, [period("2026-03-01", "2026-03-24", "active"),
                                                 period("2026-03-25", "2026-03-24", "suspended"),
                                                 period("2026-03-25", "2026-12-31", "active")])
