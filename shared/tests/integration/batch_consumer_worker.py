"""The exactly-once test's consumer process with a batch handler: each batch's effects in one statement.

Run as ``python batch_consumer_worker.py <database_url> <bootstrap> <topic_prefix> <group> <delay_ms>``
(the delay is per event, slept after the batch's insert); the test SIGKILLs it mid-batch and starts it again.
"""

import asyncio
import sys

from sqlalchemy import text

from medfund_shared.consumer import BatchHandler, ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.logging import configure_logging
from medfund_shared.settings import Settings


def effects_handler(delay: float) -> BatchHandler:
    async def apply_many(session, items) -> None:
        await session.execute(text("INSERT INTO effects (event_id, seq) VALUES (:id, :seq)"),
                              [{"id": event.id, "seq": int(data.measure)} for event, data in items])
        await asyncio.sleep(delay * len(items))
    return BatchHandler(frozenset({"medfund.fund.alert.v1"}), apply_many)


async def main(url: str, bootstrap: str, prefix: str, group: str, delay_ms: str) -> None:
    configure_logging("WARNING")
    settings = Settings(database_url=url, kafka_bootstrap=bootstrap, topic_prefix=prefix, service_name="worker")
    engine = create_engine(settings)
    runner = ConsumerRunner(group, ["medfund.alerts.v1"], {}, create_session_factory(engine), settings,
                            batch_handler=effects_handler(int(delay_ms) / 1000))
    await runner.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
