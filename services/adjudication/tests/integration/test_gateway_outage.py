"""With PostgreSQL down the gateway answers in its envelope (infcode -1, retry the same msgid) with Retry-After,
never a 500, and settles again once the database is back."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from test_gateway_signature import RECONCILE

from medfund_deploy.evidence import wait_until
from medfund_deploy.pytest_plugin import TestStack

pytestmark = pytest.mark.integration
PATH = "/fsi/api/rsfComIfsService/callService"


async def test_a_database_outage_is_answered_in_the_envelope_then_the_gateway_recovers(gateway,
                                                                                       test_stack: TestStack):
    code = f"H{secrets.token_hex(4).upper()}"
    await gateway.institution(code, "211302", "secondary")
    body = {"infno": "3201", "msgid": f"{code}-outage", "sign_no": "", "inf_time": "2026-03-10 10:00:00",
            "fixmedins_code": code, "input": RECONCILE}
    await asyncio.to_thread(test_stack.stop_postgres)
    try:
        for _ in range(2):
            answer = await gateway.client.post(PATH, json=body, headers=gateway.his(code))
            assert answer.status_code == 200, answer.text
            assert answer.json()["infcode"] == -1 and "retry the same msgid" in answer.json()["err_msg"]
            assert answer.json()["inf_refmsgid"] == body["msgid"] and answer.headers["retry-after"] == "1"
    finally:
        await asyncio.to_thread(test_stack.start_postgres)

    async def answered() -> bool:
        retried = await gateway.client.post(PATH, json=body, headers=gateway.his(code))
        return retried.json()["infcode"] == 0

    await wait_until(answered, "the retried request to be answered", 60)
