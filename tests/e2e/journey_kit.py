"""The four services as their outside clients use them (operator, tax bureau, hospital, admin), the alerts
topic, and polling with a deadline. Nothing here reads a service's database, except, in :func:`heard_of` and
:func:`quiet`, the evidence that one service consumed another's events (its outbox emptied, the other's stored
offsets)."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.console import Console

from medfund_cli.demo.runner import Demo
from medfund_cli.demo.summary import Summary, gather, render
from medfund_deploy.evidence import read_to_end, stored_offsets, wait_consumed, wait_published
from medfund_shared.auth import issue_token
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.alerts import TOPIC as ALERTS_TOPIC
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.id_numbers import with_check_character
from medfund_shared.money import Money
from medfund_shared.settings import Settings

T = TypeVar("T")
GATEWAY = "/fsi/api/rsfComIfsService/callService"
_msg_serial = itertools.count(1)


def certno(region: str, birth: date, male: bool) -> str:
    """A valid resident ID (GB 11643); the random sequence (700-999) is far above those the demo hands out."""
    sequence = 2 * secrets.randbelow(150) + 700 + (1 if male else 0)
    return with_check_character(f"{region}{birth:%Y%m%d}{sequence:03d}")


def yuan(value: object) -> Money:
    """An amount as the APIs write it: a yuan string, or a JSON number read as Decimal."""
    return Money.from_yuan(str(value))


def cover_period(insutype: str, year: int, starts: str, ends: str, status: str = "active") -> dict:
    """One period of a person's cover as enrollment's ``GET /v1/persons/{psn_no}`` lists it."""
    return {"insutype": insutype, "year": year, "from": starts, "to": ends, "status": status}


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 90.0) -> T:
    """Probe until ``done(value)`` or the deadline; return the last value either way, for the caller to assert."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if done(value) or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.2)


@dataclass
class Clients:
    """One HTTP client for the four services, with a token per role."""

    http: httpx.AsyncClient
    settings: Settings
    enrollment: str
    billing: str
    adjudication: str
    ledger: str

    def auth(self, role: str, **binding: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings, role, **binding)}"}

    async def call(self, method: str, url: str, auth: dict[str, str], expect: int = 200, **kwargs) -> object:
        """The answer's JSON (numbers as Decimal), after checking its status."""
        response = await self.http.request(method, url, headers=auth, **kwargs)
        assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
        return json.loads(response.content, parse_float=Decimal)

    async def person(self, psn_no: str) -> dict:
        return await self.call("GET", f"{self.enrollment}/v1/persons/{psn_no}", self.auth("operator"))

    async def gateway(self, infno: str, fixmedins_code: str, input_: dict, inf_time: str,
                      admdvs: str = "500240") -> dict:
        """One NHSA transaction as the hospital (HTTP 200 whatever the outcome; ``infcode`` says it)."""
        body = {"infno": infno, "msgid": f"{fixmedins_code}{next(_msg_serial):06d}{secrets.token_hex(4)}",
                "mdtrtarea_admvs": admdvs, "insuplc_admdvs": admdvs, "recer_sys_code": "HIS", "infver": "V1.0",
                "opter_type": "1", "opter": "001", "opter_name": "收费员", "inf_time": inf_time,
                "fixmedins_code": fixmedins_code, "fixmedins_name": fixmedins_code, "sign_no": "", "input": input_}
        return await self.call("POST", f"{self.adjudication}{GATEWAY}", self.auth("his", fixmedins_code=fixmedins_code),
                               json=body)

    async def pool(self, pool_id: str) -> dict | None:
        response = await self.http.get(f"{self.ledger}/v1/pools/{pool_id}", headers=self.auth("operator"))
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return json.loads(response.content)

    async def journal_after(self, pool_id: str, cursor: int) -> list[dict]:
        """The pool's journal entries with an id above ``cursor``, oldest first (every page); none while the ledger
        has not opened the pool (it does with the first event it books there), so a probe polling for entries
        right after the writes that cause them waits instead of failing on the ledger's 404."""
        if await self.pool(pool_id) is None:
            return []
        entries: list[dict] = []
        next_cursor: str | None = str(cursor)
        while next_cursor is not None:
            page = await self.call("GET", f"{self.ledger}/v1/pools/{pool_id}/journal", self.auth("operator"),
                                   params={"cursor": next_cursor})
            entries += page["entries"]
            next_cursor = page["next_cursor"]
        return entries

    async def dead_letters(self) -> dict[str, list]:
        """Each service's parked events (``GET /v1/dead-letters``), by service."""
        return {name: await self.call("GET", f"{url}/v1/dead-letters", self.auth("operator"))
                for name, url in (("enrollment", self.enrollment), ("billing", self.billing),
                                  ("adjudication", self.adjudication), ("ledger", self.ledger))}

    async def alerts(self, state: str) -> list[dict]:
        return await self.call("GET", f"{self.ledger}/v1/alerts", self.auth("operator"), params={"state": state})


