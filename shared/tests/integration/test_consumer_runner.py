"""The consumer runner applies each event exactly once and parks what it cannot apply."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from platform_testkit import SUBJECTS, alert, published_at_least, read_topic, scalar, unpublished_is, write_events
from sqlalchemy import text

from medfund_deploy.evidence import wait_consumed, wait_until
from medfund_deploy.pytest_plugin import TestStack
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.consumer import BatchHandler, ConsumerRunner
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.alerts import TOPIC, AlertChanged
from medfund_shared.events.types.enrollment import EligiblePopulationSet
from medfund_shared.kafka import ensure_topics
from medfund_shared.outbox import OutboxRelay, new_event
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
WORKER = Path(__file__).with_name("consumer_worker.py")
BATCH_WORKER = Path(__file__).with_name("batch_consumer_worker.py")
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
        await wait_until(lambda: _all_offsets_stored(consumer_db, 51 + 5 + 2), "the consumer to reach the end", 60)
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


async def record_effects(session, items) -> None:
    """The batch form of :func:`record_effect`: one statement for every event, refused whole by one poison event."""
    for _, data in items:
        if data.rule == "poison":
            raise ValueError(f"cannot book alert {data.alert_id}")
    await session.execute(text("INSERT INTO effects (event_id, seq) VALUES (:id, :seq)"),
                          [{"id": event.id, "seq": int(data.measure)} for event, data in items])


async def test_a_batch_handler_applies_each_event_once_and_poison_parks_only_itself(database, topic_settings):
    producer_url, _, producer_db = database("medfund_billing")
    consumer_url, _, consumer_db = database("medfund_ledger")
    settings = topic_settings(producer_url)
    await create_effects_table(consumer_db)
    await write_events(producer_db, range(25))
    await write_events(producer_db, range(25, 26), rule="poison")
    await write_events(producer_db, range(26, 51))
    relay_task = asyncio.create_task(OutboxRelay(settings, producer_db).run())
    published = await read_topic(settings, TOPIC, 51)
    await _publish_raw(settings, published[:5])
    batches, calls = [], []

    async def hook(_, events) -> None:
        batches.append(events)

    async def apply_many(session, items) -> None:
        calls.append(len(items))
        await record_effects(session, items)

    runner = ConsumerRunner("ledger-batch-once", [TOPIC], {}, consumer_db, topic_settings(consumer_url),
                            on_batch_applied=hook, batch_handler=BatchHandler(frozenset({AlertChanged.event_type}),
                                                                              apply_many))
    task = asyncio.create_task(runner.run())
    try:
        await wait_until(lambda: _all_offsets_stored(consumer_db, 51 + 5 + 2), "the consumer to reach the end", 60)
    finally:
        task.cancel()
        relay_task.cancel()
    effects = await scalar(consumer_db, "SELECT count(*) FROM effects")
    distinct = await scalar(consumer_db, "SELECT count(DISTINCT event_id) FROM effects")
    print(f"\nbatch handler, records 58: effects {effects}, distinct {distinct}, apply_many sizes {calls}")
    assert effects == distinct == 50
    parked = sorted(await _dead_letter_reasons(consumer_db))
    assert parked == ["ValueError: cannot book alert a-25", "malformed envelope"]
    assert await scalar(consumer_db, "SELECT count(*) FROM processed_events") == 51 + 1
    assert sum(len(b) for b in batches) == 50
    assert max(calls) > 1, "the batch handler never got more than one event"
    for subject, seqs in (await _seqs_per_subject(consumer_db)).items():
        assert seqs == sorted(seqs), f"events of {subject} applied out of order"


async def test_a_failed_batch_is_retried_event_by_event_and_keeps_each_partitions_order(database):
    """One partition mixes batchable alerts and a per-event type; a poison alert fails its batch; a duplicate id
    and an id processed before are skipped. Every partition's effects keep their record order."""
    consumer_url, _, consumer_db = database("medfund_ledger")
    await create_effects_table(consumer_db)
    async with consumer_db() as session, session.begin():
        await session.execute(text("INSERT INTO processed_events (consumer, event_id) VALUES ('mixed', 'a-8')"))
    calls = []

    async def apply_many(session, items) -> None:
        calls.append([int(data.measure) for _, data in items])
        await record_effects(session, items)

    async def record_population(session, event, data: EligiblePopulationSet) -> None:
        await session.execute(text("INSERT INTO effects (event_id, seq) VALUES (:id, :seq)"),
                              {"id": event.id, "seq": data.eligible})

    first = [_alert_event(0), _alert_event(1), _population_event(2), _alert_event(3), _alert_event(4, "poison"),
             _alert_event(5)]
    second = [_population_event(6), first[1], _alert_event(7), _alert_event(8)]
    runner = ConsumerRunner("mixed", [TOPIC], {EligiblePopulationSet.event_type: record_population}, consumer_db,
                            Settings(database_url=consumer_url),
                            batch_handler=BatchHandler(frozenset({AlertChanged.event_type}), apply_many))
    applied = await runner.apply_batch({TopicPartition(TOPIC, 0): _records(TOPIC, 0, first),
                                        TopicPartition(TOPIC, 1): _records(TOPIC, 1, second)})

    assert calls == [[0, 1], [3, 4, 5, 7], [3], [4], [5], [7]]
    assert [event.id for event in applied] == ["a-0", "a-1", "p-2", "a-3", "a-5", "p-6", "a-7"]
    async with consumer_db() as session:
        order = [seq for seq, in await session.execute(text("SELECT seq FROM effects ORDER BY id"))]
    assert [seq for seq in order if seq <= 5] == [0, 1, 2, 3, 5] and [seq for seq in order if seq > 5] == [6, 7]
    assert await _dead_letter_reasons(consumer_db) == ["ValueError: cannot book alert a-4"]
    assert await scalar(consumer_db, "SELECT count(*) FROM processed_events") == 9


