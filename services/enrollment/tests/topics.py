"""Reading a test's own topic back from Kafka."""

import asyncio

from aiokafka import AIOKafkaConsumer

from medfund_deploy.evidence import read_to_end
from medfund_shared.events.envelope import CloudEvent


async def read_all(settings, topic: str) -> list[CloudEvent]:
    """Every event on the topic from offset 0 to the end, in each person's order."""
    name = settings.topic(topic)
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest", isolation_level="read_committed")
    await consumer.start()
    try:
        events = [CloudEvent.from_kafka(r) for r in await read_to_end(consumer)]
    finally:
        await consumer.stop()
    return list({e.id: e for e in events}.values())


async def events_about(settings, psn_no: str, event_type: str, count: int, timeout: float = 120) -> list[CloudEvent]:
    """The person's events of ``event_type`` (type suffix) once there are ``count`` of them, in order."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [e for e in await read_all(settings, "medfund.enrollment.v1")
                 if e.type.endswith(event_type) and e.data.get("psn_no") == psn_no]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.3)
