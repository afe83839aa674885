"""The demo's HIS signs every request as the national platform requires and carries its sign_no."""

import hashlib
import json
from datetime import datetime

import httpx

from medfund_cli.demo.gateway import HisClient, HisCredentials


async def test_each_request_is_signed_with_a_fresh_nonce_and_later_calls_carry_the_sign_no():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if json.loads(request.content)["infno"] == "9001":
            return httpx.Response(200, json={"infcode": 0, "output": {"signinoutb": {"sign_no": "42"}}})
        return httpx.Response(200, json={"infcode": 0, "output": {}})

    credentials = HisCredentials("H1-ab12", "a-passtoken-0123456789")
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        his = HisClient(http, "http://gateway", "H1", "卫生院", credentials, "ab12")
        await his.sign_in(datetime(2026, 1, 1, 9))
        await his.call("1101", datetime(2026, 1, 1, 9), {"data": {"certno": "X"}})
    for request in seen:
        h = request.headers
        expected = hashlib.sha256((h["x-tif-timestamp"] + "a-passtoken-0123456789" + h["x-tif-nonce"]
                                   + h["x-tif-timestamp"]).encode()).hexdigest()
        assert h["x-tif-paasid"] == "H1-ab12" and h["x-tif-signature"] == expected
        assert "authorization" not in h
    assert seen[0].headers["x-tif-nonce"] != seen[1].headers["x-tif-nonce"]
    assert [json.loads(r.content)["sign_no"] for r in seen] == ["", "42"]
