"""The consumer runner applies each event exactly once and parks what it cannot apply."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from medfund_deploy.pytest_plugin import TestStack
from sqlalchemy import text

from medfund_shared.consumer import ConsumerRunner
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.outbox import OutboxRelay
from platform_testkit import alert, read_topic, scalar, wait_for, write_events

pytestmark = pytest.mark.integration
TOPIC = "medfund.alerts.v1"
WORKER = Path(__file__).with_name("consumer_worker.py")
EFFECTS = "CREATE TABLE effects (id bigserial PRIMARY KEY, event_id text NOT NULL, seq int NOT NULL)"


async def create_effects_table(sessions) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text(EFFECTS))


async def record_effect(session, event, data: AlertChanged) -> None:
    if data.rule == "poison":
        raise ValueError(f"cannot book alert {data.alert_id}")
    await session.execute(text("INSERT INTO effects (event_id, seq) VALUES (:id, :seq)"),
                          {"id": event.id, "seq": int(data.measure)})


async def test_each_event_is_applied_once_and_poison_is_parked(database, topic_settings):
    producer_url, _, producer_db = database("medfund_billing")
    consumer_url, _, consumer_db = database("medfund_ledger")
    settings = topic_settings(producer_url)
    await create_effects_table(consumer_db)
    await write_events(producer_db, range(50))
    await write_events(producer_db, range(50, 51), rule="poison")
    relay = OutboxRelay(settings, producer_db)
    relay_task = asyncio.create_task(relay.run())
    published = await read_topic(settings, TOPIC, 51)
    await _publish_raw(settings, published[:5])
    batches = []

    async def hook(_, events) -> None:
        batches.append(events)

    runner = ConsumerRunner("ledger-once", [TOPIC], {AlertChanged.event_type: record_effect}, consumer_db,
                            topic_settings(consumer_url), on_batch_applied=hook)
    task = asyncio.create_task(runner.run())
    try:
        await wait_for(lambda: _all_offsets_stored(consumer_db, 51 + 5 + 2), 60, "the consumer to reach the end")
    finally:
        task.cancel()
        relay_task.cancel()
    effects = await scalar(consumer_db, "SELECT count(*) FROM effects")
    distinct = await scalar(consumer_db, "SELECT count(DISTINCT event_id) FROM effects")
    parked = await _dead_letter_reasons(consumer_db)
    print(f"\nrecords 58 (51 events, 5 duplicates, 1 unknown type, 1 malformed): effects {effects}, "
          f"distinct {distinct}, dead letters {parked}")
    assert effects == distinct == 50
    assert sorted(parked) == ["ValueError: cannot book alert a-50", "malformed envelope"]
    assert await scalar(consumer_db, "SELECT count(*) FROM processed_events WHERE event_id = 'unknown-1'") == 1
    assert sum(len(b) for b in batches) == 50


async def test_exactly_once_across_a_killed_consumer_and_a_broker_restart(database, topic_settings, test_stack: TestStack,
                                                                        tmp_path):
    total = 2000
    producer_url, _, producer_db = database("medfund_billing")
    consumer_url, _, consumer_db = database("medfund_ledger")
    settings = topic_settings(producer_url)
    await create_effects_table(consumer_db)
    argv = [sys.executable, str(WORKER), consumer_url, settings.kafka_bootstrap, settings.topic_prefix,
            f"{settings.topic_prefix}ledger", "2"]
    log = (tmp_path / "worker.log").open("w")
    relay_task = asyncio.create_task(OutboxRelay(settings, producer_db).run())
    writer = asyncio.create_task(_write_steadily(producer_db, total))
    worker = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        await wait_for(lambda: _effects_at_least(consumer_db, 300), 90, "the worker to apply events")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        applied_when_killed = await scalar(consumer_db, "SELECT count(*) FROM effects")
        worker = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        await wait_for(lambda: _published_at_least(producer_db, total // 2), 90, "half the events to be published")
        await asyncio.to_thread(test_stack.restart_kafka)
        await writer
        await wait_for(lambda: _unpublished_is(producer_db, 0), 120, "the outbox to drain")
        await wait_for(lambda: _effects_at_least(consumer_db, total), 180, "every event to be applied")
        await asyncio.sleep(3)
    finally:
        worker.kill()
        worker.wait()
        relay_task.cancel()
        writer.cancel()
    outbox_rows = await scalar(producer_db, "SELECT count(*) FROM outbox")
    effects = await scalar(consumer_db, "SELECT count(*) FROM effects")
    distinct = await scalar(consumer_db, "SELECT count(DISTINCT event_id) FROM effects")
    processed = await scalar(consumer_db, "SELECT count(*) FROM processed_events")
    records = len(await read_topic(settings, TOPIC, total))
    print(f"\nexactly-once: outbox rows {outbox_rows}, records on topic {records}, applied before SIGKILL "
          f"{applied_when_killed}, effects {effects}, distinct effects {distinct}, processed ids {processed}")
    assert outbox_rows == effects == distinct == processed == total


async def _publish_raw(settings, events) -> None:
    """What a relay retry or a foreign producer may put on the topic: duplicates, unknown types, garbage."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        topic = settings.topic(TOPIC)
        for event in events:
            key, value, headers = event.to_kafka()
            await producer.send_and_wait(topic, value, key=key, headers=headers)
        unknown = alert(999).model_dump(mode="json")
        key, value, headers = events[0].model_copy(update={"id": "unknown-1", "type": "medfund.fund.future.v9",
                                                             "data": unknown}).to_kafka()
        await producer.send_and_wait(topic, value, key=key, headers=headers)
        await producer.send_and_wait(topic, b"not an event", key=b"x")
    finally:
        await producer.stop()


async def _all_offsets_stored(sessions, records: int) -> bool:
    return await scalar(sessions, "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets") >= records


async def _dead_letter_reasons(sessions) -> list[str]:
    async with sessions() as session:
        reasons = await session.scalars(text("SELECT reason FROM dead_letters"))
        return [r if not r.startswith("malformed envelope") else "malformed envelope" for r in reasons]


async def _write_steadily(sessions, total: int, chunk: int = 25) -> None:
    for start in range(0, total, chunk):
        await write_events(sessions, range(start, start + chunk))
        await asyncio.sleep(0.02)


async def _effects_at_least(sessions, n: int) -> bool:
    return await scalar(sessions, "SELECT count(*) FROM effects") >= n


async def _unpublished_is(sessions, n: int) -> bool:
    return await scalar(sessions, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == n


async def _published_at_least(sessions, n: int) -> bool:
    return await scalar(sessions, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= n
