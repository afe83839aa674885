"""With PostgreSQL down a service answers 503 with Retry-After (never 500) and is unready; it recovers by itself.
With Kafka out of reach it stays ready (the outbox keeps the events) and reports the broker elsewhere."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from medfund_deploy.evidence import wait_until
from medfund_deploy.pytest_plugin import TestStack
from medfund_shared.context import SessionDep
from medfund_shared.kafka import KafkaProbe, ensure_topics
from medfund_shared.service import ServiceDefinition, create_service_app

pytestmark = pytest.mark.integration


def _definition() -> ServiceDefinition:
    router = APIRouter()

    @router.get("/outbox-size")
    async def outbox_size(session: SessionDep) -> dict:
        return {"rows": await session.scalar(text("SELECT count(*) FROM outbox"))}

    return ServiceDefinition(name="outage-probe", package="medfund_billing", routers=[router],
                             migrate_on_startup=False)


async def test_a_database_outage_is_503_with_retry_after_then_recovers(database, topic_settings,
                                                                      test_stack: TestStack):
    url, _, _ = database("medfund_billing")
    app = create_service_app(_definition(), topic_settings(url, "outage-probe"))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        assert (await client.get("/outbox-size")).json() == {"rows": 0}
        await asyncio.to_thread(test_stack.stop_postgres)
        try:
            # the pooled connection dies first, then every new connection finds no server (socket or port)
            for _ in range(3):
                answer = await client.get("/outbox-size")
                assert answer.status_code == 503, answer.text
                assert answer.headers["retry-after"] == "1" and answer.headers["x-correlation-id"]
                assert answer.json()["error"]["code"] == "unavailable"
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["down"] == ["database"]
            assert ready.headers["retry-after"] == "1"
            details = await client.get("/healthz/details")
            assert details.status_code == 200 and details.json()["database"] == {"up": False}
        finally:
            await asyncio.to_thread(test_stack.start_postgres)

        async def served() -> bool:
            return (await client.get("/outbox-size")).status_code == 200

        await wait_until(served, "the service to serve again once the database is back", 60)
        assert (await client.get("/readyz")).status_code == 200



async def test_a_broker_that_cannot_be_reached_leaves_the_service_ready_and_shows_in_the_details(database,
                                                                                                 topic_settings):
    url, _, _ = database("medfund_billing")
    settings = topic_settings(url, "kafka-probe").model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})
    app = create_service_app(_definition(), settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:

        async def broker_seen_down() -> bool:
            return (await client.get("/healthz/details")).json()["kafka"]["up"] is False

        await wait_until(broker_seen_down, "the background probe to find the broker down", 30)
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "down": []}
        details = (await client.get("/healthz/details")).json()
        assert details["ready"] is True and details["database"] == {"up": True} and details["kafka"]["since"]
        assert (await client.get("/outbox-size")).status_code == 200
        assert 'medfund_kafka_up{service="kafka-probe"} 0.0' in (await client.get("/metrics")).text


async def test_the_broker_probe_asks_for_the_brokers_and_no_topic(database, topic_settings):
    url, _, _ = database("medfund_billing")
    settings = topic_settings(url, "kafka-probe")
    await ensure_topics(settings, ["probe.seen"])
    probe = KafkaProbe(settings)
    try:
        assert await probe.check() is True
        answer = await probe.metadata()
        assert len(answer.brokers) >= 1 and answer.topics == []
    finally:
        await probe.close()
