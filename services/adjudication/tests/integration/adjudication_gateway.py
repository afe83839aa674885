"""Helpers in NHSA terms: a gateway client, enrollment events onto the session's topic, polling."""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from medfund_deploy.evidence import value_of
from medfund_shared.auth import issue_token
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import CategoryChanged, CoverageActivated
from medfund_shared.openapi import departures
from medfund_shared.settings import Settings

_serial = itertools.count(1)
OUTPATIENT = ("11", "14")


class Gateway:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client, self.settings = client, settings
        self.admin = {"Authorization": f"Bearer {issue_token(settings, 'admin')}"}

    def his(self, code: str) -> dict:
        return {"Authorization": f"Bearer {issue_token(settings=self.settings, role='his', fixmedins_code=code)}"}

    async def call(self, infno: str, code: str, input_: dict, *, msgid: str | None = None,
                   inf_time: str = "2026-03-10 10:00:00", headers: dict | None = None) -> tuple[dict, bytes]:
        body = {"infno": infno, "msgid": msgid or f"{code}{next(_serial):012d}{secrets.token_hex(2)}",
                "inf_time": inf_time, "fixmedins_code": code, "sign_no": "", "opter_name": "收费员", "input": input_}
        response = await self.client.post("/fsi/api/rsfComIfsService/callService", json=body,
                                          headers=headers or self.his(code))
        assert response.status_code == 200, response.text
        return json.loads(response.content, parse_float=Decimal), response.content

    async def institution(self, code: str, admdvs: str, level: str) -> None:
        r = await self.client.put(f"/v1/institutions/{code}", headers=self.admin,
                                  json={"name": code, "admdvs": admdvs, "level": level, "annual_budget": "1000000.00"})
        assert r.status_code == 200, r.text

    async def catalogue(self, code: str, cls: str, ceiling: str | None = None) -> None:
        r = await self.client.put(f"/v1/catalogue/{code}", headers=self.admin,
                                  json={"name": code, "class": cls, "pric_uplmt_amt": ceiling})
        assert r.status_code == 200, r.text

    async def admit_and_settle(self, code: str, psn_no: str, insutype: str, fees: list[tuple[str, str, str]],
                               *, begntime: str = "2026-03-01 09:00:00", med_type: str = "21",
                               refl_flag: str = "0", acct_used_flag: str = "0") -> dict:
        """2401 → 2301 → 2304 (inpatient), or 2201 → 2204 → 2207 for an outpatient ``med_type``."""
        register, upload, settle, info = (("2201", "2204", "2207", "data") if med_type in OUTPATIENT
                                          else ("2401", "2301", "2304", "mdtrtinfo"))
        admitted, _ = await self.call(register, code, {info: {
            "psn_no": psn_no, "insutype": insutype, "med_type": med_type, "begntime": begntime,
            "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "ipt_no": "IPT1", "refl_flag": refl_flag}, "diseinfo": []})
        assert admitted["infcode"] == 0, admitted["err_msg"]
        mdtrt_id = admitted["output"]["data" if med_type in OUTPATIENT else "result"]["mdtrt_id"]
        details = [{"feedetl_sn": str(i), "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": med_type,
                    "med_list_codg": c, "det_item_fee_sumamt": amount, "cnt": cnt,
                    "pric": str(Decimal(amount) / Decimal(cnt)), "fee_ocur_time": begntime, "adm_bed": ""}
                   for i, (c, amount, cnt) in enumerate(fees, 1)]
        uploaded, _ = await self.call(upload, code, {"feedetail": details})
        assert uploaded["infcode"] == 0, uploaded["err_msg"]
        if med_type not in OUTPATIENT:
            await self.discharge(code, psn_no, mdtrt_id, begntime)
        total = sum(Decimal(a) for _, a, _ in fees)
        settled, _ = await self.call(settle, code, {"data": {
            "psn_no": psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": f"{total:.2f}", "insutype": insutype,
            "acct_used_flag": acct_used_flag, "medins_setl_id": secrets.token_hex(8), "psn_setlway": "01"}})
        assert settled["infcode"] == 0, settled["err_msg"]
        return settled["output"]

    async def _post_natively(self, code: str, path: str, body: dict) -> dict:
        r = await self.client.post(f"/v1{path}", json=body, headers=self.his(code))
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def stay_natively(self, code: str, psn_no: str, day: str, amount: str) -> str:
        """A resident's stay (one class-A ``TA`` line of ``amount``) admitted, itemised and discharged on ``day``
        through the native API; its mdtrt_id."""
        admitted = await self._post_natively(code, "/admissions", {
            "fixmedins_code": code, "psn_no": psn_no, "insutype": "390", "med_type": "21",
            "begntime": f"{day}T08:00:00+08:00"})
        mdtrt_id = admitted["mdtrt_id"]
        await self._post_natively(code, f"/admissions/{mdtrt_id}/fees", {"psn_no": psn_no, "items": [
            {"feedetl_sn": "1", "med_list_codg": "TA", "cnt": "1", "pric": amount, "det_item_fee_sumamt": amount}]})
        await self._post_natively(code, f"/admissions/{mdtrt_id}/discharge",
                                  {"psn_no": psn_no, "endtime": f"{day}T09:00:00+08:00"})
        return mdtrt_id

    async def settle_stay_natively(self, code: str, psn_no: str, mdtrt_id: str, day: str, amount: str) -> dict:
        """The stay of :meth:`stay_natively` settled on ``day`` through the native API; the answer."""
        return await self._post_natively(code, "/settlements", {
            "mdtrt_id": mdtrt_id, "psn_no": psn_no, "medfee_sumamt": amount, "setl_time": f"{day}T10:00:00+08:00",
            "medins_setl_id": secrets.token_hex(6)})

    async def settle_natively(self, code: str, psn_no: str, day: str, amount: str) -> str:
        """A stay of :meth:`stay_natively` settled that day; its setl_id."""
        mdtrt_id = await self.stay_natively(code, psn_no, day, amount)
        return (await self.settle_stay_natively(code, psn_no, mdtrt_id, day, amount))["setlinfo"]["setl_id"]

    async def record_resident_year(self) -> str:
        """The year the simulation tests replay (issue 25), recorded through the native API; the person's psn_no.

        A resident aged 50 of 211302 at the in-county secondary hospital H211302S (the 211302 pack: inpatient
        deductible 500.00 per stay, ratio 0.70; class A lines): a stay of 1000.00 on 2026-03-05 (the pooled fund
        pays 500.00 x 0.70 = 350.00, the share is 650.00), one of 2000.00 on 2026-04-05 (1050.00 and 950.00), and
        one of 300.00 on 2026-05-05, under the deductible, reversed the next day. The pooled fund 390100 paid
        1400.00; the annual share is 1600.00."""
        await self.setup_registry()
        psn_no = await self.covered("211302", brdy="1976-01-01")
        await self.wait_covered(psn_no, "2026-03-01")
        await self.settle_natively("H211302S", psn_no, "2026-03-05", "1000.00")
        await self.settle_natively("H211302S", psn_no, "2026-04-05", "2000.00")
        reversed_id = await self.settle_natively("H211302S", psn_no, "2026-05-05", "300.00")
        listed = await self.client.get("/v1/settlements", params={"psn_no": psn_no, "limit": 1}, headers=self.admin)
        r = await self.client.post(f"/v1/settlements/{reversed_id}/reversal", headers=self.his("H211302S"),
                                   json={"mdtrt_id": listed.json()["settlements"][0]["mdtrt_id"], "psn_no": psn_no,
                                         "reversed_at": "2026-05-06T10:00:00+08:00"})
        assert r.status_code == 201, r.text
        return psn_no

    async def discharge(self, code: str, psn_no: str, mdtrt_id: str, endtime: str = "2026-12-31 10:00:00") -> None:
        """2402: the stay ends (an inpatient stay settles after it, or mid-stay with ``mid_setl_flag`` 1)."""
        discharged, _ = await self.call("2402", code, {"dscginfo": {
            "mdtrt_id": mdtrt_id, "psn_no": psn_no, "endtime": endtime, "dscg_way": "1"}})
        assert discharged["infcode"] == 0, discharged["err_msg"]

    async def setup_registry(self) -> None:
        """The catalogue codes and institutions the worked examples use."""
        for code, cls, ceiling in [("TA", "A", None), ("TB", "B", None), ("TC", "C", None), ("TB90", "B", "90")]:
            await self.catalogue(code, cls, ceiling)
        for code, admdvs, level in [("H211302S", "211302", "secondary"), ("H211302T", "211302", "tertiary"),
                                    ("H330326S", "330326", "secondary"), ("H330302T", "330302", "tertiary"),
                                    ("H500240P", "500240", "primary"), ("H321100T", "321100", "tertiary")]:
            await self.institution(code, admdvs, level)

    async def covered(self, admdvs: str, insutype: str = "390", **kw) -> str:
        """A new person whose coverage.activated event is on its way to the service; their psn_no."""
        psn_no = f"P{secrets.token_hex(6)}"
        await publish(self.settings, activated(psn_no, admdvs, insutype, **kw))
        return psn_no

    async def wait_covered(self, psn_no: str, on: str) -> dict:
        """The person's cover once their coverage event has reached the read model (native API)."""
        async def visible():
            r = await self.client.get(f"/v1/persons/{psn_no}/coverage", params={"on": on}, headers=self.admin)
            return r.json() if r.status_code == 200 else None
        return await value_of(visible, f"{psn_no}'s cover on {on} to reach the read model")

    async def psn_type(self, psn_no: str, on: str) -> str | None:
        """The person's category on a day as the read model has it now (native API), None when not insured."""
        r = await self.client.get(f"/v1/persons/{psn_no}/coverage", params={"on": on}, headers=self.admin)
        return r.json()["insuinfo"][0]["psn_type"] if r.status_code == 200 else None

    async def settle_when_covered(self, code: str, psn_no: str, insutype: str, fees, **kw) -> dict:
        """The first visit, retried until the coverage event has reached the read model."""
        async def attempt():
            try:
                return await self.admit_and_settle(code, psn_no, insutype, fees, **kw)
            except AssertionError as refused:
                if "not insured" in str(refused):
                    return None
                raise
        return await value_of(attempt, f"{psn_no} to be insured")


def documented(model: type[BaseModel], body: dict) -> dict:
    """``body``, asserted to be what the OpenAPI document's response ``model`` describes."""
    assert not (found := departures(model, body)), (model.__name__, found)
    return body


def amounts(output: dict, *names: str) -> dict[str, str]:
    return {n: str(output["setlinfo"][n]) for n in names}


async def publish(settings: Settings, data, effective_time: datetime | None = None) -> str:
    """An enrollment or billing event onto the session's topic, as that service's relay would send it; its id.

    ``effective_time`` is the business time (default: now).
    """
    now = datetime.now(UTC)
    event = CloudEvent(source=f"medfund/{data.topic.split('.')[1]}", type=data.event_type, subject=data.subject(),
                       time=now, effectivetime=effective_time or now, partitionkey=data.partition_key(),
                       data=data.model_dump(mode="json"))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        key, value, headers = event.to_kafka()
        await producer.send_and_wait(settings.topic(data.topic), value, key=key, headers=headers)
    finally:
        await producer.stop()
    return event.id


def activated(psn_no: str, admdvs: str, insutype: str, *, brdy: str = "1976-01-01", category: str = "adult",
              tier: str = "tier1", year: int = 2026, coverage_from: str | None = None) -> CoverageActivated:
    certno = f"1{psn_no[-5:]:0>5}19760101{secrets.randbelow(9999):04d}"[:18]
    return CoverageActivated.model_validate({"psn_no": psn_no, "certno": certno,
              "admdvs": admdvs, "insutype": insutype, "year": year, "category": category, "tier": tier,
              "coverage_from": coverage_from or f"{year}-01-01", "coverage_to": f"{year}-12-31", "brdy": brdy,
              "gend": "1",
              "psn_name": "张三", "trigger": "payment", "pack_id": f"{admdvs}-{insutype}"})


def category_changed(psn_no: str, category: str, *, tier: str = "tier1") -> CategoryChanged:
    return CategoryChanged(psn_no=psn_no, year=2026, category=category, tier=tier, premium_due="0.00",
                           on_behalf_due="0.00", reason="civil affairs certificate", actor="test")


