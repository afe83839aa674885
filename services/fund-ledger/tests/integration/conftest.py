"""A real ledger (uvicorn in this process) on a fresh database and its own topics; a producer of real events."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from medfund_deploy.evidence import wait_consumed, wait_until
from medfund_deploy.instances import served_in_process as served
from medfund_ledger.adapters.handlers import TOPICS
from medfund_ledger.main import definition
from medfund_shared.auth import issue_token
from medfund_shared.db import create_engine
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.registry import lookup
from medfund_shared.kafka import ensure_topics
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
import ledger_events  # noqa: E402

pytestmark = pytest.mark.integration
ALL_TOPICS = {"medfund.billing.v1", "medfund.claims.v1", "medfund.enrollment.v1", "medfund.alerts.v1",
              "medfund.ledger.v1"}


@dataclass
class Ledger:
    settings: Settings
    url: str
    client: httpx.AsyncClient
    producer: AIOKafkaProducer
    sent: list[CloudEvent]

    def token(self, role: str = "admin") -> str:
        return issue_token(self.settings, role, subject=f"{role}-tester")

    async def publish(self, data: EventData, at, event_id: str | None = None) -> CloudEvent:
        """Put one event on its topic exactly as a producer's outbox relay would."""
        event = ledger_events.envelope(data, at, event_id)
        key, value, headers = event.to_kafka()
        await self.producer.send_and_wait(self.settings.topic(data.topic), value, key=key, headers=headers)
        self.sent.append(event)
        return event

    async def resend(self, event: CloudEvent) -> None:
        """The same event again (same id): what a relay retry or a replay delivers."""
        key, value, headers = event.to_kafka()
        await self.producer.send_and_wait(self.settings.topic(lookup(event.type).topic), value, key=key,
                                          headers=headers)

    async def wait_applied(self, timeout: float = 120.0) -> None:
        """Until the consumer has processed, by id, every event this test published and every event the ledger put
        on a topic it consumes itself (its outbox: a transfer it booked for a catastrophic premium, an operator's
        transfer), and the alert evaluator has taken every event it queued (the queue is emptied in the transaction
        that evaluates)."""
        engine = create_engine(self.settings)
        published = sorted({event.id for event in self.sent})

        async def applied_and_evaluated() -> bool:
            async with engine.connect() as conn:
                missing = await conn.scalar(text(
                    "SELECT count(*) FROM (SELECT unnest(CAST(:ids AS text[])) AS event_id "
                    "UNION SELECT event_id::text FROM outbox WHERE topic = ANY(:topics)) AS wanted "
                    "WHERE NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = wanted.event_id)"),
                    {"ids": published, "topics": TOPICS})
                queued = await conn.scalar(text("SELECT count(*) FROM pending_evaluations"))
            return missing == 0 and queued == 0

        try:
            await wait_until(applied_and_evaluated, f"the {len(published)} published events and the ledger's own "
                             "applied and evaluated", timeout)
        finally:
            await engine.dispose()

    async def wait_consumed(self) -> None:
        """Until the ledger's consumer stored offsets past everything sent so far, copies included: the evidence
        that a copy was read (and skipped), where ``processed_events`` does not grow."""
        topics = {self.settings.topic(lookup(event.type).topic) for event in self.sent}
        await wait_consumed(self.settings.database_url, self.settings.kafka_bootstrap, topics, consumer="fund-ledger")
        await self.wait_applied()


@pytest.fixture
def ledger_peers() -> dict[str, str]:
    """The other services the ledger's console asks for their operations views (``Settings.service_urls``): none
    unless a test module overrides this fixture."""
    return {}


@pytest.fixture
async def ledger(test_stack, service_database, ledger_peers):
    settings = Settings(database_url=service_database("medfund_ledger"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="fund-ledger",
                        service_urls=ledger_peers)
    await ensure_topics(settings, ALL_TOPICS)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        async with served(create_service_app(definition(), settings)) as url, \
                httpx.AsyncClient(base_url=url, timeout=30) as client:
            ledger = Ledger(settings, url, client, producer, [])
            client.headers["Authorization"] = f"Bearer {ledger.token()}"
            yield ledger
    finally:
        await producer.stop()
