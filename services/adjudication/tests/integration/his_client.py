"""A hospital's HIS as the public C# and Java clients call the gateway: signed headers, a 9001 sign-in first,
bodies as Newtonsoft.Json writes them (indented, CRLF line ends, numbers as strings with four decimals, ``""``
and ``null`` for absent values)."""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from decimal import Decimal

import httpx

PATH = "/fsi/api/rsfComIfsService/callService"
SETLINFO_FIELDS = (
    "mdtrt_id", "setl_id", "psn_no", "psn_name", "psn_cert_type", "certno", "gend", "naty", "brdy", "age",
    "insutype", "psn_type", "cvlserv_flag", "setl_time", "mdtrt_cert_type", "med_type", "medfee_sumamt",
    "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
    "pool_prop_selfpay", "cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay",
    "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt", "balc", "acct_mulaid_pay",
    "medins_setl_id", "clr_optins", "clr_way", "clr_type", "hifdm_pay", "emp_name", "exp_content")
"""Every field of the national interface's 2207/2304 ``setlinfo`` as a public HIS client's typed model reads it."""
_serial = itertools.count(1)


def four_decimals(amount: str) -> str:
    """How the C# client writes a decimal amount: ``"100.0000"``."""
    return f"{Decimal(amount):.4f}"


def as_client_writes(body: dict, encoding: str = "utf-8") -> bytes:
    return json.dumps(body, ensure_ascii=False, indent=2).replace("\n", "\r\n").encode(encoding)


def signature_headers(paasid: str, passtoken: str, *, timestamp: int | None = None, nonce: str | None = None) -> dict:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or secrets.token_hex(16)
    digest = hashlib.sha256(f"{stamp}{passtoken}{nonce}{stamp}".encode()).hexdigest()
    return {"x-tif-paasid": paasid, "x-tif-timestamp": stamp, "x-tif-nonce": nonce, "x-tif-signature": digest,
            "apikey": "ignored-by-the-gateway", "Content-Type": "application/json; charset=utf-8"}


class SignedHis:
    """One institution's HIS with its credentials; ``sign_no`` once it has signed in; ``last_text`` the text of
    the last answer (always UTF-8), for checking how its numbers and timestamps are written."""

    def __init__(self, client: httpx.AsyncClient, code: str, paasid: str, passtoken: str) -> None:
        self.client, self.code, self.paasid, self.passtoken = client, code, paasid, passtoken
        self.sign_no = ""
        self.last_text = ""

    def envelope(self, infno: str, input_: dict, *, msgid: str | None = None, sign_no: str | None = None,
                 fixmedins_code: str | None = None, inf_time: str = "2026-03-10 10:00:00") -> dict:
        return {"infno": infno, "msgid": msgid or f"{self.code}{next(_serial):012d}{secrets.token_hex(3)}",
                "mdtrtarea_admvs": "", "insuplc_admdvs": "", "recer_sys_code": "MDY", "dev_no": None,
                "dev_safe_info": None, "cainfo": None, "signtype": None, "infver": "V1.0", "opter_type": "1",
                "opter": "0001", "opter_name": "收费员", "inf_time": inf_time,
                "fixmedins_code": fixmedins_code or self.code, "fixmedins_name": "", "sign_no":
                self.sign_no if sign_no is None else sign_no, "input": input_}

    async def post(self, body: dict, headers: dict | None = None, *, encoding: str = "utf-8",
                   content_type: str | None = None) -> dict:
        """The decoded answer; ``encoding`` and ``content_type`` as the client sends them (GBK, no charset...)."""
        headers = headers or signature_headers(self.paasid, self.passtoken)
        if content_type is not None:
            headers = {**headers, "Content-Type": content_type}
        response = await self.client.post(PATH, content=as_client_writes(body, encoding), headers=headers)
        assert response.status_code == 200, response.text
        self.last_text = response.content.decode("utf-8")
        return json.loads(self.last_text, parse_float=Decimal)

    async def send(self, infno: str, input_: dict, *, encoding: str = "utf-8", content_type: str | None = None,
                   **kw) -> dict:
        return await self.post(self.envelope(infno, input_, **kw), encoding=encoding, content_type=content_type)

    async def sign_in(self) -> dict:
        answer = await self.send("9001", {"signIn": {"opter_no": "0001", "mac": "00-1A-2B-3C-4D-5E",
                                                     "ip": "192.168.1.20"}}, sign_no="")
        assert answer["infcode"] == 0, answer["err_msg"]
        self.sign_no = answer["output"]["signinoutb"]["sign_no"]
        return answer


async def register_with_credentials(client: httpx.AsyncClient, admin: dict, code: str, admdvs: str = "211302",
                                    level: str = "secondary") -> SignedHis:
    paasid, passtoken = f"paas{secrets.token_hex(6)}", secrets.token_urlsafe(24)
    response = await client.put(f"/v1/institutions/{code}", headers=admin, json={
        "name": code, "admdvs": admdvs, "level": level, "annual_budget": "1000000.00",
        "paasid": paasid, "passtoken": passtoken})
    assert response.status_code == 200, response.text
    return SignedHis(client, code, paasid, passtoken)
