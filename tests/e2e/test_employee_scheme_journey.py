"""The employee scheme (310) in Zhenjiang (321100) through the four services' public APIs only.

An operator registers an employee of a company, a flexible worker (灵活就业) and two retirees; the
region's tax office declares the employee's months and the flexible worker pays hers through the tax
feed; both are covered from the first day of their first month paid, and a county hospital's 1101 shows
it. The flexible worker then misses February to April while the employer goes on declaring: once the
region reaches May she is suspended from 1 May, and paying the three months back (with the late fee)
restores her cover. A retiree with 30 contribution years is covered without contributions; one with 29
is refused with the reason. The ledger's 310100 and 310200 pools take exactly the sums worked out by
hand below, and no service parks a dead letter.

Figures by hand from the 321100 pack: the employee's prior-year wage 6,000.00 is within the base floor
(3,600.00) and ceiling (18,000.00): employer 9% = 540.00, employee 2% = 120.00, account (under 45) 4% =
240.00, pool 660.00 - 240.00 = 420.00 a month. The flexible worker's base 5,000.00: 11% = 550.00, all
personal; account 4% = 200.00, pool 350.00. Late fee 0.05% a day after the 15th of the next month, paid
20 May: February (due 15 March) 66 days: 550.00 × 0.033 = 18.15; March (due 15 April) 35 days: 550.00 ×
0.0175 = 9.625 → 9.63; April (due 15 May) 5 days: 550.00 × 0.0025 = 1.375 → 1.38.

The journey lives in 2027, so the region's clock it moves (the latest month declared in 321100) runs
ahead of anything else this session does in 2026.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from medfund_shared.events.types.enrollment import TOPIC as ENROLLMENT_TOPIC
from medfund_shared.money import Money
from medfund_shared.schemes import EMPLOYEE_SCHEME

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, certno, cover_period, eventually, heard_of, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "321100", 2027
TAX_OFFICE = "13211000000"
"""A tax office of 321100 (税务机关代码: 1 + the division code + 4 digits)."""
POOLED, ACCOUNT = f"{ADMDVS}:310100:{YEAR}", f"{ADMDVS}:310200:{YEAR}"
EMPLOYEE_POOL, EMPLOYEE_ACCOUNT = Money.from_yuan("420.00"), Money.from_yuan("240.00")
FLEXIBLE_POOL, FLEXIBLE_ACCOUNT = Money.from_yuan("350.00"), Money.from_yuan("200.00")
LATE_FEES = {"2027-02": Money.from_yuan("18.15"), "2027-03": Money.from_yuan("9.63"),
             "2027-04": Money.from_yuan("1.38")}
DECLARED_MONTHS = ("2027-01", "2027-02", "2027-03", "2027-04", "2027-05")


@dataclass(frozen=True)
class Person:
    certno: str
    psn_no: str
    answer: dict


@dataclass(frozen=True)
class People:
    employee: Person
    flexible: Person
    retiree: Person
    short_retiree: Person
    employer: str


@pytest.fixture(scope="module")
async def hospital(clients) -> str:
    code = f"HZ{secrets.token_hex(5).upper()}"
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", clients.auth("admin"), json={
        "name": "镇江旅程医院", "admdvs": ADMDVS, "level": "tertiary", "annual_budget": "5000000.00"})
    return code


@pytest.fixture(scope="module")
async def before(clients) -> dict[str, Money]:
    return {pool: await pool_income(clients, pool) for pool in (POOLED, ACCOUNT)}


@pytest.fixture(scope="module")
async def people(services_running, clients, before) -> People:
    """Registered as an operator does: one household each (each a separate person); billing, which the employer
    declares to and the flexible worker pays through, has taken the registrations in."""
    employer = f"EMP{secrets.token_hex(4).upper()}"
    members = {
        "employee": ({"employer_code": employer}, date(1992, 6, 1), "1", "孙建华"),
        "flexible": ({"flexible": True}, date(1990, 9, 1), "2", "钱丽"),
        "retiree": ({"retired": True, "contribution_years": 30, "monthly_pension": "4000.00"}, date(1960, 2, 1), "1",
                    "赵国庆"),
        "short_retiree": ({"retired": True, "contribution_years": 29}, date(1961, 3, 1), "1", "周明"),
    }
    found = {}
    for role, (extra, brdy, gend, name) in members.items():
        card = certno(ADMDVS, brdy, gend == "1")
        answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201,
                                    json={"admdvs": ADMDVS, "insutype": "310", "year": YEAR,
                                          "enrolled_on": f"{YEAR}-01-04", "members": [{
                                              "certno": card, "psn_name": name, "gend": gend,
                                              "brdy": brdy.isoformat(), **extra}]})
        found[role] = Person(card, answer["members"][0]["psn_no"], answer["members"][0])
    await heard_of(clients, services_running.databases, "enrollment", "billing", ENROLLMENT_TOPIC)
    return People(**found, employer=employer)


async def pool_income(clients: Clients, pool_id: str) -> Money:
    pool = await clients.pool(pool_id)
    return yuan(pool["income"]) if pool else Money.zero()


async def declare(clients: Clients, people: People, period: str) -> dict:
    return await clients.call(
        "POST", f"{clients.billing}/v1/employers/{people.employer}/declarations",
        clients.auth("tax", tax_office_code=TAX_OFFICE), 201, json={
            "period": period, "admdvs": ADMDVS, "employees": [{
                "certno": people.employee.certno, "psn_no": people.employee.psn_no, "brdy": "1992-06-01",
                "prior_year_average_monthly_wage": "6000.00"}]})


async def pay_flexible(clients: Clients, people: People, period: str, amount: Money, paid_at: str) -> dict:
    return await clients.call("POST", f"{clients.billing}/v1/collections",
                              clients.auth("tax", tax_office_code=TAX_OFFICE), 201, json={
                                  "tax_voucher_no": f"FLX{secrets.token_hex(8)}", "certno": people.flexible.certno,
                                  "psn_name": "钱丽", "insutype": "310", "admdvs": ADMDVS, "period_year": YEAR,
                                  "period": period, "base": "5000.00", "amount": amount.to_yuan(),
                                  "paid_at": paid_at, "tax_office_code": TAX_OFFICE, "channel": "etax"})


async def coverage(clients: Clients, person: Person) -> list[dict]:
    return (await clients.person(person.psn_no))["coverage"]


async def card_read(clients: Clients, hospital: str, person: Person, day: str) -> dict:
    """1101 from the hospital's card reader on ``day``."""
    return await clients.gateway("1101", hospital, {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno, "psn_cert_type": "01", "certno": person.certno,
        "psn_name": ""}}, inf_time=f"{day} 08:30:00", admdvs=ADMDVS)


