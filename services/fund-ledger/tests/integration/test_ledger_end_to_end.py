"""The ledger against the real stack: seed 004 half year, institution budgets, replay, rebuild, alerts topic."""

from __future__ import annotations

import asyncio
import json

import ledger_events as ev
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from medfund_ledger.adapters.rebuild import rebuild
from medfund_shared.db import create_engine
from medfund_shared.events.envelope import CloudEvent

pytestmark = pytest.mark.integration
POOL = "500240:390100:2026"
HOSPITAL = "H500240001"


def seed_004_events():
    """Raised 101,212,100 of 134,191,600 due; spent 62,518,100 (inpatient 50,026,800, outpatient 12,040,400,
    child major illness 450,800 as special-disease outpatient, and the 100 yuan the seed's rounded parts miss)."""
    income = [ev.contribution("500240", 2026, "10000000.00", ev.at(2025, m, 15)) for m in (10, 11, 12)]
    income += [ev.on_behalf("500240", 2026, "1212100.00", ev.at(2025, 12, 20)),
               ev.subsidy("500240", 2026, {"central": "40000000.00", "provincial": "15000000.00",
                                           "county": "15000000.00"}, ev.at(2026, 3, 10))]
    spending = []
    for month in range(1, 7):
        day = 30 if month == 6 else 20
        spending.append(ev.settlement("500240", 2026, HOSPITAL, "21", "8337800.00", ev.at(2026, month, day, 9)))
        outpatient = "2006733.35" if month == 6 else "2006733.33"
        spending.append(ev.settlement("500240", 2026, HOSPITAL, "11", outpatient, ev.at(2026, month, day, 12)))
    spending += [ev.settlement("500240", 2026, HOSPITAL, "14", "225400.00", ev.at(2026, m, 25)) for m in (2, 5)]
    spending.append(ev.settlement("500240", 2026, HOSPITAL, "52", "100.00", ev.at(2026, 6, 30, 18)))
    return income, spending


