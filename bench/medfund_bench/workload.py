"""A generated population going through the public APIs: enroll, pay, get covered, be admitted, settle.

Every call carries its idempotency key (enrollment by certno, payment by tax voucher, gateway by
``msgid``), and transport errors, 5xx and 503 are retried with the same key for a bounded time, so
a case either ends with one known answer or fails loudly. The client keeps what was *accepted*
(payments, settlement answers with their per-fund amounts) to check the system against afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx

from medfund_adjudication.domain.coverage import ACTIVE
from medfund_shared.auth import issue_token
from medfund_shared.id_numbers import with_check_character
from medfund_shared.money import Money
from medfund_shared.settings import Settings

GATEWAY = "/fsi/api/rsfComIfsService/callService"
ADMDVS, INSUTYPE, YEAR = "500240", "390", 2026
HOSPITAL, HOSPITAL_NAME, OFFICE = "H50024000901", "石柱县人民医院 (bench)", "15002400000"
ITEM = "BENCH0000000001"
ID_CARD = "02"
RETRY_FOR = 180.0
RETRY_SAME_MSGID = "retry the same msgid"
"""The gateway's words when the database or broker is briefly away: a HIS resends the same message."""
"""Seconds a call is retried through an outage (a service restart, a broker or database bounce)."""
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def certno(region: str, birth: date, sequence: int) -> str:
    """A resident ID with a valid GB 11643 check digit."""
    return with_check_character(f"{region}{birth:%Y%m%d}{sequence % 1000:03d}")


class Unanswered(RuntimeError):
    """A call that got no definitive answer within ``RETRY_FOR``."""


@dataclass
class Accepted:
    """What the system said yes to: the independent record the checks compare against."""

    payments: dict[str, Money] = field(default_factory=dict)
    settlements: dict[str, dict[str, Money]] = field(default_factory=dict)
    refused: Counter = field(default_factory=Counter)

    def fund_totals(self) -> dict[str, Money]:
        totals: dict[str, Money] = {}
        for funds in self.settlements.values():
            for code, amount in funds.items():
                totals[code] = totals.get(code, Money(0)) + amount
        return totals

    def payment_total(self) -> Money:
        return sum(self.payments.values(), Money(0))


@dataclass
class Person:
    certno: str
    name: str
    psn_no: str = ""
    premium_due: Money = Money(0)