cover = partial(cover_period, EMPLOYEE_SCHEME, YEAR)
"""A period of employee cover in the journey's year."""


def insu_status(answer: dict) -> list[tuple[str, str]]:
    return [(i["insutype"], i["psn_insu_stas"]) for i in answer["output"]["insuinfo"]]


async def test_registration_says_who_each_member_is_and_judges_the_retirees(clients, people):
    assert people.employee.answer["status"] == "registered"
    assert people.retiree.answer["status"] == "active"
    assert await coverage(clients, people.retiree) == [cover(f"{YEAR}-01-01", f"{YEAR}-12-31")]
    assert people.short_retiree.answer["status"] == "registered"
    short = await clients.person(people.short_retiree.psn_no)
    assert short["coverage"] == []
    assert short["enrollments"][-1]["refusal"]["reason"] == "retiree_contribution_years_short"
    assert "29 contribution years" in short["enrollments"][-1]["refusal"]["message"]
    assert short["enrollments"][-1]["employee"]["kind"] == "retired"


async def test_a_declared_employee_and_a_paying_flexible_worker_are_covered_and_the_gateway_knows(
        clients, people, hospital):
    declared = await declare(clients, people, "2027-01")
    line = declared["employees"][0]
    assert (line["pool_amount"], line["account_amount"], line["late_fee"]) == ("420.00", "240.00", "0.00")
    paid = await pay_flexible(clients, people, "2027-01", Money.from_yuan("550.00"), "2027-01-20T09:00:00+08:00")
    assert (paid["psn_no"], paid["match"]) == (people.flexible.psn_no, "employee_month")
    for person in (people.employee, people.flexible):
        seen = await eventually(lambda p=person: coverage(clients, p), lambda c: c != [])
        assert seen == [cover(f"{YEAR}-01-01", f"{YEAR}-12-31")]
    answer = await eventually(lambda: card_read(clients, hospital, people.employee, "2027-01-25"),
                              lambda a: a["infcode"] == 0)
    assert answer["infcode"] == 0, answer
    assert insu_status(answer) == [("310", "1")]


