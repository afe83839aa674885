"""What an operator sees is current: an alert's measure is the pool's, each region keeps its own clock,
and nothing stored makes the pool list fail."""

from __future__ import annotations

from datetime import datetime

import ledger_events as ev
import pytest
from sqlalchemy import text

from medfund_shared.db import create_engine

pytestmark = pytest.mark.integration
POOL = "500240:390100:2026"
OTHER_REGION_POOL = "500241:390100:2026"


def instant(text_time: str) -> datetime:
    return datetime.fromisoformat(text_time)


async def burn_alert(ledger, state: str = "firing") -> dict:
    alerts = (await ledger.client.get("/v1/alerts", params={"state": state})).json()
    [alert] = [a for a in alerts if a["rule"] == "burn_pace" and a["subject_id"] == POOL]
    return alert


async def pool(ledger, pool_id: str = POOL) -> dict:
    response = await ledger.client.get(f"/v1/pools/{pool_id}")
    assert response.status_code == 200
    return response.json()


async def changes_of(ledger, rule: str, subject_id: str) -> list[dict]:
    engine = create_engine(ledger.settings)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT payload FROM alert_changes ORDER BY id"))
            return [p for (p,) in rows if p["rule"] == rule and p["subject_id"] == subject_id]
    finally:
        await engine.dispose()


async def spend_ahead_of_plan(ledger) -> None:
    """1,200,000 collected in December; 300,000 of the 600,000 planned spent by 31 March: burn_pace red."""
    await ledger.client.put(f"/v1/pools/{POOL}/budget",
                            json={"budget_due": "1200000.00", "planned_expenditure": "600000.00"})
    await ledger.publish(ev.contribution("500240", 2026, "1200000.00", ev.at(2025, 12, 10)), ev.at(2025, 12, 10))
    for month in (1, 2, 3):
        when = ev.at(2026, month, 28 if month == 2 else 31)
        await ledger.publish(ev.settlement("500240", 2026, "H1", "11", "100000.00", when), when)
    await ledger.wait_applied()


async def test_a_firing_alert_shows_the_latest_measure_of_its_pool_and_publishes_only_changes(ledger):
    await spend_ahead_of_plan(ledger)
    first, shown = await burn_alert(ledger), await pool(ledger)
    # 300,000 / 600,000 - (89 days + 10 hours) / 365 = 0.5 - 0.2450 = 0.2550
    assert (first["severity"], first["measure"]) == ("red", "0.2550")
    assert first["measure"] == shown["measures"]["burn_pace"]
    assert instant(first["evaluated_at"]) == instant(shown["measures"]["business_time"]) == ev.at(2026, 3, 31)

    published = await changes_of(ledger, "burn_pace", POOL)
    when = ev.at(2026, 4, 2)
    await ledger.publish(ev.settlement("500240", 2026, "H1", "11", "12000.00", when), when)
    await ledger.wait_applied()
    later, shown = await burn_alert(ledger), await pool(ledger)
    # 312,000 / 600,000 - (91 days + 10 hours) / 365 = 0.52 - 0.2505 = 0.2695: still red, measure fresh
    assert (later["alert_id"], later["severity"], later["measure"]) == (first["alert_id"], "red", "0.2695")
    assert later["measure"] == shown["measures"]["burn_pace"]
    assert instant(later["evaluated_at"]) == instant(shown["measures"]["business_time"]) == ev.at(2026, 4, 2)
    assert later["evidence"] == first["evidence"], "the evidence stays the events that tipped the alert"
    assert await changes_of(ledger, "burn_pace", POOL) == published, "an unchanged severity publishes nothing"


async def test_an_alert_whose_measure_becomes_undefined_resolves_saying_why(ledger):
    await spend_ahead_of_plan(ledger)
    fired = await burn_alert(ledger)
    no_plan = await ledger.client.put(f"/v1/pools/{POOL}/budget",
                                      json={"budget_due": "1200000.00", "planned_expenditure": "0.00"})
    assert no_plan.status_code == 200 and no_plan.json()["measures"]["burn_pace"] is None
    resolved = await burn_alert(ledger, "resolved")
    assert (resolved["alert_id"], resolved["measure"]) == (fired["alert_id"], None)
    assert resolved["message"] == "measure undefined: the pool has no planned expenditure"
    last = (await changes_of(ledger, "burn_pace", POOL))[-1]
    assert (last["state"], last["measure"], last["message"]) == ("resolved", None, resolved["message"])


async def test_an_event_dated_today_in_one_region_leaves_another_regions_clock_and_alerts_alone(ledger):
    await spend_ahead_of_plan(ledger)
    before = await burn_alert(ledger)
    # another county books a subsidy dated the day it was registered (no enrolment date given)
    today = ev.at(2026, 11, 30, 15)
    await ledger.publish(ev.subsidy("500241", 2026, {"central": "300.00"}, today), today)
    await ledger.wait_applied()
    assert (await pool(ledger, OTHER_REGION_POOL))["measures"]["business_time"] == "2026-11-30T15:00:00+08:00"
    assert (await pool(ledger))["measures"]["business_time"] == "2026-03-31T10:00:00+08:00"
    after = await burn_alert(ledger)
    assert (after["measure"], after["evaluated_at"]) == (before["measure"], before["evaluated_at"])

    # a budget change in the first county evaluates its pool at its own clock, not the other county's
    await ledger.client.put(f"/v1/pools/{POOL}/budget",
                            json={"budget_due": "1200000.00", "planned_expenditure": "590000.00"})
    assert instant((await burn_alert(ledger))["evaluated_at"]) == ev.at(2026, 3, 31)


async def test_a_pool_stored_with_a_year_out_of_range_leaves_the_pool_list_answering(ledger):
    await spend_ahead_of_plan(ledger)
    engine = create_engine(ledger.settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO pools (pool_id, admdvs, fund_pay_type, year) "
                                    "VALUES ('500240:390100:9999', '500240', '390100', 9999)"))
            entry = await conn.scalar(text("INSERT INTO journal_entries (entry_key, kind, origin, effective_date) "
                                           "VALUES ('stray', 'contribution_received', 'event', '2026-03-01') "
                                           "RETURNING id"))
            await conn.execute(text("INSERT INTO journal_lines (entry_id, pool_id, account, amount) VALUES "
                                    "(:e, '500240:390100:9999', 'cash', 100), "
                                    "(:e, '500240:390100:9999', 'income:contribution:individual', -100)"), {"e": entry})
            await conn.execute(text("INSERT INTO account_balances (pool_id, account, amount) VALUES "
                                    "('500240:390100:9999', 'cash', 100), "
                                    "('500240:390100:9999', 'income:contribution:individual', -100)"))
    finally:
        await engine.dispose()
    listing = await ledger.client.get("/v1/pools")
    assert listing.status_code == 200
    stray = next(p for p in listing.json() if p["pool_id"] == "500240:390100:9999")
    assert (stray["income"], stray["measures"]["elapsed_fraction"]) == ("1.00", "0.0000")
    assert (await ledger.client.get("/v1/statistics", params={"admdvs": "500240", "year": 2026})).status_code == 200
