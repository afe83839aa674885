"""Strict JSON types at adjudication's admin and native doors (issue 22, "Input"): a budget year is a JSON integer
(``2026.0``, ``"2026"``, ``true`` and ``1e3`` get a 422 naming ``budget_year`` and nothing is registered), and a
native flag is a JSON boolean (``"true"``, ``1``, ``"yes"`` are refused naming it, before anything is read)."""

from __future__ import annotations

import secrets

import pytest
from test_native_api import BEGIN, HOSPITAL, Native
from test_registry_budgets import BODY, stored_budget

from medfund_deploy.strict_json import NOT_BOOLEANS, NOT_INTEGERS, PLACEHOLDER, with_raw

pytestmark = pytest.mark.integration
ADMITTED = ("P000000000001", "M000000000001")
"""Never looked up: the request's form is checked first."""


@pytest.mark.parametrize("token", NOT_INTEGERS)
async def test_a_budget_year_that_is_not_a_json_integer_is_refused(gateway, adjudication_settings, token):
    code = f"H{secrets.token_hex(4).upper()}"
    answer = await gateway.client.put(f"/v1/institutions/{code}", content=with_raw(BODY | {"budget_year": PLACEHOLDER},
                                                                                 token),
                                      headers={**gateway.admin, "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "budget_year"
    assert await stored_budget(adjudication_settings, code) is None


def _native_bodies() -> dict[str, tuple[str, dict, str]]:
    psn_no, mdtrt_id = ADMITTED
    settlement = {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "medfee_sumamt": "10.00",
                  "setl_time": "2026-03-05T10:00:00+08:00"}
    return {
        "admission refl_flag": ("/admissions", {"fixmedins_code": HOSPITAL, "psn_no": psn_no, "insutype": "390",
                                                "med_type": "21", "begntime": BEGIN, "refl_flag": PLACEHOLDER},
                                "refl_flag"),
        "settlement acct_used_flag": ("/settlements", settlement | {"acct_used_flag": PLACEHOLDER}, "acct_used_flag"),
        "settlement mid_stay": ("/settlements", settlement | {"mid_stay": PLACEHOLDER}, "mid_stay"),
        "preview acct_used_flag": ("/settlements/preview", settlement | {"acct_used_flag": PLACEHOLDER},
                                   "acct_used_flag"),
    }


CASES = [(route, token) for route in _native_bodies() for token in NOT_BOOLEANS]


@pytest.mark.parametrize(("route", "token"), CASES, ids=[f"{r}-{t}" for r, t in CASES])
async def test_a_native_flag_that_is_not_a_json_boolean_is_refused(gateway, route, token):
    native = Native(gateway)
    path, body, field = _native_bodies()[route]
    answer = await native.client.post(f"/v1{path}", content=with_raw(body, token),
                                      headers={**native.his, "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
