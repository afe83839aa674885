"""The gateway's limits answer in the NHSA envelope (infcode -1, retry the same msgid) with Retry-After: per
institution whichever of its tokens calls, and a brake on a paasid that keeps failing its signature."""

from __future__ import annotations

import secrets

import httpx
import pytest
from adjudication_gateway import Gateway
from his_client import register_with_credentials, signature_headers
from test_gateway_signature import RECONCILE

from medfund_adjudication.main import definition
from medfund_shared.auth import issue_token
from medfund_shared.service import create_service_app

pytestmark = pytest.mark.integration


@pytest.fixture
async def limited_gateway(adjudication_settings):
    settings = adjudication_settings.model_copy(update={
        "rate_limit_institution_per_second": 1, "rate_limit_institution_burst": 3,
        "auth_failure_burst": 3, "auth_failures_per_second": 1})
    app = create_service_app(definition(), settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc", timeout=30) as client:
        yield Gateway(client, settings)


def _throttled(answer: dict) -> bool:
    return answer["infcode"] == -1 and "retry the same msgid" in answer["err_msg"] and "too many" in answer["err_msg"]


async def test_an_institution_over_its_rate_is_refused_in_the_envelope_with_retry_after(limited_gateway):
    code = f"H{secrets.token_hex(4).upper()}"
    await limited_gateway.institution(code, "211302", "secondary")
    cashiers = [{"Authorization": f"Bearer {issue_token(limited_gateway.settings, 'his', code, subject=f'c{n}')}"}
                for n in range(2)]
    answers = [await limited_gateway.client.post("/fsi/api/rsfComIfsService/callService", headers=cashiers[n % 2],
                                                 json={"infno": "3201", "msgid": f"{code}-{n}", "sign_no": "",
                                                       "inf_time": "2026-03-10 10:00:00", "fixmedins_code": code,
                                                       "input": RECONCILE}) for n in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert [_throttled(a.json()) for a in answers] == [False, False, False, True]
    assert answers[3].json()["inf_refmsgid"] == f"{code}-3" and int(answers[3].headers["retry-after"]) >= 1


async def test_a_paasid_that_keeps_failing_its_signature_is_braked_even_when_it_gets_it_right(limited_gateway):
    his = await register_with_credentials(limited_gateway.client, limited_gateway.admin,
                                          f"H{secrets.token_hex(4).upper()}")
    body = his.envelope("9001", {"signIn": {"opter_no": "0001", "mac": "00-1A-2B-3C-4D-5E", "ip": "10.0.0.1"}},
                        sign_no="")
    failures = [await his.post(body, signature_headers(his.paasid, f"guess-{n}")) for n in range(3)]
    assert all(a["infcode"] == -1 and not _throttled(a) for a in failures)
    braked = await limited_gateway.client.post("/fsi/api/rsfComIfsService/callService", json=body,
                                               headers=signature_headers(his.paasid, his.passtoken))
    assert braked.status_code == 200 and _throttled(braked.json()), braked.text
    assert "failed authentications" in braked.json()["err_msg"] and int(braked.headers["retry-after"]) >= 1
