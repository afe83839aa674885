"""A hospital information system's side of the NHSA gateway: signed requests, the sign-in, the envelope,
message ids, answers.

Each request is signed as the national platform requires (``x-tif-*`` headers with the institution's paasid
and passtoken), and the HIS signs in (9001) before anything else. Amounts go out as yuan strings (the gateway
accepts numbers or strings) and answers are read with ``Decimal`` so no amount ever passes through a binary float.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from medfund_cli.demo.scenario import ADMDVS

PATH = "/fsi/api/rsfComIfsService/callService"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class GatewayRefusal(Exception):
    """``infcode = -1``: the platform refused the transaction (``err_msg`` says why)."""

    def __init__(self, infno: str, err_msg: str) -> None:
        super().__init__(f"{infno}: {err_msg}")
        self.infno, self.err_msg = infno, err_msg


@dataclass(frozen=True)
class HisCredentials:
    """What the administrator registers for an institution and its HIS signs with."""

    paasid: str
    passtoken: str = field(repr=False)

    @classmethod
    def new(cls, code: str, run_tag: str) -> HisCredentials:
        return cls(f"{code}-{run_tag}", secrets.token_urlsafe(24))

    def headers(self) -> dict[str, str]:
        """The signature headers of one request: a fresh nonce, the wall clock's Unix seconds."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = hashlib.sha256(f"{timestamp}{self.passtoken}{nonce}{timestamp}".encode()).hexdigest()
        return {"x-tif-paasid": self.paasid, "x-tif-timestamp": timestamp, "x-tif-nonce": nonce,
                "x-tif-signature": signature}


class HisClient:
    """One institution's HIS: its credentials, its sign-in and its message-id sequence."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, code: str, name: str, credentials: HisCredentials,
                 run_tag: str, admdvs: str = ADMDVS) -> None:
        self._http, self._url, self.code, self.name = http, base_url.rstrip("/") + PATH, code, name
        self.admdvs = admdvs
        self._credentials, self.sign_no = credentials, ""
        self._run_tag, self._sequence = run_tag, itertools.count(1)

    async def sign_in(self, business_time: datetime) -> None:
        """9001: the ``sign_no`` every later call carries."""
        output = await self.call("9001", business_time, {"signIn": {"opter_no": "001", "mac": "", "ip": ""}})
        self.sign_no = output["signinoutb"]["sign_no"]

    async def call(self, infno: str, business_time: datetime, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one transaction at ``business_time``; the output, or :class:`GatewayRefusal`."""
        envelope = {
            "infno": infno, "msgid": self.msgid(business_time), "mdtrtarea_admvs": self.admdvs,
            "insuplc_admdvs": self.admdvs,
            "recer_sys_code": "HIS", "infver": "V1.0", "opter_type": "1", "opter": "001", "opter_name": "收费员",
            "inf_time": business_time.strftime(TIME_FORMAT), "fixmedins_code": self.code,
            "fixmedins_name": self.name, "sign_no": self.sign_no, "input": payload,
        }
        response = await self._http.post(self._url, json=envelope, headers=self._credentials.headers())
        response.raise_for_status()
        answer = json.loads(response.content, parse_float=Decimal)
        if answer.get("infcode") != 0:
            raise GatewayRefusal(infno, answer.get("err_msg") or f"infcode {answer.get('infcode')}")
        return answer.get("output") or {}

    def msgid(self, business_time: datetime) -> str:
        """Institution code, business time and a sequence unique to this run."""
        return f"{self.code}{business_time:%Y%m%d%H%M%S}{self._run_tag}{next(self._sequence):05d}"

    def setl_id(self) -> str:
        """A settlement id of the hospital's own (``medins_setl_id``), unique to this run."""
        return f"{self.code[-6:]}{self._run_tag}{next(self._sequence):06d}"