class Medfund:
    """The public APIs of the four services, with tokens for each role."""

    def __init__(self, urls: dict[str, str], run_tag: str | None = None, settings: Settings | None = None,
                 concurrency: int = 64) -> None:
        settings = settings or Settings()
        self.urls, self.tag = urls, run_tag or secrets.token_hex(3)
        self.tokens = {"admin": issue_token(settings, "admin"),
                       "his": issue_token(settings, "his", fixmedins_code=HOSPITAL),
                       "tax": issue_token(settings, "tax", tax_office_code=OFFICE)}
        self.http = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency))
        self.accepted = Accepted()
        self.retries = Counter()
        self.in_flight = Counter()
        """Requests sent and not yet answered, per service: what a fault injected now would hit."""
        self._msg = itertools.count(1)

    async def close(self) -> None:
        await self.http.aclose()

    def url_for(self, service: str, attempt: int) -> str:
        """Where attempt ``attempt`` of a call goes: the one address of the service (a client of several
        instances turns to another one on each retry)."""
        return self.urls[service]

    async def request(self, service: str, method: str, path: str, role: str, *, ok: tuple[int, ...],
                      headers: dict[str, str] | None = None, first_attempt: int = 0, **kwargs) -> httpx.Response:
        """Send until an answer in ``ok`` or a 4xx; transport errors, 5xx and 503 are retried (same key)."""
        deadline = time.monotonic() + RETRY_FOR
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **(headers or {})}
        for attempt in itertools.count(first_attempt):
            self.in_flight[service] += 1
            try:
                response = await self.http.request(method, self.url_for(service, attempt) + path, headers=headers,
                                                   **kwargs)
                if response.status_code in ok or 400 <= response.status_code < 500:
                    return response
                self.retries[f"{service} {response.status_code}"] += 1
            except httpx.TransportError as error:
                self.retries[f"{service} {type(error).__name__}"] += 1
            finally:
                self.in_flight[service] -= 1
            if time.monotonic() > deadline:
                raise Unanswered(f"{method} {path} on {service}: no answer within {RETRY_FOR:.0f}s")
            await asyncio.sleep(0.5)

    async def registry(self) -> None:
        """The hospital and the fee item, as the administrator registers them (idempotent PUTs)."""
        await self.request("adjudication", "PUT", f"/v1/institutions/{HOSPITAL}", "admin", ok=(200, 201), json={
            "name": HOSPITAL_NAME, "admdvs": ADMDVS, "level": "secondary", "annual_budget": "500000000.00"})
        await self.request("adjudication", "PUT", f"/v1/catalogue/{ITEM}", "admin", ok=(200, 201), json={
            "name": "住院床位费 (bench)", "class": "A", "pric_uplmt_amt": None})

    def person(self, index: int) -> Person:
        birth = date(1960, 1, 1) + timedelta(days=(index * 37 + int(self.tag, 16)) % 15000)
        return Person(certno(ADMDVS, birth, index), f"测试{self.tag}{index}")

    async def enroll(self, person: Person) -> Person:
        body = {"admdvs": ADMDVS, "insutype": INSUTYPE, "year": YEAR, "tier": "tier1", "enrolled_on": "2025-11-01",
                "members": [{"certno": person.certno, "psn_name": person.name,
                             "gend": "1" if int(person.certno[16]) % 2 else "2",
                             "brdy": f"{person.certno[6:10]}-{person.certno[10:12]}-{person.certno[12:14]}",
                             "category": "adult"}]}
        response = await self.request("enrollment", "POST", "/v1/enrollments", "admin", ok=(201,), json=body,
                                      headers={"Idempotency-Key": f"enroll-{self.tag}-{person.certno}"})
        if response.status_code == 201:
            member = response.json()["members"][0]
            person.psn_no, person.premium_due = member["psn_no"], Money.from_yuan(member["premium_due"])
            return person
        if response.status_code == 409:
            return await self._enrolled_already(person)
        raise AssertionError(f"enrollment refused: {response.status_code} {response.text[:300]}")

    async def _enrolled_already(self, person: Person) -> Person:
        """A retried enrollment whose first attempt landed: read the person back."""
        response = await self.request("enrollment", "GET", "/v1/persons", "admin", ok=(200,),
                                      params={"certno": person.certno})
        found = response.json()
        found = found[0] if isinstance(found, list) else found.get("items", [found])[0] if "items" in found else found
        person.psn_no = found["psn_no"]
        person.premium_due = Money.from_yuan(next((p["premium_due"] for p in found.get("periods", [])
                                                   if "premium_due" in p), "190.00"))
        return person

    async def pay(self, person: Person, index: int) -> str:
        voucher = f"V{self.tag}{index:08d}"
        record = {"tax_voucher_no": voucher, "certno": person.certno, "psn_name": person.name,
                  "insutype": INSUTYPE, "admdvs": ADMDVS, "period_year": YEAR,
                  "amount": person.premium_due.to_yuan(), "paid_at": "2025-11-15T10:00:00+08:00",
                  "tax_office_code": OFFICE, "channel": "etax"}
        response = await self.request("billing", "POST", "/v1/collections", "tax", ok=(200, 201), json=record)
        if response.status_code not in (200, 201):
            raise AssertionError(f"payment refused: {response.status_code} {response.text[:300]}")
        self.accepted.payments[voucher] = person.premium_due
        return voucher

    async def gateway(self, infno: str, business_time: datetime, payload: dict, msgid: str | None = None) -> dict:
        """One NHSA transaction; the whole answer (``infcode`` 0 or -1)."""
        return await self.send(self.envelope(infno, business_time, payload, msgid))

    def envelope(self, infno: str, business_time: datetime, payload: dict, msgid: str | None = None) -> dict:
        """The NHSA request envelope a HIS sends, with a fresh ``msgid`` unless one is given."""
        return {"infno": infno, "msgid": msgid or self.msgid(), "mdtrtarea_admvs": ADMDVS,
                "insuplc_admdvs": ADMDVS, "recer_sys_code": "HIS", "infver": "V1.0", "opter_type": "1",
                "opter": "001", "opter_name": "收费员", "inf_time": business_time.strftime(TIME_FORMAT),
                "fixmedins_code": HOSPITAL, "fixmedins_name": HOSPITAL_NAME, "sign_no": "", "input": payload}

    def gateway_request(self, envelope: dict) -> httpx.Request:
        """The HTTP request :meth:`send` makes for ``envelope``, for a load generator to send as it is."""
        return self.http.build_request("POST", self.urls["adjudication"] + GATEWAY,
                                       headers={"Authorization": f"Bearer {self.tokens['his']}"}, json=envelope)

    async def send(self, envelope: dict, first_attempt: int = 0) -> dict:
        """Send ``envelope`` until it gets an answer; an answer asking for the same msgid again is resent."""
        infno = envelope["infno"]
        deadline = time.monotonic() + RETRY_FOR
        while True:
            response = await self.request("adjudication", "POST", GATEWAY, "his", ok=(200,), json=envelope,
                                          first_attempt=first_attempt)
            if response.status_code != 200:
                raise AssertionError(f"{infno}: HTTP {response.status_code} {response.text[:300]}")
            answer = answer_of(response.content)
            if answer["infcode"] == 0 or RETRY_SAME_MSGID not in answer["err_msg"]:
                return answer
            self.retries[f"adjudication {infno} {RETRY_SAME_MSGID}"] += 1
            if time.monotonic() > deadline:
                raise Unanswered(f"{infno}: still unavailable after {RETRY_FOR:.0f}s")
            await asyncio.sleep(0.5)

    def msgid(self) -> str:
        return f"{HOSPITAL}{self.tag}{next(self._msg):012d}"

    async def covered(self, person: Person, timeout: float) -> bool:
        """Poll ``1101`` until the adjudication service sees the person's coverage as active."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = await self.gateway("1101", datetime(YEAR, 7, 1, 9), {"data": {
                "mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": person.certno, "psn_cert_type": "01",
                "certno": person.certno, "psn_name": person.name}})
            if answer["infcode"] == 0 and any(i.get("psn_insu_stas") == ACTIVE
                                              for i in (answer.get("output") or {}).get("insuinfo", [])):
                return True
            await asyncio.sleep(1.0)
        return False

    async def prepare_stay(self, person: Person, stay: int, amount: Money) -> tuple[str, datetime]:
        """Admission (March to mid-September: the discharge stays in the year), fee upload and discharge of one
        inpatient stay: what ``2304`` then settles."""
        begins = datetime(YEAR, 3, 1, 8) + timedelta(days=stay % 200, minutes=stay % 1440)
        ends = begins + timedelta(days=3)
        opened = await self._ok("2401", begins, {"mdtrtinfo": {
            "psn_no": person.psn_no, "insutype": INSUTYPE, "mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": person.certno,
            "med_type": "21", "ipt_no": f"ZY{self.tag}{stay:08d}", "begntime": begins.strftime(TIME_FORMAT),
            "refl_flag": "0", "dise_codg": "J18.900", "dise_name": "肺炎"},
            "diseinfo": [{"psn_no": person.psn_no, "diag_type": "1", "maindiag_flag": "1", "diag_srt_no": "1",
                          "diag_code": "J18.900", "diag_name": "肺炎", "diag_time": begins.strftime(TIME_FORMAT)}]})
        mdtrt_id = opened["result"]["mdtrt_id"]
        await self._ok("2301", begins, {"feedetail": [{
            "feedetl_sn": "0001", "mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "med_type": "21",
            "fee_ocur_time": begins.strftime(TIME_FORMAT), "med_list_codg": ITEM, "medins_list_codg": ITEM,
            "det_item_fee_sumamt": amount.to_yuan(), "cnt": "1", "pric": amount.to_yuan()}]})
        await self._ok("2402", ends, {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "insutype": INSUTYPE,
                                                    "endtime": ends.strftime(TIME_FORMAT), "dscg_way": "1"},
                                       "diseinfo": []})
        return mdtrt_id, ends

    async def settle(self, person: Person, mdtrt_id: str, ends: datetime, amount: Money, stay: int) -> dict:
        """``2304``; an accepted answer is recorded with its per-fund amounts."""
        return self.settled(await self.send(self.settlement(person, mdtrt_id, ends, amount, stay)))

    def settlement(self, person: Person, mdtrt_id: str, ends: datetime, amount: Money, stay: int) -> dict:
        """The ``2304`` envelope settling a discharged stay (a fresh ``msgid``)."""
        return self.envelope("2304", ends, {"data": {
            "psn_no": person.psn_no, "mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": person.certno,
            "medfee_sumamt": amount.to_yuan(), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": INSUTYPE,
            "acct_used_flag": "0", "mid_setl_flag": "0", "invono": "", "medins_setl_id": f"S{self.tag}{stay:010d}"}})

    def settled(self, answer: dict) -> dict:
        """Record a ``2304`` answer: its per-fund amounts when accepted, its reason when refused."""
        if answer["infcode"] != 0:
            self.accepted.refused[answer["err_msg"][:80]] += 1
            return answer
        output = answer["output"]
        self.accepted.settlements[output["setlinfo"]["setl_id"]] = {
            row["fund_pay_type"]: Money.from_yuan(Decimal(str(row["fund_payamt"]))) for row in output["setldetail"]}
        return answer

    async def _ok(self, infno: str, when: datetime, payload: dict) -> dict:
        answer = await self.gateway(infno, when, payload)
        if answer["infcode"] != 0:
            raise AssertionError(f"{infno} refused: {answer['err_msg']}")
        return answer["output"]


def answer_of(content: bytes) -> dict:
    """A gateway answer, amounts as ``Decimal`` (never float)."""
    return json.loads(content, parse_float=Decimal)


def stay_amount(rng: random.Random) -> Money:
    return Money.from_yuan(f"{rng.randint(800, 9000)}.{rng.randint(0, 99):02d}")
