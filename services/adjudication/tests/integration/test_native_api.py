"""The native JSON endpoints: the gateway's use cases with yuan strings, 201/200 on success and
``{"error": {code, message, field}}`` with a 4xx otherwise."""

from __future__ import annotations

import secrets

import pytest
from adjudication_gateway import documented

from medfund_adjudication.api.answer_models import (
    FeesSplit,
    PersonCoverageOut,
    Settlement,
)

pytestmark = pytest.mark.integration

HOSPITAL = "H211302S"
BEGIN = "2026-03-01T09:00:00+08:00"


def _error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert field is None or error["field"] == field, error
    return error


class Native:
    def __init__(self, gateway) -> None:
        self.client, self.his = gateway.client, gateway.his(HOSPITAL)

    async def post(self, path: str, body: dict, **headers: str):
        return await self.client.post(f"/v1{path}", json=body, headers={**self.his, **headers})

    async def admit(self, psn_no: str) -> str:
        r = await self.post("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": psn_no, "insutype": "390",
                                            "med_type": "21", "begntime": BEGIN})
        assert r.status_code == 201, r.text
        return r.json()["mdtrt_id"]

    async def fees(self, mdtrt_id: str, psn_no: str, *amounts: tuple[str, str]):
        return await self.post(f"/admissions/{mdtrt_id}/fees", {"psn_no": psn_no, "items": [
            {"feedetl_sn": str(i), "med_list_codg": code, "cnt": "1", "pric": amount, "det_item_fee_sumamt": amount}
            for i, (code, amount) in enumerate(amounts, 1)]})

    async def discharge(self, mdtrt_id: str, psn_no: str) -> None:
        r = await self.post(f"/admissions/{mdtrt_id}/discharge", {"psn_no": psn_no,
                                                                  "endtime": "2026-03-05T09:00:00+08:00"})
        assert r.status_code == 200, r.text

    def settlement(self, mdtrt_id: str, psn_no: str, total: str, **extra) -> dict:
        return {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "medfee_sumamt": total,
                "setl_time": "2026-03-05T10:00:00+08:00", **extra}


@pytest.fixture
async def native(gateway):
    await gateway.setup_registry()
    return Native(gateway)


@pytest.fixture
async def person(gateway):
    psn_no = await gateway.covered("211302", brdy="1954-01-01")
    documented(PersonCoverageOut, await gateway.wait_covered(psn_no, "2026-03-01"))
    return psn_no


async def test_an_admission_is_admitted_itemised_discharged_previewed_settled_and_reversed(native, person):
    mdtrt_id = await native.admit(person)
    uploaded = await native.fees(mdtrt_id, person, ("TA", "20000.00"), ("TB", "8000.00"), ("TC", "2000.00"))
    assert uploaded.status_code == 200, uploaded.text
    documented(FeesSplit, uploaded.json())
    assert [(i["preselfpay_amt"], i["fulamt_ownpay_amt"]) for i in uploaded.json()["result"]] == [
        ("0.00", "0.00"), ("800.00", "0.00"), ("0.00", "2000.00")]
    discharged = await native.post(f"/admissions/{mdtrt_id}/discharge",
                                   {"psn_no": person, "endtime": "2026-03-05T09:00:00+08:00"})
    assert discharged.status_code == 200 and discharged.json() == {"mdtrt_id": mdtrt_id}
    body = native.settlement(mdtrt_id, person, "30000.00", medins_setl_id=secrets.token_hex(6))
    preview = await native.post("/settlements/preview", body)
    assert preview.status_code == 200 and preview.json()["setlinfo"]["hifp_pay"] == "21360.00"
    documented(Settlement, preview.json())
    settled = await native.post("/settlements", body)
    assert settled.status_code == 201, settled.text
    info = documented(Settlement, settled.json())["setlinfo"]
    assert (info["hifp_pay"], info["psn_cash_pay"]) == ("21360.00", "8640.00")
    assert settled.json()["setldetail"] == preview.json()["setldetail"]
    reversed_ = await native.post(f"/settlements/{info['setl_id']}/reversal",
                                  {"mdtrt_id": mdtrt_id, "psn_no": person, "reversed_at": "2026-03-06T10:00:00+08:00"})
    assert reversed_.status_code == 201 and reversed_.json()["setlinfo"]["hifp_pay"] == "-21360.00"
    documented(Settlement, reversed_.json())


async def test_a_repeated_idempotency_key_returns_the_first_settlement(native, person):
    mdtrt_id = await native.admit(person)
    await native.fees(mdtrt_id, person, ("TA", "1000.00"))
    await native.discharge(mdtrt_id, person)
    body = native.settlement(mdtrt_id, person, "1000.00")
    first = await native.post("/settlements", body, **{"Idempotency-Key": f"K-{person}"})
    again = await native.post("/settlements", body, **{"Idempotency-Key": f"K-{person}"})
    assert first.status_code == 201 and again.json() == first.json()
    other = await native.post("/settlements", {**body, "medfee_sumamt": "999.00"}, **{"Idempotency-Key": f"K-{person}"})
    _error(other, 409, "conflict", "Idempotency-Key")