async def test_three_unpaid_months_suspend_the_flexible_worker_and_paying_them_back_restores_her(
        clients, people, hospital):
    for period in DECLARED_MONTHS[1:4]:
        await declare(clients, people, period)
    assert await coverage(clients, people.flexible) == [cover(f"{YEAR}-01-01", f"{YEAR}-12-31")]
    await declare(clients, people, "2027-05")  # February to April are now overdue and unpaid: 3 months
    suspended = [cover(f"{YEAR}-01-01", f"{YEAR}-04-30"), cover(f"{YEAR}-05-01", f"{YEAR}-12-31", "suspended")]
    assert await eventually(lambda: coverage(clients, people.flexible), lambda c: c == suspended) == suspended
    refused = await eventually(lambda: card_read(clients, hospital, people.flexible, "2027-05-10"),
                               lambda a: a["infcode"] != 0 or insu_status(a) == [("310", "2")])
    assert refused["infcode"] != 0 or insu_status(refused) == [("310", "2")], refused
    for period, fee in LATE_FEES.items():
        await pay_flexible(clients, people, period, Money.from_yuan("550.00") + fee, "2027-05-20T09:00:00+08:00")
    restored = [*suspended[:1], cover(f"{YEAR}-05-01", f"{YEAR}-04-30", "suspended"),
                cover(f"{YEAR}-05-01", f"{YEAR}-12-31")]
    assert await eventually(lambda: coverage(clients, people.flexible), lambda c: c == restored) == restored
    answer = await eventually(lambda: card_read(clients, hospital, people.flexible, "2027-05-25"),
                              lambda a: a["infcode"] == 0 and insu_status(a) == [("310", "1")])
    assert insu_status(answer) == [("310", "1")], answer
    audit = await clients.call("GET", f"{clients.enrollment}/v1/persons/{people.flexible.psn_no}/audit",
                               clients.auth("operator"))
    assert [(e["action"], e["reason"]) for e in audit["entries"]] == [
        ("activated", "employee_months"), ("suspended", "unpaid_months"), ("reinstated", None)]


async def test_the_pools_take_the_sums_worked_out_by_hand_and_nothing_is_parked(clients, people, before):
    months_declared, flexible_months = len(DECLARED_MONTHS), 1 + len(LATE_FEES)
    pooled = sum([EMPLOYEE_POOL] * months_declared + [FLEXIBLE_POOL] * flexible_months + list(LATE_FEES.values()),
                 Money.zero())
    account = sum([EMPLOYEE_ACCOUNT] * months_declared + [FLEXIBLE_ACCOUNT] * flexible_months, Money.zero())
    # 420.00 × 5 + 350.00 × 4 + 29.16 = 3,529.16 pooled; 240.00 × 5 + 200.00 × 4 = 2,000.00 to the accounts
    assert (pooled, account) == (Money.from_yuan("3529.16"), Money.from_yuan("2000.00"))
    for pool_id, expected in ((POOLED, pooled), (ACCOUNT, account)):
        income = await eventually(lambda p=pool_id: pool_income(clients, p),
                                  lambda value, p=pool_id, e=expected: value - before[p] == e)
        assert income - before[pool_id] == expected, pool_id
    arrears = await clients.call("GET", f"{clients.billing}/v1/employers/{people.employer}/arrears",
                                 clients.auth("tax", tax_office_code=TAX_OFFICE))
    assert arrears["months"] == []
    assert await clients.dead_letters() == {"enrollment": [], "billing": [], "adjudication": [], "ledger": []}