async def catastrophic_financed(ledger, income: str, timeout: float = 120.0) -> None:
    """Until the catastrophic pool's income (the transfers the activations made due) is ``income``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (answer := await ledger.client.get("/v1/pools/500240:390200:2026")).status_code != 200 \
            or answer.json()["income"] != income:
        assert asyncio.get_running_loop().time() < deadline, f"catastrophic pool: {answer.text}"
        await asyncio.sleep(0.2)


async def firing(ledger, subject_id: str) -> dict[str, str]:
    alerts = (await ledger.client.get("/v1/alerts", params={"state": "firing"})).json()
    return {a["rule"]: a["severity"] for a in alerts if a["subject_id"] == subject_id}


async def alerts_on_topic(ledger) -> list:
    consumer = AIOKafkaConsumer(ledger.settings.topic("medfund.alerts.v1"),
                                bootstrap_servers=ledger.settings.kafka_bootstrap,
                                auto_offset_reset="earliest", group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        records = []
        for _ in range(10):
            batch = await consumer.getmany(timeout_ms=1000)
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


async def count(ledger, sql: str) -> int:
    engine = create_engine(ledger.settings)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


async def test_seed_004_half_year_gives_the_pool_figures_and_the_alerts_its_thresholds_say(ledger, service_database):
    client = ledger.client
    budget = {"budget_due": "134191600.00", "planned_expenditure": "134191600.00"}
    assert (await client.put(f"/v1/pools/{POOL}/budget", json=budget)).status_code == 200
    limits = {"rules": {"large_claim": {"yellow": "10000000.00", "red": "20000000.00"}}}
    assert (await client.put(f"/v1/pools/{POOL}/thresholds", json=limits)).status_code == 200
    income, spending = seed_004_events()
    await ledger.publish(ev.institution(HOSPITAL, "500240", "200000000.00"), ev.at(2025, 9, 1))
    await ledger.publish(ev.population("500240", 2026, 470000), ev.at(2025, 9, 1))
    for n in range(3):
        await ledger.publish(ev.coverage("500240", 2026, f"C{n}"), ev.at(2026, 1, 1))
    for data in income:
        await ledger.publish(data, data.paid_at if hasattr(data, "paid_at") else data.allocated_at)
    for data in spending:
        await ledger.publish(data, data.setl_time)
    await ledger.wait_applied()
    await catastrophic_financed(ledger, "90.00")

    pool = (await client.get(f"/v1/pools/{POOL}")).json()
    assert (pool["income"], pool["expenditure"], pool["balance"], pool["payable"]) == (
        "101212100.00", "62518190.00", "38693910.00", "62518100.00"), "benefits 62,518,100 and 3 x 30 catastrophic"
    assert pool["budget"] == budget
    assert pool["measures"]["collection_rate"] == "0.7542"
    assert pool["measures"]["burn_pace"] == "-0.0293"
    # the clock is at 30 June 18:00: 180.75 of 365 days gone; 62,518,100 spent runs to
    # 62,518,100 x 365 / 180.75 = 126,246,785.62 by year end, plus the 90 catastrophic premium paid up front,
    # against the 101,212,100 collected up front
    assert pool["measures"]["current_deficit"] == "25034775.62"
    assert pool["measures"]["over_accumulation"] == "-0.2473"
    # 38,693,910 held over April-June's 31,259,100.01 / 3 a month
    assert pool["measures"]["reserve_months"] == "3.71"
    assert await firing(ledger, POOL) == {"current_deficit": "yellow", "reserve_months": "yellow"}
    for alert in (await client.get("/v1/alerts", params={"state": "firing"})).json():
        if alert["subject_id"] == POOL:
            assert alert["measure"] == pool["measures"][alert["rule"]], alert["rule"]
    assert await firing(ledger, HOSPITAL) == {}

    stats = (await client.get("/v1/statistics", params={"admdvs": "500240", "year": 2026})).json()
    assert (stats["collection_rate"], stats["spent_of_due"], stats["insured"], stats["eligible"]) == (
        "0.7542", "0.4659", 3, 470000)
    assert stats["fund_pay_per_inpatient_settlement"] == "8337800.00"

    past = (await client.get(f"/v1/pools/{POOL}", params={"as_of": "2025-12-31"})).json()
    assert (past["income"], past["expenditure"]) == ("31212100.00", "0.00")

    budget["planned_expenditure"] = "110000000.00"
    await client.put(f"/v1/pools/{POOL}/budget", json=budget)
    assert (await firing(ledger, POOL))["burn_pace"] == "yellow"

    entries, changes = await count(ledger, "SELECT count(*) FROM journal_entries"), \
        await count(ledger, "SELECT count(*) FROM alert_changes")
    for event in list(ledger.sent):
        await ledger.resend(event)
    await ledger.wait_consumed()
    assert await count(ledger, "SELECT count(*) FROM journal_entries") == entries == len(income) + len(spending) + 3
    assert await count(ledger, "SELECT count(*) FROM alert_changes") == changes
    assert (await client.get(f"/v1/pools/{POOL}")).json()["balance"] == "38693910.00"

    cleared = await client.post(f"/v1/institutions/{HOSPITAL}/clearing", json={"period": "2026-06"})
    assert cleared.json()["total"] == "62518100.00"
    again = await client.post(f"/v1/institutions/{HOSPITAL}/clearing", json={"period": "2026-06"})
    assert again.json() == cleared.json()
    transfer = {"transfer_id": "cat-2026-h1", "to_pool_id": "500240:390200:2026", "amount": "5000000.00",
                "effective_date": "2026-06-30"}
    assert (await client.post(f"/v1/pools/{POOL}/transfers", json=transfer)).status_code == 200
    assert (await client.post(f"/v1/pools/{POOL}/transfers", json=transfer | {"amount": "1.00"})).status_code == 409
    pool = (await client.get(f"/v1/pools/{POOL}")).json()
    assert (pool["payable"], pool["expenditure"]) == ("0.00", "67518190.00")
    stats = (await client.get("/v1/statistics", params={"admdvs": "500240", "year": 2026})).json()
    assert stats["expenditure"] == "67518190.00"
    by_fund = {p["fund_pay_type"]: p for p in stats["pools"]}
    assert list(by_fund) == ["390100", "390200"]
    assert (by_fund["390100"]["expenditure"], by_fund["390100"]["payable"], by_fund["390100"]["budget_due"]) == (
        "67518190.00", "0.00", "134191600.00")
    assert (by_fund["390200"]["income"], by_fund["390200"]["balance"], by_fund["390200"]["pool_id"]) == (
        "5000090.00", "5000090.00", "500240:390200:2026")

    result = await rebuild(ledger.settings, service_database("medfund_ledger"))
    assert result.equal, result.summary()
    assert result.rebuilt_entries == len(income) + len(spending) + 3 + 2

    records = await alerts_on_topic(ledger)
    burn = [r for r in records if r.key == f"burn_pace:{POOL}".encode()]
    assert burn, "no burn_pace alert on the alerts topic"
    data = json.loads(burn[0].value)
    assert (data["rule"], data["subject_type"], data["subject_id"], data["severity"], data["state"]) == (
        "burn_pace", "pool", POOL, "yellow", "firing")
    assert dict(burn[0].headers)["ce_type"] == b"medfund.fund.alert.v1"


async def test_an_institution_over_80_then_100_percent_of_budget_fires_yellow_then_red_and_resolves_on_increase(ledger):
    code = "H500240009"
    await ledger.publish(ev.institution(code, "500240", "1000000.00"), ev.at(2026, 1, 1))
    for day in range(1, 11):
        when = ev.at(2026, 3, day)
        await ledger.publish(ev.settlement("500240", 2026, code, "21", "85000.00", when), when)
    await ledger.wait_applied()
    assert await firing(ledger, code) == {"institution_budget": "yellow"}
    for day in (11, 12):
        when = ev.at(2026, 3, day)
        await ledger.publish(ev.settlement("500240", 2026, code, "21", "100000.00", when), when)
    await ledger.wait_applied()
    assert await firing(ledger, code) == {"institution_budget": "red"}
    alert = next(a for a in (await ledger.client.get("/v1/alerts")).json() if a["subject_id"] == code)
    assert (alert["measure"], alert["threshold"]) == ("1.0500", "1.00")
    assert len(alert["evidence"]) >= 1

    ack = await ledger.client.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "called the hospital"},
                                   headers={"Authorization": f"Bearer {ledger.token('operator')}"})
    assert (ack.json()["state"], ack.json()["acked_by"]) == ("acknowledged", "operator-tester")
    retry = await ledger.client.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "called the hospital"})
    assert retry.json() == ack.json()
    other = await ledger.client.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "another note"})
    assert other.status_code == 409 and other.json()["error"]["field"] == "note"
    on_topic = [CloudEvent.from_kafka(r).data for r in await alerts_on_topic(ledger)]
    assert [(d["acked_by"], d["ack_note"]) for d in on_topic if d["alert_id"] == alert["alert_id"]
            and d["state"] == "acknowledged"] == [("operator-tester", "called the hospital")], "who and the note"

    await ledger.client.put(f"/v1/institutions/{code}/budget", json={"year": 2026, "annual_budget": "2000000.00"})
    assert await firing(ledger, code) == {}
    resolved = (await ledger.client.get("/v1/alerts", params={"state": "resolved"})).json()
    assert [a["rule"] for a in resolved if a["subject_id"] == code] == ["institution_budget"]


async def test_bad_input_gets_a_clear_4xx_and_roles_are_enforced(ledger):
    client = ledger.client
    bad_id = await client.get("/v1/pools/nonsense")
    assert bad_id.status_code == 422 and bad_id.json()["error"]["field"] == "pool_id"
    assert (await client.get("/v1/pools/500240:390100:2031")).status_code == 404
    floats = await client.put(f"/v1/pools/{POOL}/budget", json={"budget_due": 1.5, "planned_expenditure": "1"})
    assert floats.status_code == 422
    period = await client.post(f"/v1/institutions/{HOSPITAL}/clearing", json={"period": "2026-13"})
    assert period.status_code == 422 and period.json()["error"]["field"] == "period"
    rule = await client.put(f"/v1/pools/{POOL}/thresholds", json={"rules": {"nope": {"yellow": "1", "red": "2"}}})
    assert rule.status_code == 422
    operator = {"Authorization": f"Bearer {ledger.token('operator')}"}
    assert (await client.put(f"/v1/pools/{POOL}/budget", json={"budget_due": "1", "planned_expenditure": "1"},
                             headers=operator)).status_code == 403
    assert (await client.get("/v1/pools", headers={"Authorization": ""})).status_code == 401