@asynccontextmanager
async def clients_of(stack) -> AsyncIterator[Clients]:
    """The four services of the session's shared stack (the ``services_running`` fixture), one HTTP client."""
    settings = Settings(kafka_bootstrap=stack.kafka_bootstrap, topic_prefix=stack.topic_prefix)
    async with httpx.AsyncClient(timeout=60) as http:
        yield Clients(http, settings, stack.enrollment, stack.billing, stack.adjudication, stack.ledger)


@asynccontextmanager
async def clients_of_set(test_stack, service_set, limits: httpx.Limits | None = None) -> AsyncIterator[Clients]:
    """The four services of a module's own service set (``own_service_set``) on the session's Kafka, one client."""
    settings = Settings(kafka_bootstrap=test_stack.kafka_bootstrap, topic_prefix=service_set.topic_prefix)
    async with httpx.AsyncClient(timeout=60, limits=limits or httpx.Limits()) as http:
        yield Clients(http, settings, *(service_set.require(service)
                                        for service in ("enrollment", "billing", "adjudication", "ledger")))


async def heard_of(clients: Clients, databases: dict[str, str], source: str, target: str, topic: str) -> None:
    """Until ``target`` has consumed every event ``source`` emitted on ``topic`` (its short name) so far: a request
    to ``target`` that relies on what ``source`` answered (billing declaring a member enrollment has just
    registered) must not race ``target``'s projection of it. ``databases``: the stack's or service set's."""
    await wait_published(databases[source])
    await wait_consumed(databases[target], clients.settings.kafka_bootstrap, [clients.settings.topic(topic)])


async def quiet(clients: Clients, databases: dict[str, str], hops: int = 3) -> None:
    """Until every event the services emitted so far has been consumed by every service that consumes its topic,
    following chains of up to ``hops`` services (a payment → a cover → a catastrophic premium): a module that
    measures a shared pool's figures by difference must not take its "before" while an earlier module's events
    are still in flight."""
    for _ in range(hops):
        for database in databases.values():
            await wait_published(database)
        for database in databases.values():
            consumed = {tp.topic for tp in await stored_offsets(database)}
            await wait_consumed(database, clients.settings.kafka_bootstrap, consumed)


@dataclass(frozen=True)
class Arrival:
    at: float
    """``time.monotonic()`` when the consumer handed the record over."""
    event: CloudEvent


@dataclass
class KeyWatch:
    """Every record with one key that reaches a topic after :meth:`start`, with the time it arrived."""

    bootstrap: str
    topic: str
    key: str
    arrivals: list[Arrival] = field(default_factory=list)
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(self.topic, bootstrap_servers=self.bootstrap, group_id=None,
                                          enable_auto_commit=False, isolation_level="read_committed")
        await self._consumer.start()
        partitions = await eventually(self._assigned, bool, timeout=90)
        assert partitions, f"no partitions of {self.topic} assigned"
        await self._consumer.seek_to_end(*partitions)
        for partition in partitions:
            await self._consumer.position(partition)
        self._task = asyncio.create_task(self._collect())

    async def _assigned(self) -> set[TopicPartition]:
        return self._consumer.assignment()

    async def _collect(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=100)
            now = time.monotonic()
            self.arrivals += [Arrival(now, CloudEvent.from_kafka(r)) for records in batches.values()
                              for r in records if r.key == self.key.encode()]

    async def first(self, wanted: Callable[[CloudEvent], bool], timeout: float = 60.0) -> Arrival | None:
        async def found() -> Arrival | None:
            return next((a for a in self.arrivals if wanted(a.event)), None)
        return await eventually(found, lambda arrival: arrival is not None, timeout)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()


