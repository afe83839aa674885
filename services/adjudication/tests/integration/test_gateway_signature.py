"""The gateway as hospitals' HIS clients call it: signed requests, credentials per institution, 9001/9002."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from his_client import as_client_writes, register_with_credentials, signature_headers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_adjudication.main import definition
from medfund_shared.service import create_service_app
from medfund_shared.settings import DEV_CREDENTIALS_KEY, InsecureSettingsError

pytestmark = pytest.mark.integration

RECONCILE = {"data": {"insutype": "390", "clr_type": "21", "setl_optins": "", "stmt_begndate": "2026-03-01",
                      "stmt_enddate": "2026-03-31", "medfee_sumamt": "0.0000", "fund_pay_sumamt": "0.0000",
                      "acct_pay": "0.0000", "fixmedins_setl_cnt": "0", "refd_setl_flag": "0"}}


def _code() -> str:
    return f"H{secrets.token_hex(4).upper()}"


async def test_credentials_are_write_only_and_stored_encrypted(gateway, adjudication_settings):
    code = _code()
    paasid, passtoken = f"paas{secrets.token_hex(6)}", "a-secret-passtoken-" + secrets.token_hex(8)
    response = await gateway.client.put(f"/v1/institutions/{code}", headers=gateway.admin, json={
        "name": "县人民医院", "admdvs": "211302", "level": "secondary", "annual_budget": "1000000.00",
        "paasid": paasid, "passtoken": passtoken})
    assert response.status_code == 200, response.text
    assert "paasid" not in response.json() and "passtoken" not in response.json()
    assert passtoken not in response.text and paasid not in response.text
    engine = create_async_engine(adjudication_settings.database_url)
    try:
        async with engine.connect() as db:
            stored = (await db.execute(text("SELECT paasid, passtoken_encrypted FROM institutions "
                                            "WHERE fixmedins_code = :c"), {"c": code})).one()
    finally:
        await engine.dispose()
    assert stored.paasid == paasid and passtoken not in stored.passtoken_encrypted


async def test_a_paasid_belongs_to_one_institution_and_comes_with_its_passtoken(gateway):
    first = await register_with_credentials(gateway.client, gateway.admin, _code())
    other = {"name": "x", "admdvs": "211302", "level": "primary", "annual_budget": "1.00"}
    taken = await gateway.client.put(f"/v1/institutions/{_code()}", headers=gateway.admin, json={
        **other, "paasid": first.paasid, "passtoken": "another-passtoken-0123456789"})
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "paasid"
    alone = await gateway.client.put(f"/v1/institutions/{_code()}", headers=gateway.admin,
                                     json={**other, "paasid": "lonely-paasid"})
    assert alone.status_code == 422
    again = await gateway.client.put(f"/v1/institutions/{first.code}", headers=gateway.admin, json={
        **other, "paasid": first.paasid, "passtoken": "a-new-passtoken-0123456789"})
    assert again.status_code == 200


async def test_a_signed_hospital_signs_in_calls_with_its_sign_no_and_signs_out(gateway):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    signed_in = await his.sign_in()
    sign_time = signed_in["output"]["signinoutb"]["sign_time"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", sign_time)
    assert re.fullmatch(r"\d+", his.sign_no)
    reconciled = await his.send("3201", RECONCILE)
    assert reconciled["infcode"] == 0, reconciled["err_msg"]
    signed_out = await his.send("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "0001"}})
    assert signed_out["infcode"] == 0, signed_out["err_msg"]
    after = await his.send("3201", RECONCILE)
    assert after["infcode"] == -1 and "signed out" in after["err_msg"]


async def test_a_signed_call_needs_a_sign_no_of_its_own_institution(gateway):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    other = await register_with_credentials(gateway.client, gateway.admin, _code())
    await other.sign_in()
    missing = await his.send("3201", RECONCILE, sign_no="")
    assert missing["infcode"] == -1 and "sign_no is required" in missing["err_msg"]
    borrowed = await his.send("3201", RECONCILE, sign_no=other.sign_no)
    assert borrowed["infcode"] == -1 and "sign_no" in borrowed["err_msg"]
    invented = await his.send("3201", RECONCILE, sign_no="123456789")
    assert invented["infcode"] == -1 and "sign_no" in invented["err_msg"]


async def test_a_signature_acts_for_its_own_institution_only(gateway):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    other = await register_with_credentials(gateway.client, gateway.admin, _code())
    await his.sign_in()
    answer = await his.post(his.envelope("3201", RECONCILE, fixmedins_code=other.code))
    assert answer["infcode"] == -1 and "fixmedins_code" in answer["err_msg"]


async def test_each_bad_signature_is_refused_in_the_envelope(gateway):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    await his.sign_in()
    body = his.envelope("3201", RECONCILE)
    now = int(time.time())
    cases = {
        "x-tif-timestamp": signature_headers(his.paasid, his.passtoken, timestamp=now - 301),
        "not registered": signature_headers("paas-nobody", his.passtoken),
        "x-tif-signature does not match": signature_headers(his.paasid, "not-the-passtoken"),
    }
    for expected, headers in cases.items():
        answer = await his.post(body, headers)
        assert answer["infcode"] == -1 and expected in answer["err_msg"], (expected, answer)
        assert answer["output"] is None and answer["inf_refmsgid"] == body["msgid"]
    no_nonce = {k: v for k, v in signature_headers(his.paasid, his.passtoken).items() if k != "x-tif-nonce"}
    answer = await his.post(body, no_nonce)
    assert answer["infcode"] == -1 and "x-tif-nonce" in answer["err_msg"]
    fresh_enough = await his.post(body, signature_headers(his.paasid, his.passtoken, timestamp=now - 240))
    assert fresh_enough["infcode"] == 0, fresh_enough["err_msg"]


async def test_a_replayed_nonce_is_refused(gateway):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    await his.sign_in()
    headers = signature_headers(his.paasid, his.passtoken)
    first = await his.post(his.envelope("3201", RECONCILE), headers)
    assert first["infcode"] == 0, first["err_msg"]
    replay = await his.post(his.envelope("3201", RECONCILE), headers)
    assert replay["infcode"] == -1 and "x-tif-nonce was already used" in replay["err_msg"]


async def test_bearer_tokens_keep_working_and_their_failures_come_in_the_envelope(gateway):
    code = _code()
    await gateway.institution(code, "211302", "secondary")
    answer, _ = await gateway.call("3201", code, RECONCILE)
    assert answer["infcode"] == 0, answer["err_msg"]
    body = as_client_writes({"infno": "3201", "msgid": "M1", "inf_time": "2026-03-10 10:00:00",
                             "fixmedins_code": code, "sign_no": "", "input": RECONCILE})
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await gateway.client.post("/fsi/api/rsfComIfsService/callService", content=body,
                                             headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 200 and response.json()["infcode"] == -1
        assert "token" in response.json()["err_msg"]
    wrong_sign_no = body.replace(b'"sign_no": ""', b'"sign_no": "999"')
    response = await gateway.client.post("/fsi/api/rsfComIfsService/callService", content=wrong_sign_no,
                                         headers={**gateway.his(code), "Content-Type": "application/json"})
    assert response.json()["infcode"] == -1 and "sign_no 999" in response.json()["err_msg"]


async def test_nonces_older_than_twice_the_window_are_forgotten(gateway, adjudication_settings):
    his = await register_with_credentials(gateway.client, gateway.admin, _code())
    engine = create_async_engine(adjudication_settings.database_url)
    old = f"old-{secrets.token_hex(4)}"
    try:
        async with engine.begin() as db:
            await db.execute(text("INSERT INTO gateway_nonces (paasid, nonce, seen_at) "
                                  "VALUES (:p, :n, now() - interval '601 seconds')"), {"p": his.paasid, "n": old})
        await his.sign_in()
        async with engine.connect() as db:
            left = await db.scalar(text("SELECT count(*) FROM gateway_nonces WHERE nonce = :n"), {"n": old})
    finally:
        await engine.dispose()
    assert left == 0


@pytest.mark.parametrize("infno", ["9001", "9002", "2601", "5201", "5203", "5204", "5205", "5206"])
@pytest.mark.parametrize("input_", [{}, {"data": "x", "signIn": "x", "signOut": "x"},
                                    {"data": [], "signIn": [], "signOut": []},
                                    {"data": {"psn_no": ["P1"], "begntime": "2026-13-01", "cum_ym": "2026",
                                              "omsgid": {}, "oinfno": "2304", "setl_id": None, "mdtrt_id": 7,
                                              "endtime": "", "sign_no": {}},
                                     "signIn": {"opter_no": ""}, "signOut": {"sign_no": ""}}])
async def test_malformed_input_of_the_new_transactions_is_refused_in_the_envelope(gateway, infno, input_):
    code = _code()
    await gateway.institution(code, "211302", "secondary")
    answer, _ = await gateway.call(infno, code, input_)
    assert answer["infcode"] == -1 and answer["err_msg"], answer


async def test_production_refuses_to_start_with_the_development_credentials_key(adjudication_settings):
    production = adjudication_settings.model_copy(update={"env": "production", "jwt_secret": "p" * 48,
                                                          "credentials_key": DEV_CREDENTIALS_KEY})
    app = create_service_app(definition(), production)
    with pytest.raises(InsecureSettingsError, match="MEDFUND_CREDENTIALS_KEY"):
        async with app.router.lifespan_context(app):
            pass
