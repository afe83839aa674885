"""GET /v1/settlements/{setl_id}/replay: each recorded settlement computed again from its stored inputs is EQUAL,
and its receipt is the one the hospital's answer carried in setl_proc_info."""

from __future__ import annotations

import re

import pytest
from adjudication_gateway import amounts, documented

from medfund_adjudication.api.answer_models import ReplayOut
from medfund_shared.auth import issue_token

pytestmark = pytest.mark.integration

HOSPITAL = "H211302T"


def _receipt(output: dict) -> str:
    found = re.search(r"receipt (sha256:[0-9a-f]{64})", output["setlinfo"]["setl_proc_info"])
    assert found, output["setlinfo"]["setl_proc_info"]
    return found.group(1)


async def test_two_dibao_stays_replay_equal_with_their_receipts(gateway):
    await gateway.setup_registry()
    psn_no = await gateway.covered("211302", brdy="1976-01-01", category="dibao")
    first = await gateway.settle_when_covered(HOSPITAL, psn_no, "390", [("TA", "100000.00", "1")])
    second = await gateway.admit_and_settle(HOSPITAL, psn_no, "390", [("TA", "150000.00", "1")],
                                            begntime="2026-04-01 09:00:00")
    assert amounts(second, "hifp_pay", "hifmi_pay", "maf_pay") == {
        "hifp_pay": "0.00", "hifmi_pay": "115480.00", "maf_pay": "14488.00"}
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    for output in (first, second):
        setl_id = output["setlinfo"]["setl_id"]
        r = await gateway.client.get(f"/v1/settlements/{setl_id}/replay", headers=operator)
        assert r.status_code == 200, r.text
        body = documented(ReplayOut, r.json())
        assert body["verdict"] == "EQUAL" and body["differences"] == 0, [f for f in body["fields"] if not f["equal"]]
        assert body["receipt"] == {"recorded": _receipt(output), "replayed": _receipt(output), "equal": True}
        assert body["pack_id"] == output["setlinfo"]["pack_id"]
        by_field = {f["field"]: f for f in body["fields"]}
        assert by_field["maf_pay"]["recorded"] == by_field["maf_pay"]["replayed"] == \
            str(output["setlinfo"]["maf_pay"])
    assert _receipt(first) != _receipt(second)


async def test_replay_is_for_staff_and_names_an_unknown_settlement(gateway):
    his = gateway.his(HOSPITAL)
    assert (await gateway.client.get("/v1/settlements/S1/replay", headers=his)).status_code == 403
    r = await gateway.client.get("/v1/settlements/NO-SUCH/replay", headers=gateway.admin)
    assert r.status_code == 404 and r.json()["error"]["field"] == "setl_id"
