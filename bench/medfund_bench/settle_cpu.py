"""CPU per ``2304`` settlement in the adjudication app alone: ``python -m medfund_bench.settle_cpu [-n N] [--profile]``.

The real app (``create_service_app(definition(), settings)``, lifespan included: consumers and outbox relay)
runs in this process on a fresh migrated database of the test profile's PostgreSQL and its own topics on
the test Kafka (started if down; ``MEDFUND_PORT_SHIFT`` applies). N covered residents are each admitted
(2401), itemised (2301) and discharged (2402) untimed; then their N settlements (2304) are sent one after
another straight into the ASGI app (no HTTP client in the measured loop) and the process CPU spent on
them is printed per settlement, with the wall time. ``--profile`` runs the timed loop under cProfile and
prints the top functions by own time. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import pstats
import secrets
import time
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer

from medfund_adjudication.main import definition
from medfund_deploy import leases, topics
from medfund_deploy.evidence import value_of
from medfund_deploy.profiles import get_profile
from medfund_deploy.pytest_plugin import TestStack, create_database, start_infra, stop_infra
from medfund_shared.auth import issue_token
from medfund_shared.db import drop_database
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import CoverageActivated
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

GATEWAY = "/fsi/api/rsfComIfsService/callService"
HOSPITAL, ADMDVS, INSUTYPE, ITEM = "H211302S", "211302", "390", "BENCHCPU01"
DAY = "2026-03-10"


def activated(psn_no: str, serial: int) -> CoverageActivated:
    return CoverageActivated.model_validate({
        "psn_no": psn_no, "certno": f"211302197601{serial:06d}", "admdvs": ADMDVS, "insutype": INSUTYPE,
        "year": 2026, "category": "adult", "tier": "tier1", "coverage_from": "2026-01-01",
        "coverage_to": "2026-12-31", "brdy": "1976-01-01", "gend": "1", "psn_name": "基准", "trigger": "payment",
        "pack_id": f"{ADMDVS}-{INSUTYPE}"})


async def publish_coverage(settings: Settings, people: list[str]) -> None:
    """The residents' coverage.activated events onto this run's topic, as enrollment's relay sends them."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        now = datetime.now(UTC)
        for serial, psn_no in enumerate(people):
            data = activated(psn_no, serial)
            event = CloudEvent(source="medfund/enrollment", type=data.event_type, subject=data.subject(), time=now,
                               effectivetime=now, partitionkey=data.partition_key(), data=data.model_dump(mode="json"))
            key, value, headers = event.to_kafka()
            await producer.send(settings.topic(data.topic), value, key=key, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


class Envelopes:
    """NHSA request envelopes as a HIS shapes them, with fresh msgids."""

    def __init__(self) -> None:
        self.serial = 0

    def __call__(self, infno: str, input_: dict) -> dict:
        self.serial += 1
        return {"infno": infno, "msgid": f"{HOSPITAL}{self.serial:012d}{secrets.token_hex(2)}",
                "mdtrtarea_admvs": ADMDVS, "insuplc_admdvs": ADMDVS, "recer_sys_code": "HIS", "infver": "V1.0",
                "opter_type": "1", "opter": "001", "opter_name": "收费员", "inf_time": f"{DAY} 10:00:00",
                "fixmedins_code": HOSPITAL, "fixmedins_name": HOSPITAL, "sign_no": "", "input": input_}


async def prepare(client: httpx.AsyncClient, settings: Settings, n: int) -> list[dict]:
    """N discharged stays ready to settle; their 2304 envelopes."""
    admin = {"Authorization": f"Bearer {issue_token(settings, 'admin')}"}
    his = {"Authorization": f"Bearer {issue_token(settings, 'his', fixmedins_code=HOSPITAL)}"}
    for method, path, body in [
            ("PUT", f"/v1/institutions/{HOSPITAL}",
             {"name": HOSPITAL, "admdvs": ADMDVS, "level": "secondary", "annual_budget": "500000000.00"}),
            ("PUT", f"/v1/catalogue/{ITEM}", {"name": "住院床位费 (bench)", "class": "A", "pric_uplmt_amt": None})]:
        response = await client.request(method, path, json=body, headers=admin)
        assert response.status_code in (200, 201), response.text
    people = [f"P{secrets.token_hex(6)}" for _ in range(n)]
    await publish_coverage(settings, people)

    async def covered(psn_no: str):
        r = await client.get(f"/v1/persons/{psn_no}/coverage", params={"on": DAY}, headers=admin)
        return r.json() if r.status_code == 200 else None
    await value_of(lambda: covered(people[-1]), "the last resident's cover to reach the read model", timeout=120)
    envelope = Envelopes()

    async def call(infno: str, input_: dict) -> dict:
        response = await client.post(GATEWAY, json=envelope(infno, input_), headers=his)
        answer = response.json()
        assert response.status_code == 200 and answer["infcode"] == 0, response.text
        return answer["output"]

    settlements = []
    for psn_no in people:
        await value_of(lambda p=psn_no: covered(p), f"{psn_no}'s cover", timeout=120)
        mdtrt_id = (await call("2401", {"mdtrtinfo": {
            "psn_no": psn_no, "insutype": INSUTYPE, "med_type": "21", "begntime": f"{DAY} 08:00:00",
            "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "ipt_no": "IPT1"}, "diseinfo": []}))["result"]["mdtrt_id"]
        await call("2301", {"feedetail": [
            {"feedetl_sn": str(i), "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": "21", "med_list_codg": ITEM,
             "det_item_fee_sumamt": "400.00", "cnt": "2", "pric": "200.00", "fee_ocur_time": f"{DAY} 09:00:00",
             "adm_bed": ""} for i in range(1, 4)]})
        await call("2402", {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "endtime": f"{DAY} 09:30:00",
                                         "dscg_way": "1"}})
        settlements.append(envelope("2304", {"data": {
            "psn_no": psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": "1200.00", "insutype": INSUTYPE,
            "acct_used_flag": "0", "medins_setl_id": secrets.token_hex(8), "psn_setlway": "01"}}))
    return settlements, his["Authorization"]


async def asgi_post(app, path: str, body: bytes, authorization: str) -> tuple[int, bytes]:
    """One POST straight into the ASGI app: what a server hands it, without a client's own work."""
    sent = False
    status, chunks = 0, []

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"svc"), (b"content-type", b"application/json"),
                         (b"authorization", authorization.encode()), (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    await app(scope, receive, send)
    return status, b"".join(chunks)


async def measure(app, settlements: list[dict], authorization: str, profile: bool) -> tuple[float, float]:
    """Send the 2304s one after another; (process CPU seconds, wall seconds) spent on them."""
    bodies = [json.dumps(envelope, ensure_ascii=False).encode() for envelope in settlements]
    profiler = cProfile.Profile(time.process_time) if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for body in bodies:
        status, answer = await asgi_post(app, GATEWAY, body, authorization)
        assert status == 200 and json.loads(answer)["infcode"] == 0, answer[:300]
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return cpu, wall


async def run(n: int, warmup: int, profile: bool, stack: TestStack) -> None:
    name = f"medfund_adjudication_{stack.session_tag}"
    database = await asyncio.to_thread(create_database, stack, name, "medfund_adjudication")
    settings = Settings(database_url=database, kafka_bootstrap=stack.kafka_bootstrap,
                        topic_prefix=stack.topic_prefix, service_name="adjudication")
    try:
        app = create_service_app(definition(), settings)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc",
                                         timeout=30) as client:
                settlements, authorization = await prepare(client, settings, warmup + n)
            await measure(app, settlements[:warmup], authorization, profile=False)
            cpu, wall = await measure(app, settlements[warmup:], authorization, profile)
        print(f"{n} settlements (2304) after {warmup} warm-up: {cpu / n * 1e6:,.0f} µs CPU per settlement "
              f"in the app process, {wall / n * 1e3:.2f} ms wall each, one at a time")
    finally:
        await drop_database(stack.admin_database_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="settlements measured (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="settlements sent first, not measured")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured loop, print the top costs")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    profile = get_profile("test")
    tag = f"cpu{secrets.token_hex(3)}"
    stack = TestStack(profile=profile, session_tag=tag, topic_prefix=f"{tag}.",
                      started=leases.join(profile, lambda: start_infra(profile, reuse=True)))
    names = topics.create_topics(stack.kafka_bootstrap, stack.topic_prefix)
    try:
        asyncio.run(run(args.n, args.warmup, args.profile, stack))
    finally:
        topics.delete_topics(stack.kafka_bootstrap, names)
        leases.leave(profile, lambda components: stop_infra(profile, components))


if __name__ == "__main__":
    main()
