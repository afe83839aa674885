"""The employee scheme in billing: members from enrollment's events, declarations bound to the region,
late fees, flexible workers through the tax feed and an employer's arrears. Figures by hand from the
321100 pack: average monthly wage 72,000 / 12 = 6,000; base floor 3,600, ceiling 18,000; employer 9%,
employee 2%, flexible workers 11%; account 4% under 45, 5% from 45; due by the 15th of the next month,
late fee 0.05% a day."""

from __future__ import annotations

from datetime import date

import pytest
from billing_testkit import (
    OFFICE,
    ZHENJIANG_OFFICE,
    by_type,
    employee_registered,
    record,
    register_employee,
)

from medfund_billing.api.answer_models import Arrears, DeclaredMonth
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
URL = "/v1/employers/EMP9/declarations"


def declaration(period: str, *employees: dict, **extra) -> dict:
    return {"period": period, "admdvs": "321100", "employees": list(employees), **extra}


def line(psn_no: str, certno: str, brdy: str, wage: str = "6000.00") -> dict:
    return {"certno": certno, "psn_no": psn_no, "brdy": brdy, "prior_year_average_monthly_wage": wage}


async def test_a_310_registration_becomes_a_member_and_no_dead_letter(billing):
    await register_employee(billing, employee_registered("M1", "321100199001010011", date(1990, 1, 1), "in_service"))
    assert await billing.scalar("SELECT kind FROM employee_members WHERE psn_no = 'M1'") == "in_service"
    assert await billing.scalar("SELECT count(*) FROM premium_accounts") == 0
    assert await billing.scalar("SELECT count(*) FROM dead_letters") == 0


async def test_a_declaration_is_bound_to_the_region_of_the_tax_office(billing):
    await register_employee(billing, employee_registered("M2", "321100199001010022", date(1990, 1, 1), "in_service",
                                                         employer_code="EMP9"))
    body = declaration("2026-03", line("M2", "321100199001010022", "1990-01-01"))
    other = await billing.client.post(URL, json=body, headers=billing.headers(office=OFFICE))
    assert other.status_code == 403, other.text
    assert other.json()["error"]["field"] == "admdvs"
    own = await billing.client.post(URL, json=body, headers=billing.headers(office=ZHENJIANG_OFFICE))
    assert own.status_code == 201, own.text
    assert not departures(DeclaredMonth, own.json())
    staff = await billing.client.post(URL, json=declaration("2026-04", line("M2", "321100199001010022", "1990-01-01")),
                                      headers=billing.headers(role="operator"))
    assert staff.status_code == 201, staff.text


@pytest.mark.parametrize(("employee", "code", "field"), [
    (line("NOBODY", "321100199001010033", "1990-01-01"), "not_registered", "employees.0.psn_no"),
    ({**line("M3", "321100199001010034", "1990-01-01"), "retired": True, "monthly_pension": "3000.00"},
     "kind_mismatch", "employees.0.retired"),
    (line("M3", "321100199001010034", "1991-01-01"), "kind_mismatch", "employees.0.brdy"),
])
async def test_a_line_the_registrations_do_not_back_is_refused_and_nothing_stored(billing, employee, code, field):
    await register_employee(billing, employee_registered("M3", "321100199001010034", date(1990, 1, 1), "in_service"))
    response = await billing.client.post(URL, json=declaration("2026-03", employee),
                                         headers=billing.headers(office=ZHENJIANG_OFFICE))
    assert response.status_code == 422, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert await billing.scalar("SELECT count(*) FROM employee_declarations") == 0


async def test_a_late_declaration_owes_the_late_fee_as_pooled_income(billing):
    await register_employee(billing, employee_registered("M4", "321100199001010045", date(1990, 1, 1), "in_service"))
    # March is due by 15 April; declared 25 April: 10 days late. Contribution 540 + 120 = 660.00;
    # fee 660.00 × 0.0005 × 10 = 3.30
    response = await billing.client.post(
        URL, json=declaration("2026-03", line("M4", "321100199001010045", "1990-01-01"), declared_on="2026-04-25"),
        headers=billing.headers(office=ZHENJIANG_OFFICE))
    assert response.status_code == 201, response.text
    assert response.json()["employees"][0]["late_fee"] == "3.30"
    [declared] = by_type(await billing.events(1), "employee.contribution_declared")
    assert (declared["late_fee"], declared["paid_on"], declared["payer"]) == ("3.30", "2026-04-25", "employer")


def flexible_payment(voucher: str, amount: str, base: str = "5000.00", period: str = "2026-03", **extra) -> dict:
    return record(voucher, certno="321100199001010056", amount=amount, insutype="310", admdvs="321100",
                  period=period, base=base, paid_at="2026-03-20T10:00:00+08:00") | extra


async def test_a_flexible_worker_pays_11_percent_of_the_chosen_base_through_the_tax_feed(billing):
    await register_employee(billing, employee_registered("F1", "321100199001010056", date(1990, 1, 1), "flexible"))
    paid = await billing.client.post("/v1/collections", json=flexible_payment("FX1", "550.00"),
                                     headers=billing.headers())
    assert paid.status_code == 201, paid.text
    assert (paid.json()["psn_no"], paid.json()["match"]) == ("F1", "employee_month")
    replay = await billing.client.post("/v1/collections", json=flexible_payment("FX1", "550.00"),
                                       headers=billing.headers())
    assert replay.status_code == 200
    again = await billing.client.post("/v1/collections", json=flexible_payment("FX2", "550.00"),
                                      headers=billing.headers())
    assert (again.status_code, again.json()["error"]["code"]) == (422, "month_already_paid")
    events = await billing.events(1)
    [declared] = by_type(events, "employee.contribution_declared")
    # 5000 × 11% = 550.00, all personal; account 4% = 200.00; pool 350.00
    assert {k: declared[k] for k in ("employer_code", "payer", "employer_amount", "employee_amount", "pool_amount",
                                     "account_amount", "tax_voucher_no", "period")} == {
        "employer_code": None, "payer": "flexible_worker", "employer_amount": "0.00", "employee_amount": "550.00",
        "pool_amount": "350.00", "account_amount": "200.00", "tax_voucher_no": "FX1", "period": "2026-03"}
    assert by_type(events, "contribution.received") == []