def _alert_event(seq: int, rule: str = "burn_pace") -> CloudEvent:
    data = alert(seq, rule)
    return new_event(data, source="medfund/test", effective_time=data.evaluated_at).model_copy(
        update={"id": f"a-{seq}"})


def _population_event(seq: int) -> CloudEvent:
    data = EligiblePopulationSet(admdvs="500240", year=2026, eligible=seq, actor="test")
    return new_event(data, source="medfund/test", effective_time=datetime(2026, 7, 1, tzinfo=CHINA_TIME)).model_copy(
        update={"id": f"p-{seq}"})


def _records(topic: str, partition: int, events: list[CloudEvent]) -> list[SimpleNamespace]:
    """Kafka records as the broker delivers them (what ``getmany`` returns for one partition)."""
    out = []
    for offset, event in enumerate(events):
        key, value, headers = event.to_kafka()
        out.append(SimpleNamespace(topic=topic, partition=partition, offset=offset, key=key, value=value,
                                   headers=headers))
    return out


async def _seqs_per_subject(sessions) -> dict[str, list[int]]:
    async with sessions() as session:
        seqs = [seq for seq, in await session.execute(text("SELECT seq FROM effects ORDER BY id"))]
    per_subject: dict[str, list[int]] = {}
    for seq in seqs:
        per_subject.setdefault(SUBJECTS[seq % len(SUBJECTS)], []).append(seq)
    return per_subject


async def test_exactly_once_across_a_killed_consumer_and_a_broker_restart(database, topic_settings,
                                                                        test_stack: TestStack, tmp_path):
    await _exactly_once_across_a_kill_and_a_broker_restart(database, topic_settings, test_stack, tmp_path, WORKER)


