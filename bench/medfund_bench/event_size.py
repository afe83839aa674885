"""The size of the events on a topic, measured: the Kafka limit is taken for records of it."""

from __future__ import annotations

from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from medfund_deploy.topics import PARTITIONS
from medfund_shared.events.types.claims import SettlementCompleted

CLAIMS_TOPIC = "medfund.claims.v1"
TYPE_HEADER = "ce_type"
FETCH_TIMEOUT_MS = 5000


def record_bytes(record: ConsumerRecord) -> int:
    """Bytes a record carries: key, value and headers (names and values)."""
    return (len(record.key or b"") + len(record.value or b"")
            + sum(len(name.encode()) + len(value or b"") for name, value in record.headers or ()))


def is_settlement(record: ConsumerRecord) -> bool:
    return dict(record.headers or ()).get(TYPE_HEADER) == SettlementCompleted.event_type.encode()


async def settlement_event_bytes(bootstrap: str, per_partition: int) -> float:
    """Mean size of the settlement.completed records among the last ``per_partition`` of each claims partition."""
    return await mean_record_bytes(bootstrap, [CLAIMS_TOPIC], per_partition, is_settlement)


async def mean_record_bytes(bootstrap: str, topics: list[str], per_partition: int,
                            wanted_record: Callable[[ConsumerRecord], bool] = lambda _record: True) -> float:
    """Mean size of the ``wanted_record`` ones among the last ``per_partition`` records of each partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for topic in topics for p in range(PARTITIONS)]
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        beginning = await consumer.beginning_offsets(partitions)
        wanted = {}
        for tp in partitions:
            start = max(beginning[tp], end[tp] - per_partition)
            if start < end[tp]:
                consumer.seek(tp, start)
                wanted[tp] = end[tp]
            else:
                consumer.pause(tp)
        sizes: list[int] = []
        while wanted:
            batches = await consumer.getmany(*wanted, timeout_ms=FETCH_TIMEOUT_MS)
            if not batches:
                raise RuntimeError(f"no records came from {', '.join(topics)} in {FETCH_TIMEOUT_MS} ms")
            for tp, records in batches.items():
                sizes += [record_bytes(r) for r in records if wanted_record(r) and r.offset < wanted[tp]]
            for tp in list(wanted):
                if await consumer.position(tp) >= wanted[tp]:
                    del wanted[tp]
                    consumer.pause(tp)
        if not sizes:
            raise RuntimeError(f"no record to measure on {', '.join(topics)}")
        return sum(sizes) / len(sizes)
    finally:
        await consumer.stop()
