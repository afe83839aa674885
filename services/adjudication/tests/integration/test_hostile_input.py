"""Hostile input to the adjudication service (issue 22, "Input"): money fields sent as objects or null, dates
in year 9999 (PostgreSQL's infinity) and non-ASCII digits are refused naming the field, on the native routes
and on the NHSA gateway."""

from __future__ import annotations

import pytest
from test_native_api import HOSPITAL, Native

pytestmark = pytest.mark.integration
YEAR_9999 = "9999-12-31T10:00:00+08:00"


@pytest.fixture
async def native(gateway):
    return Native(gateway)


ADMITTED = ("P000000000001", "M000000000001")
"""Refused before any use case reads them: the request's form is checked first."""


def _fee(amount) -> dict:
    return {"feedetl_sn": "1", "med_list_codg": "TA", "cnt": "1", "pric": "10.00", "det_item_fee_sumamt": amount}


@pytest.mark.parametrize("bad", [{}, None, "１２.５０", "١٢", "1E+2", ".5", "380.", " 12.50"],
                         ids=["object", "null", "fullwidth", "arabic-indic", "exponent", "bare-point", "trailing-point",
                              "padded"])
@pytest.mark.parametrize("route", ["fees", "settlement", "preview"])
async def test_a_money_field_that_is_not_an_amount_is_refused_naming_it(native, route, bad):
    psn_no, mdtrt_id = ADMITTED
    if route == "fees":
        answer = await native.post(f"/admissions/{mdtrt_id}/fees", {"psn_no": psn_no, "items": [_fee(bad)]})
        field = "det_item_fee_sumamt"
    else:
        path = "/settlements" if route == "settlement" else "/settlements/preview"
        answer = await native.post(path, native.settlement(mdtrt_id, psn_no, bad))
        field = "medfee_sumamt"
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)


@pytest.mark.parametrize("bad", [{}, None, "１００.００"])
async def test_an_institution_budget_that_is_not_an_amount_is_refused(gateway, bad):
    answer = await gateway.client.put("/v1/institutions/HX1", headers=gateway.admin, json={
        "name": "医院", "admdvs": "211302", "level": "primary", "annual_budget": bad})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith("annual_budget")


async def test_an_institution_in_a_fullwidth_region_is_refused(gateway):
    answer = await gateway.client.put("/v1/institutions/HX2", headers=gateway.admin, json={
        "name": "医院", "admdvs": "２１１３０２", "level": "primary", "annual_budget": "100.00"})
    assert answer.status_code == 422 and answer.json()["error"]["field"].endswith("admdvs"), answer.text


@pytest.mark.parametrize("route", ["admission", "fees", "discharge", "settlement"])
async def test_a_native_date_in_year_9999_is_refused(native, route):
    psn_no, mdtrt_id = ADMITTED
    if route == "admission":
        answer = await native.post("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": psn_no, "insutype": "390",
                                                   "med_type": "21", "begntime": YEAR_9999})
        field = "begntime"
    elif route == "fees":
        answer = await native.post(f"/admissions/{mdtrt_id}/fees", {
            "psn_no": psn_no, "items": [_fee("10.00") | {"fee_ocur_time": YEAR_9999}]})
        field = "fee_ocur_time"
    elif route == "discharge":
        answer = await native.post(f"/admissions/{mdtrt_id}/discharge", {"psn_no": psn_no, "endtime": YEAR_9999})
        field = "endtime"
    else:
        answer = await native.post("/settlements", native.settlement(mdtrt_id, psn_no, "10.00", setl_time=YEAR_9999))
        field = "setl_time"
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)


@pytest.mark.parametrize("endtime", ["9999-12-31 10:00:00", "0001-01-01 10:00:00", "２０２６-03-05 09:00:00"])
async def test_a_gateway_discharge_outside_the_business_years_is_refused_in_the_envelope(gateway, endtime):
    psn_no, mdtrt_id = ADMITTED
    answer, _ = await gateway.call("2402", HOSPITAL, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": "390", "endtime": endtime, "dscg_way": "1"}})
    assert answer["infcode"] == -1 and "endtime" in answer["err_msg"], answer


@pytest.mark.parametrize("name", ["医院\x00", "医" * 201])
async def test_an_institution_name_with_a_nul_or_too_long_is_refused(gateway, name):
    answer = await gateway.client.put("/v1/institutions/HX3", headers=gateway.admin, json={
        "name": name, "admdvs": "211302", "level": "primary", "annual_budget": "100.00"})
    assert answer.status_code == 422 and answer.json()["error"]["field"].endswith("name"), answer.text


async def test_a_gateway_text_with_a_nul_is_refused_in_the_envelope(gateway):
    psn_no, mdtrt_id = ADMITTED
    answer, _ = await gateway.call("2402", HOSPITAL, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": psn_no + "\x00", "insutype": "390", "endtime": "2026-03-05 09:00:00"}})
    assert answer["infcode"] == -1 and "psn_no" in answer["err_msg"], answer
