"""The enrollment app in process on the real PostgreSQL and Kafka, with helpers to talk to it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text

from medfund_deploy.evidence import wait_consumed, wait_until
from medfund_enrollment.api.answer_models import PersonOut
from medfund_enrollment.main import create_app
from medfund_shared.auth import issue_token
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import PremiumPaidInFull
from medfund_shared.openapi import departures
from medfund_shared.settings import Settings


@dataclass
class Enrollment:
    client: httpx.AsyncClient
    settings: Settings
    producer: AIOKafkaProducer
    app: FastAPI

    async def pay(self, psn_no: str, admdvs: str, year: int, paid_at: datetime, premium_due: str = "0.00",
                  voucher: str | None = "V1", insutype: str = "390") -> None:
        """Put a real ``premium.paid_in_full`` event on this test's billing topic."""
        data = PremiumPaidInFull(psn_no=psn_no, admdvs=admdvs, insutype=insutype, year=year, paid_at=paid_at,
                                 tax_voucher_no=voucher, premium_due=premium_due)
        event = CloudEvent(source="medfund/billing", type=data.event_type, subject=psn_no, time=paid_at,
                           effectivetime=paid_at, partitionkey=psn_no, data=data.model_dump(mode="json"))
        key, value, headers = event.to_kafka()
        await self.producer.send_and_wait(self.settings.topic(data.topic), value, key=key, headers=headers)

    async def person(self, psn_no: str) -> dict:
        response = await self.client.get(f"/v1/persons/{psn_no}")
        assert response.status_code == 200, response.text
        assert not departures(PersonOut, response.json())
        return response.json()

    async def wait_for_status(self, psn_no: str, status: str, timeout: float = 90) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            person = await self.person(psn_no)
            if person["enrollments"][-1]["status"] == status:
                return person
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{psn_no} did not become {status}: {person}")
            await asyncio.sleep(0.2)

    async def wait_consumed(self) -> None:
        """Until enrollment consumed everything on this test's billing topic so far: the evidence that an event
        sent there was read, also when it changed nothing."""
        await wait_consumed(self.settings.database_url, self.settings.kafka_bootstrap,
                            [self.settings.topic(PremiumPaidInFull.topic)])

    async def wait_published(self) -> None:
        """Until enrollment's outbox has published every event it holds (then a topic read to its end has them)."""
        async def all_published() -> bool:
            async with self.app.state.context.session_factory() as session:
                return await session.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")) == 0

        await wait_until(all_published, "enrollment's outbox to publish every event")


@pytest.fixture(scope="module")
async def enrollment(test_stack, service_database) -> AsyncIterator[Enrollment]:
    """The service with a fresh database and a topic prefix of its own, as an operator."""
    settings = Settings(database_url=service_database("medfund_enrollment"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="enrollment")
    app = create_app(settings)
    token = issue_token(settings, "operator", subject="operator-7")
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    async with app.router.lifespan_context(app):
        await producer.start()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://enrollment",
                                     headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            try:
                yield Enrollment(client, settings, producer, app)
            finally:
                await producer.stop()
