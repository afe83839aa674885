"""Two billing processes on one database and broker: a tax file is applied once, by one owner at a time, and a
SIGKILLed owner's batch is finished by the other once its lease has expired (issue 22)."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_deploy.instances import ServiceInstance
from medfund_shared.auth import issue_token
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.kafka import ensure_topics
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
OFFICE = "TAX500240"
LINES = 8_000
LEASE_SECONDS = 8
"""Long enough that a chunk on this shared, busy machine never outlasts it (a live owner is never taken over)."""
FIELDS = ["tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount", "paid_at",
          "tax_office_code", "channel"]


def tax_file(tag: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    for n in range(LINES):
        writer.writerow({"tax_voucher_no": f"{tag}{n:07d}", "certno": f"5002401990{n:08d}", "psn_name": "张三",
                         "insutype": "390", "admdvs": "500240", "period_year": "2026", "amount": "140.00",
                         "paid_at": "2025-11-20T10:15:00+08:00", "tax_office_code": OFFICE,
                         "channel": "bank_deduction"})
    return out.getvalue().encode()


class TwoInstances:
    def __init__(self, settings: Settings, first: ServiceInstance, second: ServiceInstance) -> None:
        self.settings, self.instances = settings, [first, second]
        self.engine = create_async_engine(settings.database_url)
        token = issue_token(settings, "tax", tax_office_code=OFFICE)
        self.headers = {"Authorization": f"Bearer {token}"}

    async def scalar(self, sql: str, **params):
        async with self.engine.connect() as connection:
            return await connection.scalar(text(sql), params)

    async def upload(self, instance: ServiceInstance, body: bytes, key: str) -> str:
        async with httpx.AsyncClient(base_url=instance.url, timeout=120) as client:
            answer = await client.post("/v1/collections/batches", content=body,
                                       headers={**self.headers, "Content-Type": "text/csv", "Idempotency-Key": key})
        assert answer.status_code == 202, answer.text
        return answer.json()["batch_id"]

    async def report(self, instance: ServiceInstance, batch_id: str, timeout: float = 240) -> dict:
        """The batch's report once it is done, asked of ``instance``."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(base_url=instance.url, timeout=30) as client:
            while True:
                report = (await client.get(f"/v1/collections/batches/{batch_id}", headers=self.headers)).json()
                if report["status"] == "done":
                    return report
                assert asyncio.get_running_loop().time() < deadline, f"batch still {report}"
                await asyncio.sleep(0.3)

    async def owner_pid(self, batch_id: str, timeout: float = 60) -> int:
        """The pid of the instance holding the batch, once it has committed a chunk."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            owner = await self.scalar("SELECT owner FROM batches WHERE batch_id = :b AND last_line > 0", b=batch_id)
            if owner is not None:
                return int(owner.split(":")[1])
            assert asyncio.get_running_loop().time() < deadline, "no instance took the batch"
            await asyncio.sleep(0.1)

    async def published_vouchers(self, expected: int, timeout: float = 120) -> tuple[list[str], set[str]]:
        """(voucher of each contribution.received record on the topic, distinct event ids), once ``expected``
        distinct events arrived and nothing more came for a while."""
        consumer = AIOKafkaConsumer(self.settings.topic("medfund.billing.v1"),
                                    bootstrap_servers=self.settings.kafka_bootstrap, group_id=None,
                                    auto_offset_reset="earliest", isolation_level="read_committed")
        await consumer.start()
        vouchers, ids = [], set()
        try:
            loop = asyncio.get_running_loop()
            deadline, quiet_until = loop.time() + timeout, None
            while loop.time() < deadline and (quiet_until is None or loop.time() < quiet_until):
                batch = await consumer.getmany(timeout_ms=300)
                for records in batch.values():
                    for record in records:
                        event = CloudEvent.from_kafka(record)
                        if event.id not in ids and event.type == "medfund.billing.contribution.received.v1":
                            vouchers.append(event.data["tax_voucher_no"])
                        ids.add(event.id)
                if len(ids) >= expected and quiet_until is None:
                    quiet_until = loop.time() + 2
        finally:
            await consumer.stop()
        return vouchers, ids


@pytest.fixture
async def two_billings(service_database, test_stack, tmp_path) -> AsyncIterator[TwoInstances]:
    settings = Settings(database_url=service_database("medfund_billing"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="billing",
                        batch_lease_seconds=LEASE_SECONDS, batch_heartbeat_seconds=0.5, batch_poll_seconds=0.5)
    await ensure_topics(settings, {"medfund.enrollment.v1", "medfund.billing.v1"})
    env = {"MEDFUND_DATABASE_URL": settings.database_url, "MEDFUND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "MEDFUND_TOPIC_PREFIX": settings.topic_prefix, "MEDFUND_BATCH_LEASE_SECONDS": str(LEASE_SECONDS),
           "MEDFUND_BATCH_HEARTBEAT_SECONDS": "0.5", "MEDFUND_BATCH_POLL_SECONDS": "0.5",
           "MEDFUND_BILLING_BATCH_CHUNK_LINES": "500", "MEDFUND_ENV": "development"}
    instances = [ServiceInstance("medfund_billing", env, tmp_path / f"billing-{n}.log") for n in (1, 2)]
    try:
        for instance in instances:
            await asyncio.to_thread(instance.start)
        both = TwoInstances(settings, *instances)
        yield both
        await both.engine.dispose()
    finally:
        for instance in instances:
            await asyncio.to_thread(instance.stop)


async def test_one_file_sent_to_both_instances_is_applied_once_with_exact_counts(two_billings):
    first, second = two_billings.instances
    body = tax_file("TWO")
    batch_ids = await asyncio.gather(two_billings.upload(first, body, "file-1"),
                                     two_billings.upload(second, body, "file-1"))
    assert batch_ids[0] == batch_ids[1]
    report = await two_billings.report(second, batch_ids[0])
    assert (report["received"], report["accepted"], report["duplicates"], report["rejected_total"]) == \
        (LINES, LINES, 0, 0)
    assert await two_billings.scalar("SELECT count(*) FROM payments") == LINES
    assert await two_billings.scalar("SELECT sum(received) FROM batch_chunks") == LINES
    vouchers, _ = await two_billings.published_vouchers(LINES)
    assert sorted(vouchers) == [f"TWO{n:07d}" for n in range(LINES)]


async def test_a_sigkilled_owners_batch_is_finished_by_the_other_after_its_lease_with_exact_counts(two_billings):
    batch_id = await two_billings.upload(two_billings.instances[0], tax_file("KIL"), "file-2")
    owner_pid = await two_billings.owner_pid(batch_id)
    killed = next(i for i in two_billings.instances if i.pid == owner_pid)
    survivor = next(i for i in two_billings.instances if i.pid != owner_pid)
    await asyncio.to_thread(killed.kill)
    applied_at_kill = await two_billings.scalar("SELECT last_line FROM batches WHERE batch_id = :b", b=batch_id)
    assert applied_at_kill < LINES + 1, "the owner finished before it was killed: nothing was taken over"
    report = await two_billings.report(survivor, batch_id)
    assert (report["received"], report["accepted"], report["duplicates"], report["rejected_total"]) == \
        (LINES, LINES, 0, 0)
    assert await two_billings.scalar("SELECT count(*) FROM payments") == LINES
    assert await two_billings.scalar("SELECT count(*) FROM batch_chunks") == LINES // 500
    assert await two_billings.scalar("SELECT count(*) FROM outbox") == LINES
    vouchers, _ = await two_billings.published_vouchers(LINES)
    assert sorted(vouchers) == [f"KIL{n:07d}" for n in range(LINES)]