@pytest.mark.parametrize(("payment", "code", "field"), [
    (flexible_payment("FB1", "550.01"), "amount_mismatch", "amount"),
    (flexible_payment("FB2", "395.99", base="3599.99"), "invalid_base", "base"),
    (flexible_payment("FB3", "550.00", certno="321100199001010099"), "not_registered", "certno"),
    ({key: value for key, value in flexible_payment("FB4", "550.00").items() if key != "period"}, "missing", "period"),
    (flexible_payment("FB5", "550.00", period="2025-12"), "invalid", "period"),
])
async def test_a_flexible_payment_that_buys_no_month_is_refused_with_its_field(billing, payment, code, field):
    await register_employee(billing, employee_registered("F2", "321100199001010056", date(1990, 1, 1), "flexible"))
    response = await billing.client.post("/v1/collections", json=payment, headers=billing.headers())
    assert response.status_code == 422, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert await billing.scalar("SELECT count(*) FROM payments") == 0


async def test_a_late_flexible_payment_includes_the_late_fee(billing):
    await register_employee(billing, employee_registered("F3", "321100199001010056", date(1990, 1, 1), "flexible"))
    # January due by 15 February; paid 20 March: 33 days late. 550.00 × 0.0005 × 33 = 9.075 → 9.08
    late = flexible_payment("FL1", "550.00", period="2026-01")
    refused = await billing.client.post("/v1/collections", json=late, headers=billing.headers())
    assert refused.json()["error"]["code"] == "amount_mismatch"
    assert "559.08" in refused.json()["error"]["message"]
    paid = await billing.client.post("/v1/collections", json=late | {"amount": "559.08"}, headers=billing.headers())
    assert paid.status_code == 201, paid.text


async def test_an_employers_undeclared_months_show_in_its_arrears_with_estimated_amounts(billing):
    await register_employee(billing, employee_registered("A1", "321100199001010067", date(1990, 1, 1), "in_service",
                                                         employer_code="EMP9"))
    await register_employee(billing, employee_registered("A2", "321100199001010078", date(1990, 1, 1), "in_service",
                                                         employer_code="EMP8"))
    office = billing.headers(office=ZHENJIANG_OFFICE)
    for period in ("2026-01", "2026-02"):
        assert (await billing.client.post(URL, json=declaration(period, line("A1", "321100199001010067", "1990-01-01")),
                                          headers=office)).status_code == 201
    assert (await billing.client.post("/v1/employers/EMP8/declarations", json=declaration(
        "2026-05", line("A2", "321100199001010078", "1990-01-01")), headers=office)).status_code == 201
    arrears = await billing.client.get("/v1/employers/EMP9/arrears", headers=office)
    assert arrears.status_code == 200, arrears.text
    assert not departures(Arrears, arrears.json())
    # the region reached May through EMP8; EMP9 declared Jan and Feb (660.00 each): Mar, Apr, May owed
    assert arrears.json()["months"] == [{"period": p, "amount": "660.00", "amount_basis": "latest_declared_month"}
                                        for p in ("2026-03", "2026-04", "2026-05")]
    assert arrears.json()["estimated_total"] == "1980.00"
    assert (await billing.client.get("/v1/employers/EMP9/arrears", headers=billing.headers())).status_code == 403
    assert (await billing.client.get("/v1/employers/EMP9/arrears",
                                     headers=billing.headers(role="operator"))).status_code == 200
    assert (await billing.client.get("/v1/employers/NOBODY/arrears",
                                     headers=billing.headers(role="operator"))).status_code == 404


async def test_a_tax_file_mixes_resident_premiums_and_flexible_workers_months(billing):
    await register_employee(billing, employee_registered("F4", "321100199001010056", date(1990, 1, 1), "flexible"))
    columns = ["tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount", "paid_at",
               "tax_office_code", "channel", "period", "base"]
    rows = [record("R1") | {"period": "", "base": ""}, flexible_payment("FF1", "550.00"),
            flexible_payment("FF2", "551.00", period="2026-04"),
            flexible_payment("FF3", "550.00", certno="321100199001010099")]
    body = "\n".join([",".join(columns)] + [",".join(str(row[c]) for c in columns) for row in rows]) + "\n"
    posted = await billing.client.post("/v1/collections/batches", content=body.encode(),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert posted.status_code == 202, posted.text
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["received"], report["accepted"]) == (4, 2)
    assert [(r["line"], r["tax_voucher_no"], r["code"]) for r in report["rejected"]] == [
        (4, "FF2", "amount_mismatch"), (5, "FF3", "not_registered")]
    events = await billing.events(2)
    [declared] = by_type(events, "employee.contribution_declared")
    assert (declared["tax_voucher_no"], declared["pool_amount"], declared["account_amount"]) == ("FF1", "350.00",
                                                                                                "200.00")
    assert [e["tax_voucher_no"] for e in by_type(events, "contribution.received")] == ["R1"]
