"""A consumer process for the exactly-once test: applies alert events to an ``effects`` table.

Run as ``python consumer_worker.py <database_url> <bootstrap> <topic_prefix> <group> <delay_ms>``;
the test SIGKILLs it mid-batch and starts it again.
"""

import asyncio
import sys

from sqlalchemy import text

from medfund_shared.consumer import ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.logging import configure_logging
from medfund_shared.settings import Settings


def effect_handler(delay: float):
    async def apply(session, event, data) -> None:
        await session.execute(text("INSERT INTO effects (event_id, seq) VALUES (:id, :seq)"),
                              {"id": event.id, "seq": int(data.measure)})
        await asyncio.sleep(delay)
    return apply


async def main(url: str, bootstrap: str, prefix: str, group: str, delay_ms: str) -> None:
    configure_logging("WARNING")
    settings = Settings(database_url=url, kafka_bootstrap=bootstrap, topic_prefix=prefix, service_name="worker")
    engine = create_engine(settings)
    handlers = {"medfund.fund.alert.v1": effect_handler(int(delay_ms) / 1000)}
    runner = ConsumerRunner(group, ["medfund.alerts.v1"], handlers, create_session_factory(engine), settings)
    await runner.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
