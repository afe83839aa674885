"""A year is a JSON integer in billing's JSON bodies (issue 22, "Input"): ``2026.0``, ``"2026"``, ``true`` and ``1e3``
get a 422 naming the field and nothing is stored; a period is ``YYYY-MM`` text, never a number. A tax file's
lines may still carry the year as digit text: a CSV has nothing else."""

from __future__ import annotations

import pytest
from billing_testkit import ZHENJIANG_OFFICE, record
from test_appropriations import CIVIL_AFFAIRS
from test_batches_and_employees import as_csv, line

from medfund_deploy.strict_json import NOT_DIGIT_YEARS, NOT_INTEGERS, PLACEHOLDER, with_raw

pytestmark = pytest.mark.integration
STORED = "SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM appropriations) + " \
         "(SELECT count(*) FROM outbox)"


@pytest.mark.parametrize("token", NOT_INTEGERS)
async def test_a_collection_whose_period_year_is_not_a_json_integer_is_refused(billing, token):
    body = with_raw(record("S1", period_year=PLACEHOLDER), token)
    answer = await billing.client.post("/v1/collections", content=body,
                                       headers={**billing.headers(), "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["field"]) == ("invalid", "period_year")
    assert await billing.scalar(STORED) == 0


@pytest.mark.parametrize("token", NOT_INTEGERS)
async def test_an_appropriation_whose_year_is_not_a_json_integer_is_refused(billing, token):
    answer = await billing.client.post("/v1/appropriations", content=with_raw(CIVIL_AFFAIRS | {"year": PLACEHOLDER},
                                                                              token),
                                       headers={**billing.headers("admin"), "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["field"]) == ("invalid", "year")
    assert await billing.scalar(STORED) == 0


@pytest.mark.parametrize("token", ["202601", "2026.01", "true", "2.026e3"])
async def test_a_declaration_period_that_is_a_number_is_refused(billing, token):
    declaration = {"period": PLACEHOLDER, "admdvs": "321100",
                   "employees": [{"certno": "321100199001011234", "psn_no": "E1", "brdy": "1990-01-01"}]}
    answer = await billing.client.post("/v1/employers/EMP1/declarations", content=with_raw(declaration, token),
                                       headers={**billing.headers(office=ZHENJIANG_OFFICE),
                                                "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "period"
    assert await billing.scalar(STORED) == 0


async def test_a_json_integer_year_is_taken_and_a_csv_line_keeps_its_digit_text(billing):
    single = await billing.client.post("/v1/collections", json=record("S2", period_year=2026),
                                       headers=billing.headers())
    assert single.status_code == 201, single.text
    posted = await billing.client.post("/v1/collections/batches", content=as_csv([line("S3")]),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    report = await billing.batch_done(posted.json()["batch_id"])
    assert (report["accepted"], report["rejected"]) == (1, []), report


@pytest.mark.parametrize("year", NOT_DIGIT_YEARS)
async def test_a_statistics_year_in_the_url_is_plain_digits(billing, year):
    answer = await billing.client.get(f"/v1/statistics/collection?admdvs=500240&year={year}",
                                      headers=billing.headers("operator"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "year"
