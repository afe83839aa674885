"""Files from the tax bureau and employers' declarations against the real database and broker."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import date

import pytest
from billing_testkit import OFFICE, ZHENJIANG_OFFICE, by_type, employee_registered, register_employee

from medfund_billing.api.answer_models import BatchReport
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
CHUNK_MEMORY_BOUND = 32 << 20
"""Traced peak while uploading and processing: one 2,000-line chunk with its events and parameters."""
FIELDS = ["tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount", "paid_at",
          "tax_office_code", "channel"]


def line(voucher: str, amount: str = "140.00", **overrides) -> dict:
    return {"tax_voucher_no": voucher, "certno": "500240199001011234", "psn_name": "张三", "insutype": "390",
            "admdvs": "500240", "period_year": "2026", "amount": amount, "paid_at": "2025-11-20T10:15:00+08:00",
            "tax_office_code": OFFICE, "channel": "bank_deduction"} | overrides


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


MIXED = [line("B1", certno="500240199001010001"), line("B2", amount="1.005"),
         line("B3", certno="500240199001010003", paid_at="2025-11-20T10:15:00"),
         line("B1", certno="500240199001010001"), line("B4", certno="500240199001010004"),
         line("B5", tax_office_code="TAXOTHER"), line("B4", certno="500240199001010004", amount="99.00")]


async def test_a_file_of_valid_invalid_and_duplicate_lines_gets_the_exact_report_and_resending_changes_nothing(billing):
    posted = await billing.client.post("/v1/collections/batches", content=as_csv(MIXED),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert posted.status_code == 202, posted.text
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["received"], report["accepted"], report["duplicates"]) == (7, 2, 1)
    assert [(r["line"], r["tax_voucher_no"], r["code"]) for r in report["rejected"]] == [
        (3, "B2", "too_many_decimals"), (4, "B3", "missing_offset"), (7, "B5", "forbidden_tax_office"),
        (8, "B4", "conflict")]
    events = await billing.events(2)
    assert sorted(e["tax_voucher_no"] for e in by_type(events, "contribution.received")) == ["B1", "B4"]
    assert len(events) == 2

    again = await billing.client.post("/v1/collections/batches", content=as_csv(MIXED),
                                      headers={**billing.headers(), "Content-Type": "text/csv"})
    second = await billing.batch_done(again.json()["batch_id"])
    assert (second["received"], second["accepted"], second["duplicates"], len(second["rejected"])) == (7, 0, 3, 4)
    assert len(await billing.events(2)) == 2
    assert await billing.scalar("SELECT count(*) FROM payments") == 2


async def test_a_year_9999_payment_is_refused_alone_and_its_file_still_finishes(billing):
    single = await billing.client.post("/v1/collections", json=line("Y1", period_year=9999),
                                       headers=billing.headers())
    assert single.status_code == 422
    assert (single.json()["error"]["code"], single.json()["error"]["field"]) == ("out_of_range", "period_year")
    rows = [line("Y2", period_year="9999"), line("Y3", paid_at="1900-01-01T10:00:00+08:00"), line("Y4")]
    posted = await billing.client.post("/v1/collections/batches", content=as_csv(rows),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["status"], report["accepted"]) == ("done", 1)
    assert [(r["tax_voucher_no"], r["code"]) for r in report["rejected"]] == [("Y2", "out_of_range"),
                                                                              ("Y3", "out_of_range")]
    assert await billing.scalar("SELECT count(*) FROM payments") == 1
    declaration = {"period": "9999-03", "admdvs": "321100", "employees": [
        {"certno": "321100199001011234", "psn_no": "E1", "brdy": "1990-01-01"}]}
    url, headers = "/v1/employers/EMP1/declarations", billing.headers(office=ZHENJIANG_OFFICE)
    refused = await billing.client.post(url, json=declaration, headers=headers)
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "period")
    late = await billing.client.post(url, headers=headers,
                                     json=declaration | {"period": "2026-03", "declared_on": "2999-04-20"})
    assert (late.status_code, late.json()["error"]["field"]) == (422, "declared_on")


async def test_the_report_pages_through_many_rejections_and_gives_their_total(billing):
    rows = [line(f"R{n:05d}", amount="-1.00") for n in range(1005)] + [line("OK1")]
    posted = await billing.client.post("/v1/collections/batches", content=as_csv(rows),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    first = await billing.batch_done(posted.json()["batch_id"])
    assert (first["received"], first["accepted"], first["rejected_total"]) == (1006, 1, 1005)
    assert len(first["rejected"]) == 1000
    assert not departures(BatchReport, first)
    assert first["rejected"][0] == {"line": 2, "tax_voucher_no": "R00000", "code": "not_positive",
                                    "message": "amount must be greater than zero"}
    url = f"/v1/collections/batches/{posted.json()['batch_id']}"
    rest = (await billing.client.get(f"{url}?rejected_offset=1000&rejected_limit=10", headers=billing.headers())).json()
    assert [r["tax_voucher_no"] for r in rest["rejected"]] == [f"R{n:05d}" for n in range(1000, 1005)]
    assert (rest["rejected_total"], rest["rejected_offset"], rest["rejected_limit"]) == (1005, 1000, 10)
    for query in ("rejected_limit=0", "rejected_limit=10001", "rejected_offset=-1"):
        assert (await billing.client.get(f"{url}?{query}", headers=billing.headers())).status_code == 422


async def test_an_ndjson_file_with_an_unreadable_line_reports_it_and_accepts_the_rest(billing):
    body = b"\n".join([json.dumps(line("N1")).encode(), b"{not json", json.dumps(line("N2")).encode()])
    posted = await billing.client.post("/v1/collections/batches", content=body,
                                       headers={**billing.headers(), "Content-Type": "application/x-ndjson"})
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["accepted"], report["rejected"][0]["line"], report["rejected"][0]["code"]) == (2, 2, "malformed")


async def test_a_csv_without_the_field_names_is_refused_whole(billing):
    posted = await billing.client.post("/v1/collections/batches", content=b"a,b\n1,2\n",
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert posted.status_code == 422 and posted.json()["error"]["field"] == "tax_voucher_no"
    assert await billing.scalar("SELECT count(*) FROM batches") == 0


async def test_a_100000_line_file_is_accepted_with_memory_bounded(billing, tmp_path):
    lines = 100_000
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
        writer.writeheader()
        for n in range(lines):
            writer.writerow(line(f"BIG{n:09d}", certno=f"5002401990{n:08d}"))

    async def file_chunks():
        with path.open("rb") as source:
            while chunk := source.read(1 << 16):
                yield chunk

    tracemalloc.start()
    try:
        posted = await billing.client.post("/v1/collections/batches", content=file_chunks(),
                                           headers={**billing.headers(), "Content-Type": "text/csv"})
        report = await billing.batch_done(posted.json()["batch_id"], timeout=600)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report["received"], report["accepted"], report["rejected"]) == (lines, lines, [])
    file_size = path.stat().st_size
    print(f"100k-line file: {file_size} bytes, peak traced memory {peak} bytes")
    assert peak < CHUNK_MEMORY_BOUND, "memory must depend on the chunk size (2,000 lines), not the file"


async def test_an_employee_month_splits_exactly_between_pool_and_accounts(billing):
    for psn_no, certno, brdy, kind in (("E1", "321100199001011234", date(1990, 1, 1), "in_service"),
                                       ("E2", "321100197001011234", date(1970, 1, 1), "in_service"),
                                       ("E3", "321100195001011234", date(1950, 1, 1), "retired")):
        await register_employee(billing, employee_registered(psn_no, certno, brdy, kind))
    declaration = {"period": "2026-03", "admdvs": "321100", "employees": [
        {"certno": "321100199001011234", "psn_no": "E1", "brdy": "1990-01-01",
         "prior_year_average_monthly_wage": "6000.00"},
        {"certno": "321100197001011234", "psn_no": "E2", "brdy": "1970-01-01",
         "prior_year_average_monthly_wage": "30000.00"},
        {"certno": "321100195001011234", "psn_no": "E3", "brdy": "1950-01-01", "retired": True,
         "monthly_pension": "4000.00"}]}
    url, headers = "/v1/employers/EMP1/declarations", billing.headers(office=ZHENJIANG_OFFICE)
    first = await billing.client.post(url, json=declaration, headers=headers)
    assert first.status_code == 201, first.text
    replay = await billing.client.post(url, json=declaration, headers=headers)
    assert replay.status_code == 200 and replay.json() == first.json()
    changed = json.loads(json.dumps(declaration))
    changed["employees"][0]["prior_year_average_monthly_wage"] = "6100.00"
    assert (await billing.client.post(url, json=changed, headers=headers)).status_code == 409
    events = await billing.events(3)
    declared = {e["psn_no"]: e for e in by_type(events, "employee.contribution_declared")}
    assert {k: declared["E1"][k] for k in ("base", "employer_amount", "employee_amount", "pool_amount",
                                           "account_amount")} == {
        "base": "6000.00", "employer_amount": "540.00", "employee_amount": "120.00", "pool_amount": "420.00",
        "account_amount": "240.00"}
    assert (declared["E2"]["base"], declared["E2"]["account_amount"], declared["E2"]["pool_amount"]) == (
        "18000.00", "900.00", "1080.00")
    [credited] = by_type(events, "employee.account_credited")
    assert (credited["psn_no"], credited["amount"], credited["source"]) == ("E3", "240.00", "retiree_pension")
    assert len(events) == 3
