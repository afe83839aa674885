"""The HIS door on the running stack: a hospital registered with credentials signs its requests, signs in,
reconciles, signs out; replays, stale or wrongly signed requests are refused in the envelope. Public HTTP only."""

from __future__ import annotations

import secrets
import sys
import time
from pathlib import Path

import httpx
import pytest

from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[2] / "services" / "adjudication" / "tests" / "integration"))
from his_client import SignedHis, register_with_credentials, signature_headers  # noqa: E402

pytestmark = pytest.mark.e2e
RECONCILE = {"data": {"insutype": "390", "clr_type": "21", "setl_optins": "", "stmt_begndate": "2026-01-01",
                      "stmt_enddate": "2026-01-31", "medfee_sumamt": "0.0000", "fund_pay_sumamt": "0.0000",
                      "acct_pay": "0.0000", "fixmedins_setl_cnt": "0", "refd_setl_flag": "0"}}


@pytest.fixture
async def his(services_running) -> SignedHis:
    admin = {"Authorization": f"Bearer {issue_token(Settings(), 'admin')}"}
    async with httpx.AsyncClient(base_url=services_running.adjudication, timeout=60) as http:
        yield await register_with_credentials(http, admin, f"H{secrets.token_hex(5).upper()}", "500240", "primary")


async def test_a_signed_hospital_signs_in_works_and_signs_out(his):
    await his.sign_in()
    reconciled = await his.send("3201", RECONCILE)
    assert reconciled["infcode"] == 0, reconciled["err_msg"]
    assert (await his.send("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "0001"}}))["infcode"] == 0
    refused = await his.send("3201", RECONCILE)
    assert refused["infcode"] == -1 and "signed out" in refused["err_msg"]


async def test_replayed_stale_and_forged_requests_are_refused_in_the_envelope(his):
    await his.sign_in()
    headers = signature_headers(his.paasid, his.passtoken)
    assert (await his.post(his.envelope("3201", RECONCILE), headers))["infcode"] == 0
    for sent, expected in [(headers, "x-tif-nonce was already used"),
                           (signature_headers(his.paasid, his.passtoken, timestamp=int(time.time()) + 400),
                            "x-tif-timestamp"),
                           (signature_headers(his.paasid, "forged-passtoken-000"), "x-tif-signature")]:
        answer = await his.post(his.envelope("3201", RECONCILE), sent)
        assert answer["infcode"] == -1 and expected in answer["err_msg"], answer