async def test_a_batch_handler_is_exactly_once_across_a_killed_consumer_and_a_broker_restart(
        database, topic_settings, test_stack: TestStack, tmp_path):
    await _exactly_once_across_a_kill_and_a_broker_restart(database, topic_settings, test_stack, tmp_path,
                                                           BATCH_WORKER)


async def _exactly_once_across_a_kill_and_a_broker_restart(database, topic_settings, test_stack: TestStack, tmp_path,
                                                           worker_script: Path) -> None:
    total = 2000
    producer_url, _, producer_db = database("medfund_billing")
    consumer_url, _, consumer_db = database("medfund_ledger")
    settings = topic_settings(producer_url)
    await create_effects_table(consumer_db)
    argv = [sys.executable, str(worker_script), consumer_url, settings.kafka_bootstrap, settings.topic_prefix,
            f"{settings.topic_prefix}ledger", "2"]
    log = (tmp_path / "worker.log").open("w")
    relay_task = asyncio.create_task(OutboxRelay(settings, producer_db).run())
    writer = asyncio.create_task(_write_steadily(producer_db, total))
    worker = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        await wait_until(lambda: _effects_at_least(consumer_db, 300), "the worker to apply events", 90)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        applied_when_killed = await scalar(consumer_db, "SELECT count(*) FROM effects")
        worker = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        await wait_until(lambda: published_at_least(producer_db, total // 2), "half the events to be published", 90)
        await asyncio.to_thread(test_stack.restart_kafka)
        await writer
        await wait_until(lambda: unpublished_is(producer_db, 0), "the outbox to drain", 120)
        await wait_until(lambda: _effects_at_least(consumer_db, total), "every event to be applied", 180)
        await wait_consumed(consumer_url, settings.kafka_bootstrap, [settings.topic(TOPIC)],
                            consumer=f"{settings.topic_prefix}ledger", timeout=180)
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
    print(f"\nexactly-once ({worker_script.stem}): outbox rows {outbox_rows}, records on topic {records}, "
          f"applied before SIGKILL {applied_when_killed}, effects {effects}, distinct effects {distinct}, "
          f"processed ids {processed}")
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




async def test_an_event_of_a_type_no_handler_wants_is_known_by_its_headers_and_counted_once(database, topic_settings):
    """Its body is never read: here it is not even JSON, and it is recorded as processed (once, though sent
    twice), not parked; a record of a handled type with that body is parked, as before."""
    consumer_url, _, consumer_db = database("medfund_ledger")
    settings = topic_settings(consumer_url)
    await create_effects_table(consumer_db)
    day = datetime(2026, 3, 1, tzinfo=CHINA_TIME)
    event = CloudEvent(source="medfund/test", type=AlertChanged.event_type, subject="a-1", time=day,
                       effectivetime=day, partitionkey="a-1", data=alert(1).model_dump(mode="json"))
    await ensure_topics(settings, [TOPIC])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for event_id, event_type in (("other-1", "medfund.fund.other.v1"), ("other-1", "medfund.fund.other.v1"),
                                     ("bad-1", AlertChanged.event_type)):
            key, _, headers = event.model_copy(update={"id": event_id, "type": event_type}).to_kafka()
            await producer.send_and_wait(settings.topic(TOPIC), b"not json", key=key, headers=headers)
    finally:
        await producer.stop()
    runner = ConsumerRunner("ledger-ignores", [TOPIC], {AlertChanged.event_type: record_effect}, consumer_db, settings)
    task = asyncio.create_task(runner.run())
    try:
        await wait_until(lambda: _all_offsets_stored(consumer_db, 3), "the consumer to reach the end", 60)
    finally:
        task.cancel()
    assert await scalar(consumer_db, "SELECT count(*) FROM processed_events WHERE event_id = 'other-1'") == 1
    assert await scalar(consumer_db, "SELECT count(*) FROM processed_events WHERE event_id = 'bad-1'") == 0
    assert await _dead_letter_reasons(consumer_db) == ["malformed envelope"]