async def alert_changes(settings: Settings) -> list[dict]:
    """The data of every alert change on this session's alerts topic, read from the beginning to the current end."""
    consumer = AIOKafkaConsumer(settings.topic(ALERTS_TOPIC), bootstrap_servers=settings.kafka_bootstrap,
                                group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        return [json.loads(r.value) for r in await read_to_end(consumer)
                if dict(r.headers).get("ce_type") == AlertChanged.event_type.encode()]
    finally:
        await consumer.stop()


async def admit(clients: Clients, code: str, member: dict, admitted: str, admdvs: str = "500240") -> dict:
    """A resident's inpatient admission (2401) for pneumonia; the gateway's answer, whatever it is."""
    return await clients.gateway("2401", code, {"mdtrtinfo": {
        "psn_no": member["psn_no"], "insutype": "390", "mdtrt_cert_type": "02", "mdtrt_cert_no": member["certno"],
        "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(4)}", "begntime": admitted, "refl_flag": "0"},
        "diseinfo": [{"diag_code": "J18.900", "diag_name": "肺炎", "maindiag_flag": "1"}]}, inf_time=admitted,
        admdvs=admdvs)


async def inpatient_stay(clients: Clients, code: str, member: dict, admitted: str, settled_at: str,
                         admdvs: str = "500240", days: int = 10) -> dict:
    """A resident's stay through the gateway, 2401 -> 2301 -> 2402 -> 2304: ``days`` days at 100.00 (one bed line,
    class A ``{code}A``) in ``admdvs``."""
    answer = await admit(clients, code, member, admitted, admdvs)
    assert answer["infcode"] == 0, answer["err_msg"]
    mdtrt_id = answer["output"]["result"]["mdtrt_id"]
    total = f"{days * 100}.00"
    uploaded = await clients.gateway("2301", code, {"feedetail": [{
        "feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": member["psn_no"], "med_type": "21",
        "fee_ocur_time": admitted, "med_list_codg": f"{code}A", "medins_list_codg": "CW001",
        "det_item_fee_sumamt": total, "cnt": str(days), "pric": "100.00"}]}, inf_time=admitted, admdvs=admdvs)
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    discharged = await clients.gateway("2402", code, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": member["psn_no"], "insutype": "390", "endtime": settled_at, "dscg_way": "1"},
        "diseinfo": []}, inf_time=settled_at, admdvs=admdvs)
    assert discharged["infcode"] == 0, discharged["err_msg"]
    settled = await clients.gateway("2304", code, {"data": {
        "psn_no": member["psn_no"], "mdtrt_cert_type": "02", "mdtrt_cert_no": member["certno"],
        "medfee_sumamt": total, "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390",
        "acct_used_flag": "0", "mid_setl_flag": "0", "invono": "", "medins_setl_id": f"JS{secrets.token_hex(8)}"}},
        inf_time=settled_at, admdvs=admdvs)
    assert settled["infcode"] == 0, settled["err_msg"]
    return settled["output"]


def tax_office_of(admdvs: str) -> str:
    """A tax office serving ``admdvs`` (billing reads the region from digits 2-7 of the office's code)."""
    return f"1{admdvs}0000"


async def register_hospital(clients: Clients, admdvs: str, level: str, name: str) -> str:
    """A new institution of ``level`` in ``admdvs``, registered by the admin with its class-A bed line ``{code}A``;
    its code."""
    code, admin = f"HJ{secrets.token_hex(5).upper()}", clients.auth("admin")
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", admin, json={
        "name": name, "admdvs": admdvs, "level": level, "annual_budget": "1000000.00"})
    await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}A", admin, json={
        "name": "住院床位费", "class": "A", "pric_uplmt_amt": None})
    return code


async def enrol_household(clients: Clients, admdvs: str, year: int, people: list[tuple[date, str, str]],
                          enrolled_on: str) -> list[dict]:
    """One household of residents (birth date, ``gend``, category each) enrolled by an operator; the answer's
    members in the order given, each with its ``certno``."""
    sent = [{"certno": certno(admdvs, brdy, gend == "1"), "psn_name": "林", "gend": gend, "brdy": brdy.isoformat(),
             "category": category} for brdy, gend, category in people]
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": admdvs, "insutype": "390", "year": year, "enrolled_on": enrolled_on, "members": sent})
    by_certno = {m["certno"]: m for m in answer["members"]}
    return [by_certno[s["certno"]] | {"certno": s["certno"]} for s in sent]


async def pay_premium(clients: Clients, member: dict, admdvs: str, year: int, amount: str, paid_at: str) -> None:
    """The tax bureau's feed: ``member``'s resident premium for ``year`` paid at ``paid_at``."""
    office = tax_office_of(admdvs)
    await clients.call("POST", f"{clients.billing}/v1/collections", clients.auth("tax", tax_office_code=office),
                       201, json={"tax_voucher_no": f"FJ{secrets.token_hex(8)}", "certno": member["certno"],
                                  "psn_name": "林", "insutype": "390", "admdvs": admdvs, "period_year": year,
                                  "amount": amount, "paid_at": paid_at, "tax_office_code": office,
                                  "channel": "etax"})


async def told(county: Demo) -> Summary:
    """The demo's story told to its end on the running services, and its summary (printed as ``medfund demo``
    prints it): both demo tests read it."""
    result: list[Summary] = []

    async def finale(api, _hospital) -> None:
        result.append(await gather(county.story, api, county.watcher.counts.alerts))

    await asyncio.wait_for(county.run(finale), timeout=600)
    render(result[0], Console(width=140))
    return result[0]
