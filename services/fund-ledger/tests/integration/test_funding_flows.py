"""Every pool funded from events: the catastrophic premium transferred by itself per covered person-year,
assistance appropriations, sponsorship (资助参保) paid by medical assistance, an operator's transfer and a
clearing, each an event on a topic; the rebuild replays events only and comes out EQUAL.

Hand figures (500240, 2026; the pack finances catastrophic insurance with 30.00 a covered person):
- 390100: income 350.00 paid + 140.00 sponsored + 140.00 by the government = 630.00;
  expenditure 2 x 30.00 catastrophic + 2,000.00 inpatient + 10.00 transferred by an operator = 2,070.00.
- 390200: income 60.00 + 10.00 = 70.00; expenditure 500.00 catastrophic benefit.
- 610100: income 3,000,000.00 civil affairs + 500,000.00 finance = 3,500,000.00;
  expenditure 140.00 sponsorship + 1,200.00 assistance benefit = 1,340.00.
"""

from __future__ import annotations

import asyncio
import json

import ledger_events as ev
import pytest
from aiokafka import AIOKafkaConsumer

from medfund_deploy.evidence import read_published
from medfund_ledger.adapters.rebuild import rebuild

pytestmark = pytest.mark.integration
POOLED, CATASTROPHIC, ASSISTANCE = "500240:390100:2026", "500240:390200:2026", "500240:610100:2026"
HOSPITAL = "H500240101"


async def pool_reaches(ledger, pool_id: str, field: str, value: str, timeout: float = 120.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await ledger.client.get(f"/v1/pools/{pool_id}")
        if answer.status_code == 200 and answer.json()[field] == value:
            return answer.json()
        assert asyncio.get_running_loop().time() < deadline, f"{pool_id} {field}: {answer.text}"
        await asyncio.sleep(0.2)


async def ledger_topic(ledger, expected: int, timeout: float = 120.0) -> list:
    """The ledger topic's records once ``expected`` arrived and the outbox published every row, read to the end:
    a record published twice is there twice."""
    consumer = AIOKafkaConsumer(ledger.settings.topic("medfund.ledger.v1"),
                                bootstrap_servers=ledger.settings.kafka_bootstrap, auto_offset_reset="earliest",
                                group_id=None, enable_auto_commit=False, isolation_level="read_committed")
    await consumer.start()
    try:
        return await read_published(consumer, expected, ledger.settings.database_url, "records on the ledger topic",
                                    timeout)
    finally:
        await consumer.stop()


def figures(pool: dict) -> tuple[str, str, str, str]:
    return pool["income"], pool["expenditure"], pool["balance"], pool["payable"]


async def test_each_pool_is_funded_by_events_and_the_rebuild_replays_them_equal(ledger, service_database):
    for psn_no in ("PA", "PB"):
        await ledger.publish(ev.coverage("500240", 2026, psn_no), ev.at(2025, 12, 1))
    money = [ev.contribution("500240", 2026, "350.00", ev.at(2025, 11, 20)),
             ev.on_behalf("500240", 2026, "140.00", ev.at(2025, 11, 21), payer="medical_assistance"),
             ev.on_behalf("500240", 2026, "140.00", ev.at(2025, 11, 22)),
             ev.appropriation("500240", 2026, "3000000.00", ev.at(2026, 1, 15)),
             ev.appropriation("500240", 2026, "500000.00", ev.at(2026, 2, 10), source="finance")]
    for data in money:
        await ledger.publish(data, getattr(data, "paid_at", None) or data.received_at)
    for fund, paid, med_type in (("390100", "2000.00", "21"), ("390200", "500.00", "21"), ("610100", "1200.00", "21")):
        when = ev.at(2026, 3, 10)
        await ledger.publish(ev.settlement("500240", 2026, HOSPITAL, med_type, paid, when, fund_pay_type=fund), when)
    await ledger.wait_applied()
    await pool_reaches(ledger, CATASTROPHIC, "income", "60.00")

    transfer = {"transfer_id": "ops-2026-03", "to_pool_id": CATASTROPHIC, "amount": "10.00",
                "effective_date": "2026-03-31", "memo": "top-up"}
    assert (await ledger.client.post(f"/v1/pools/{POOLED}/transfers", json=transfer)).status_code == 200
    cleared = await ledger.client.post(f"/v1/institutions/{HOSPITAL}/clearing", json={"period": "2026-03"})
    assert cleared.json()["total"] == "3700.00"

    assert figures((await ledger.client.get(f"/v1/pools/{POOLED}")).json()) == (
        "630.00", "2070.00", "-1440.00", "0.00")
    assert figures((await ledger.client.get(f"/v1/pools/{CATASTROPHIC}")).json()) == (
        "70.00", "500.00", "-430.00", "0.00")
    assert figures((await ledger.client.get(f"/v1/pools/{ASSISTANCE}")).json()) == (
        "3500000.00", "1340.00", "3498660.00", "0.00")

    records = await ledger_topic(ledger, 4)
    kinds = sorted((json.loads(r.value).get("reason", "clearing"), dict(r.headers)["ce_type"].decode())
                   for r in records)
    assert kinds == [("catastrophic_financing", "medfund.ledger.transfer.booked.v1")] * 2 + [
        ("clearing", "medfund.ledger.clearing.booked.v1"), ("operator", "medfund.ledger.transfer.booked.v1")]

    result = await rebuild(ledger.settings, service_database("medfund_ledger"))
    assert result.equal, result.summary()
    assert result.rebuilt_entries == len(money) + 3 + 2 + 1 + 1, "money, settlements, catastrophic, operator, clearing"


async def test_a_second_activation_of_the_same_person_year_finances_catastrophic_insurance_once(ledger):
    first = await ledger.publish(ev.coverage("500240", 2026, "PC"), ev.at(2026, 1, 5))
    await ledger.publish(ev.coverage("500240", 2026, "PC"), ev.at(2026, 4, 5))
    await ledger.resend(first)
    await ledger.publish(ev.coverage("500240", 2026, "PD"), ev.at(2026, 4, 6))
    await ledger.wait_applied()
    await ledger.wait_consumed()
    pool = (await ledger.client.get(f"/v1/pools/{CATASTROPHIC}")).json()
    assert pool["income"] == "60.00", "three activations and two transfer events (one per person-year) applied"