async def test_a_preview_records_nothing(native, person):
    mdtrt_id = await native.admit(person)
    await native.fees(mdtrt_id, person, ("TA", "1000.00"))
    await native.discharge(mdtrt_id, person)
    body = native.settlement(mdtrt_id, person, "1000.00")
    previews = [(await native.post("/settlements/preview", body)).json() for _ in range(2)]
    assert previews[0]["setlinfo"]["hifp_pay"] == previews[1]["setlinfo"]["hifp_pay"] == "400.00"
    assert (await native.post("/settlements", body)).json()["setlinfo"]["hifp_pay"] == "400.00"


async def test_requests_without_a_token_or_for_another_hospital_are_refused(native, person, gateway):
    _error(await gateway.client.post("/v1/admissions", json={}), 401, "unauthorized")
    other = await native.post("/admissions", {"fixmedins_code": "H211302T", "psn_no": person, "insutype": "390",
                                              "med_type": "21", "begntime": BEGIN})
    assert other.status_code == 403 and other.json()["error"]["code"]
    mdtrt_id = await native.admit(person)
    foreign = await gateway.client.post(f"/v1/admissions/{mdtrt_id}/discharge", headers=gateway.his("H211302T"),
                                        json={"psn_no": person, "endtime": "2026-03-05T09:00:00+08:00"})
    _error(foreign, 403, "forbidden", "mdtrt_id")


async def test_bad_admissions_name_the_field(native, person):
    _error(await native.post("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": person, "insutype": "390",
                                             "med_type": "99", "begntime": BEGIN}), 422, "invalid", "med_type")
    _error(await native.post("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": "NOBODY", "insutype": "390",
                                             "med_type": "21", "begntime": BEGIN}), 422, "not_covered")
    _error(await native.post("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": person, "insutype": "390",
                                             "med_type": "21", "begntime": "9999-01-01T09:00:00+08:00"}), 422,
           "invalid", "begntime")
    mdtrt_id = await native.admit(person)
    _error(await native.post(f"/admissions/{mdtrt_id}/discharge",
                             {"psn_no": person, "endtime": "2026-02-01T09:00:00+08:00"}), 422, "invalid", "endtime")


async def test_bad_fee_uploads_name_the_field(native, person):
    _error(await native.fees("MDUNKNOWN", person, ("TA", "10.00")), 404, "not_found", "mdtrt_id")
    mdtrt_id = await native.admit(person)
    _error(await native.fees(mdtrt_id, person, ("TA", "-10.00")), 422, "invalid")
    _error(await native.fees(mdtrt_id, person, ("TA", "10.001")), 422, "invalid")
    _error(await native.fees(mdtrt_id, "SOMEONE_ELSE", ("TA", "10.00")), 422, "invalid", "psn_no")
    assert (await native.fees(mdtrt_id, person, ("TA", "10.00"))).status_code == 200
    _error(await native.fees(mdtrt_id, person, ("TA", "10.00")), 409, "conflict", "feedetl_sn")


async def test_bad_settlements_and_reversals_are_refused(native, person):
    mdtrt_id = await native.admit(person)
    _error(await native.post("/settlements", native.settlement(mdtrt_id, person, "10.00")), 422, "invalid",
           "mdtrt_id")
    await native.fees(mdtrt_id, person, ("TA", "10.00"))
    _error(await native.post("/settlements/preview", native.settlement(mdtrt_id, person, "11.00")), 422, "invalid",
           "medfee_sumamt")
    _error(await native.post("/settlements", native.settlement(mdtrt_id, person, "10.00")), 422, "invalid",
           "mid_setl_flag")
    await native.discharge(mdtrt_id, person)
    settled = await native.post("/settlements", native.settlement(mdtrt_id, person, "10.00"))
    setl_id = settled.json()["setlinfo"]["setl_id"]
    reversal = {"mdtrt_id": mdtrt_id, "psn_no": person, "reversed_at": "2026-03-06T10:00:00+08:00"}
    _error(await native.post("/settlements/STUNKNOWN/reversal", reversal), 404, "not_found", "setl_id")
    assert (await native.post(f"/settlements/{setl_id}/reversal", reversal)).status_code == 201
    _error(await native.post(f"/settlements/{setl_id}/reversal", reversal), 409, "conflict", "setl_id")
    _error(await native.post("/settlements", {"mdtrt_id": mdtrt_id, "psn_no": person}), 422, "invalid")
