"""A minimal NHSA client for the bench: one hospital, unique message ids."""

from __future__ import annotations

import itertools
import json
import secrets
from decimal import Decimal

import httpx

PATH = "/fsi/api/rsfComIfsService/callService"
INF_TIME = "2026-03-10 10:00:00"


class Gateway:
    def __init__(self, client: httpx.AsyncClient, token: str, fixmedins_code: str) -> None:
        self.client, self.fixmedins_code = client, fixmedins_code
        self.headers = {"Authorization": f"Bearer {token}"}
        self._run, self._serial = secrets.token_hex(3), itertools.count()

    def body(self, infno: str, input_: dict) -> bytes:
        msgid = f"{self.fixmedins_code}{self._run}{next(self._serial):012d}"
        return json.dumps({"infno": infno, "msgid": msgid, "inf_time": INF_TIME, "fixmedins_code": self.fixmedins_code,
                           "opter_name": "bench", "sign_no": "", "input": input_}, ensure_ascii=False).encode()

    async def send(self, body: bytes) -> dict:
        """Once more on a dropped keep-alive connection: the same msgid makes the retry safe."""
        headers = {**self.headers, "Content-Type": "application/json"}
        try:
            r = await self.client.post(PATH, content=body, headers=headers)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            r = await self.client.post(PATH, content=body, headers=headers)
        r.raise_for_status()
        return json.loads(r.content, parse_float=Decimal)

    async def call(self, infno: str, input_: dict) -> dict:
        return await self.send(self.body(infno, input_))


def succeeded(answer: dict) -> dict:
    if answer["infcode"] != 0:
        raise RuntimeError(answer["err_msg"])
    return answer["output"]
