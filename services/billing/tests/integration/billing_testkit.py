"""Helpers for billing integration tests: the service under test, events in, events out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text

from medfund_deploy.evidence import read_published
from medfund_shared.auth import issue_token
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.money import Money
from medfund_shared.settings import Settings

OFFICE = "TAX500240"
ZHENJIANG_OFFICE = "13211000000"
"""A tax office of region 321100 (税务机关代码: 1 + division code + 4 digits)."""
ENROLLMENT = "medfund.enrollment.v1"
BILLING = "medfund.billing.v1"

@dataclass
class BillingUnderTest:
    client: httpx.AsyncClient
    settings: Settings
    app: object

    def headers(self, role: str = "tax", office: str = OFFICE) -> dict[str, str]:
        token = issue_token(self.settings, role, tax_office_code=office if role == "tax" else None)
        return {"Authorization": f"Bearer {token}"}

    async def publish(self, data: EventData, at: datetime) -> None:
        """An event on another service's topic, as that service's relay would publish it."""
        event = CloudEvent(source="medfund/enrollment", type=data.event_type, subject=data.subject(), time=at,
                           effectivetime=at, partitionkey=data.partition_key(), data=data.model_dump(mode="json"))
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, enable_idempotence=True)
        await producer.start()
        try:
            key, value, headers = event.to_kafka()
            await producer.send_and_wait(self.settings.topic(data.topic), value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def scalar(self, sql: str, **params):
        async with self.app.state.context.session_factory() as session:
            return await session.scalar(text(sql), params)

    async def wait_for(self, sql: str, expected, timeout: float = 120, **params) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while (value := await self.scalar(sql, **params)) != expected:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{sql} stayed {value!r}, expected {expected!r}")
            await asyncio.sleep(0.2)

    async def events(self, expected: int, timeout: float = 120) -> list[CloudEvent]:
        """Every billing event on this test's topic: once ``expected`` arrived and the outbox has nothing left to
        publish, read to the topic's end, so an event published twice is there twice."""
        consumer = AIOKafkaConsumer(self.settings.topic(BILLING), bootstrap_servers=self.settings.kafka_bootstrap,
                                    group_id=None, auto_offset_reset="earliest", isolation_level="read_committed")
        await consumer.start()
        try:
            records = await read_published(consumer, expected, self.settings.database_url, "billing events", timeout)
        finally:
            await consumer.stop()
        return [CloudEvent.from_kafka(r) for r in records]

    async def batch_done(self, batch_id: str, timeout: float = 120) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            report = (await self.client.get(f"/v1/collections/batches/{batch_id}", headers=self.headers())).json()
            if report["status"] == "done":
                return report
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"batch still {report}")
            await asyncio.sleep(0.2)


def by_type(events: list[CloudEvent], suffix: str) -> list[dict]:
    return [e.data for e in events if e.type == f"medfund.billing.{suffix}.v1"]


REGISTERED_AT = datetime(2025, 11, 2, 9, 0, tzinfo=CHINA_TIME)


def record(voucher: str, certno: str = "500240199001011234", amount: str = "140.00", **overrides) -> dict:
    return {"tax_voucher_no": voucher, "certno": certno, "psn_name": "张三", "insutype": "390", "admdvs": "500240",
            "period_year": 2026, "amount": amount, "paid_at": "2025-11-20T10:15:00+08:00",
            "tax_office_code": OFFICE, "channel": "wechat"} | overrides


def registered(psn_no: str, certno: str, premium_due: str = "140.00", on_behalf_due: str = "0.00",
               category: str = "adult") -> PersonRegistered:
    return PersonRegistered(
        psn_no=psn_no, certno=certno, psn_name="张三", gend="1", brdy=date(1990, 1, 1), admdvs="500240", insutype="390",
        year=2026, household_id="H1", category=category, tier="tier1", enrollment_kind="renewal",
        premium_due=Money.from_yuan(premium_due), on_behalf_due=Money.from_yuan(on_behalf_due),
        pack_id="500240-390-2026-01-01")


async def register(billing: BillingUnderTest, person: PersonRegistered) -> None:
    await billing.publish(person, REGISTERED_AT)
    await billing.wait_for("SELECT count(*) FROM premium_accounts WHERE psn_no = :p", 1, p=person.psn_no)


def employee_registered(psn_no: str, certno: str, brdy: date, kind: str, employer_code: str | None = "EMP1",
                        gend: str = "1", pension: str | None = None, year: int = 2026) -> PersonRegistered:
    """Enrollment's event for a 310 member of 321100 (in_service, retired or flexible)."""
    return PersonRegistered(
        psn_no=psn_no, certno=certno, psn_name="李四", gend=gend, brdy=brdy, admdvs="321100", insutype="310",
        year=year, household_id=f"H-{psn_no}", category="employee", tier=None, enrollment_kind="new",
        premium_due=Money.zero(), on_behalf_due=Money.zero(), pack_id="321100-310-2013-01-01",
        employee_kind=kind, employer_code=None if kind == "flexible" else employer_code,
        contribution_years=30 if kind == "retired" else None,
        monthly_pension=Money.from_yuan(pension) if pension else None)


async def register_employee(billing: BillingUnderTest, person: PersonRegistered) -> None:
    await billing.publish(person, REGISTERED_AT)
    await billing.wait_for("SELECT count(*) FROM employee_members WHERE psn_no = :p", 1, p=person.psn_no)
