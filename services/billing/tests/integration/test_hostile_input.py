"""Hostile input to the tax-bureau feed and employers' declarations (issue 22, "Input"): refused with a clear
4xx naming the field, or, in a file, refused on its own line while the rest of the file is accepted."""

from __future__ import annotations

import json

import pytest
from billing_testkit import OFFICE, record
from test_batches_and_employees import as_csv, line

pytestmark = pytest.mark.integration
NUL_NAME = "张\x00三"


@pytest.mark.parametrize(("body", "field"), [
    (b"[" * 100_000 + b"]" * 100_000, None),
    (b'{"tax_voucher_no": ' + b"9" * 5_000 + b"}", None),
    (json.dumps(record("Y1", paid_at="0001-01-01T00:00:00+08:00")).encode(), "paid_at"),
    (json.dumps(record("Y2", paid_at="9999-12-31T23:59:59+08:00")).encode(), "paid_at"),
    (json.dumps(record("Y3", psn_name=NUL_NAME)).encode(), "psn_name"),
    (json.dumps(record("Y4", psn_name="名" * 51)).encode(), "psn_name"),
    (json.dumps(record("Y5", certno="５００２４０１９９００１０１１２３４")).encode(), "certno"),
    (json.dumps(record("Y6", amount="１４０.００")).encode(), "amount"),
    (json.dumps(record("Y7", amount={})).encode(), "amount"),
    (json.dumps(record("Y8", amount=None)).encode(), "amount"),
    (json.dumps(record("Y9", amount="1.4E+2")).encode(), "amount"),
], ids=["nested-100k", "5000-digits", "year-1", "year-9999", "nul-name", "long-name", "fullwidth-certno",
        "fullwidth-amount", "amount-object", "amount-null", "amount-exponent"])
async def test_a_hostile_collection_is_refused_with_422_and_nothing_stored(billing, body, field):
    answer = await billing.client.post("/v1/collections", content=body,
                                       headers={**billing.headers(), "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert await billing.scalar("SELECT count(*) FROM payments") == 0


async def test_the_token_is_checked_before_the_body_is_read(billing):
    answer = await billing.client.post("/v1/collections", content=b"{not json",
                                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 401, answer.text


async def test_a_file_with_hostile_lines_rejects_each_on_its_own_line_and_accepts_the_rest(billing):
    rows = [line("H1", certno="500240199001010001"),
            line("H2", certno="500240199001010002", paid_at="0001-01-01T00:00:00+08:00"),
            line("H3", certno="500240199001010003", paid_at="9999-12-31T23:59:59+08:00"),
            line("H4", certno="500240199001010004", psn_name=NUL_NAME),
            line("H5", certno="５００２４０１９９００１０１０００５"),
            line("H6", certno="500240199001010006", amount=" 140.00"),
            line("H7", certno="500240199001010007")]
    posted = await billing.client.post("/v1/collections/batches", content=as_csv(rows),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert posted.status_code == 202, posted.text
    report = await billing.batch_done(posted.json()["batch_id"])
    assert report["status"] == "done" and (report["received"], report["accepted"]) == (7, 2)
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [
        (3, "out_of_range"), (4, "out_of_range"), (5, "invalid"), (6, "invalid"), (7, "invalid")]
    assert await billing.scalar("SELECT count(*) FROM payments") == 2


async def test_invalid_utf8_is_refused_on_its_line_not_read_as_a_replacement_character(billing):
    good, bad = as_csv([line("U1", certno="500240199001010011")]), line("U2", certno="500240199001010012")
    body = good + as_csv([bad]).split(b"\n", 1)[1].replace("张三".encode(), b"\xff\xfe")
    posted = await billing.client.post("/v1/collections/batches", content=body,
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    report = await billing.batch_done(posted.json()["batch_id"])
    assert report["accepted"] == 1
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(3, "malformed")]
    assert await billing.scalar("SELECT count(*) FROM payments WHERE psn_name LIKE '%\ufffd%'") == 0


async def test_a_csv_naming_a_column_twice_is_refused_whole(billing):
    body = as_csv([line("D1")]).replace(b"channel\n", b"channel,amount\n", 1).replace(b"deduction\n", b"deduction,1\n")
    posted = await billing.client.post("/v1/collections/batches", content=body,
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert posted.status_code == 422 and posted.json()["error"]["field"] == "amount", posted.text
    assert await billing.scalar("SELECT count(*) FROM batches") == 0


async def test_an_ndjson_file_starting_with_a_byte_order_mark_keeps_its_first_line(billing):
    body = "\ufeff".encode() + b"\n".join(json.dumps(line(f"M{n}", certno=f"50024019900101002{n}")).encode()
                                          for n in range(2))
    posted = await billing.client.post("/v1/collections/batches", content=body,
                                       headers={**billing.headers(), "Content-Type": "application/x-ndjson"})
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["received"], report["accepted"], report["rejected"]) == (2, 2, [])


@pytest.mark.parametrize(("change", "field"), [
    ({"prior_year_average_monthly_wage": {}}, "prior_year_average_monthly_wage"),
    ({"monthly_pension": "１２.５０"}, "monthly_pension"),
    ({"certno": "５００２４０１９９００１０１１２３４"}, "certno"),
    ({"psn_name": "名" * 51}, "psn_name"), ({"psn_name": NUL_NAME}, "psn_name"),
])
async def test_a_hostile_declaration_line_is_refused_naming_the_field(billing, change, field):
    employee = {"certno": "500240199001011234", "psn_no": "P1", "psn_name": "张三", "brdy": "1990-01-01"} | change
    answer = await billing.client.post("/v1/employers/EMP1/declarations", headers=billing.headers(),
                                       json={"period": "2026-01", "admdvs": "500240", "employees": [employee]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)


async def test_a_declaration_in_year_9999_is_refused(billing):
    answer = await billing.client.post("/v1/employers/EMP1/declarations", headers=billing.headers(), json={
        "period": "9999-01", "admdvs": "500240", "declared_on": "9999-01-01",
        "employees": [{"certno": "500240199001011234", "psn_no": "P1", "brdy": "1990-01-01"}]})
    assert answer.status_code == 422, answer.text
    assert OFFICE
