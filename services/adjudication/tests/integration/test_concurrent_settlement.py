"""Many settlements for one person at once: the accumulator row lock serialises them, and each one's
event reaches the claims topic exactly once."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_deploy.evidence import read_to_end, wait_until
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.claims import SettlementCompleted

pytestmark = pytest.mark.integration

SETTLEMENTS = 50
ANNUAL_CAP = Decimal("60000.00")
"""211302's ``inpatient.annual_payment_cap``."""


async def _admission_ready_to_settle(gateway, psn_no: str, n: int) -> str:
    admitted, _ = await gateway.call("2401", "H211302T", {"mdtrtinfo": {
        "psn_no": psn_no, "insutype": "390", "med_type": "21", "begntime": f"2026-04-{1 + n % 28:02d} 09:00:00"}})
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    uploaded, _ = await gateway.call("2301", "H211302T", {"feedetail": [{
        "feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_list_codg": "TA",
        "det_item_fee_sumamt": "20000.00", "cnt": "1", "pric": "20000.00"}]})
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    await gateway.discharge("H211302T", psn_no, mdtrt_id)
    return mdtrt_id


async def _settle(gateway, psn_no: str, mdtrt_id: str) -> dict:
    settled, _ = await gateway.call("2304", "H211302T", {"data": {
        "psn_no": psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": "20000.00", "insutype": "390",
        "medins_setl_id": secrets.token_hex(8)}})
    assert settled["infcode"] == 0, settled["err_msg"]
    return settled["output"]["setlinfo"]


async def _stored(settings, psn_no: str) -> tuple[set[str], int]:
    """Setl ids in the database and the accumulator's inpatient pooled payments (fen)."""
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            ids = set((await conn.execute(text("SELECT setl_id FROM settlements WHERE psn_no = :p"),
                                          {"p": psn_no})).scalars())
            paid = await conn.scalar(text("SELECT inpatient_paid_fen FROM accumulators WHERE psn_no = :p"),
                                     {"p": psn_no})
        return ids, paid
    finally:
        await engine.dispose()


async def _versions(settings, psn_no: str) -> list[int]:
    """The accumulator versions the person's settlements stored, in order."""
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text("SELECT accumulator_version FROM settlements WHERE psn_no = :p "
                                                 "ORDER BY accumulator_version"), {"p": psn_no})).scalars())
    finally:
        await engine.dispose()


async def _claims_events(settings, psn_no: str, setl_ids: set[str], timeout: float = 120) -> list[CloudEvent]:
    """The person's settlement.completed events on the session's claims topic, read from the beginning until
    every one of ``setl_ids`` was seen, then, once the outbox has nothing left to publish, to the topic's end: a
    duplicate published at any time is among them."""
    consumer = AIOKafkaConsumer(settings.topic("medfund.claims.v1"), bootstrap_servers=settings.kafka_bootstrap,
                                group_id=None, auto_offset_reset="earliest", isolation_level="read_committed")
    await consumer.start()
    events: list[CloudEvent] = []

    def keep(records) -> None:
        events.extend(e for r in records if r.key == psn_no.encode()
                      for e in [CloudEvent.from_kafka(r)] if e.type == SettlementCompleted.event_type)

    async def all_seen() -> bool:
        for records in (await consumer.getmany(timeout_ms=500)).values():
            keep(records)
        return {e.data["setl_id"] for e in events} == setl_ids

    try:
        await wait_until(all_seen, "every settlement on the claims topic", timeout)
        await wait_until(lambda: _all_published(settings), "the outbox to publish every row", timeout)
        keep(await read_to_end(consumer, timeout))
    finally:
        await consumer.stop()
    return events


async def _all_published(settings) -> bool:
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")) == 0
    finally:
        await engine.dispose()


async def test_concurrent_settlements_for_one_person_never_exceed_the_annual_cap(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-04-01")
    admissions = [await _admission_ready_to_settle(gateway, psn, n) for n in range(SETTLEMENTS)]
    answers = await asyncio.gather(*(_settle(gateway, psn, m) for m in admissions))
    paid = sum(Decimal(str(a["hifp_pay"])) for a in answers)
    ids, accumulated_fen = await _stored(gateway.settings, psn)
    assert paid == ANNUAL_CAP and accumulated_fen == paid * 100
    assert ids == {a["setl_id"] for a in answers} and len(ids) == SETTLEMENTS
    assert await _versions(gateway.settings, psn) == list(range(1, SETTLEMENTS + 1)), \
        "each settlement stores the accumulator version it wrote, once each"


async def test_each_concurrent_settlement_is_published_on_the_claims_topic_exactly_once(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-04-01")
    admissions = [await _admission_ready_to_settle(gateway, psn, n) for n in range(SETTLEMENTS)]
    await asyncio.gather(*(_settle(gateway, psn, m) for m in admissions))
    ids, _ = await _stored(gateway.settings, psn)
    events = await _claims_events(gateway.settings, psn, ids)
    assert {e.data["setl_id"] for e in events} == ids
    assert len(events) == len({e.id for e in events}) == len(ids) == SETTLEMENTS
