"""Years and dates out of the business range are refused at the ledger's doors; /readyz reports an
alert evaluation that keeps failing."""

from __future__ import annotations

import asyncio

import ledger_events as ev
import pytest
from sqlalchemy import text

from medfund_shared.db import create_engine

pytestmark = pytest.mark.integration
POOL = "500240:390100:2026"


async def execute(ledger, sql: str, **params):
    engine = create_engine(ledger.settings)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return result.all() if result.returns_rows else None
    finally:
        await engine.dispose()


@pytest.mark.parametrize("method, path, body, field", [
    ("put", "/v1/institutions/H1/budget", {"year": 9999, "annual_budget": "100.00"}, "year"),
    ("put", "/v1/institutions/H1/budget", {"year": 1989, "annual_budget": "100.00"}, "year"),
    ("put", "/v1/pools/500240:390100:9999/budget", {"budget_due": "1.00", "planned_expenditure": "1.00"}, "pool_id"),
    ("put", "/v1/pools/500240:390100:1900/thresholds", {"rules": {"burn_pace": {"yellow": "0.1", "red": "0.2"}}},
     "pool_id"),
    ("post", f"/v1/pools/{POOL}/transfers", {"transfer_id": "t1", "to_pool_id": "500240:390200:2026",
                                             "amount": "1.00", "effective_date": "9999-01-01"}, "effective_date"),
    ("post", f"/v1/pools/{POOL}/transfers", {"transfer_id": "t2", "to_pool_id": "500240:390200:9999",
                                             "amount": "1.00", "effective_date": "2026-01-01"}, "to_pool_id"),
    ("post", "/v1/institutions/H1/clearing", {"period": "9999-01"}, "period"),
    ("put", "/v1/institutions/H1/budget", {"year": 2026, "annual_budget": "-1.00"}, "annual_budget"),
    ("put", f"/v1/pools/{POOL}/budget", {"budget_due": "-1.00", "planned_expenditure": "1.00"}, "budget_due"),
])
async def test_admin_commands_out_of_range_or_negative_get_a_clear_422_and_change_nothing(ledger, method, path, body,
                                                                                        field):
    response = await getattr(ledger.client, method)(path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert await execute(ledger, "SELECT pool_id FROM pools") == []
    assert await execute(ledger, "SELECT fixmedins_code FROM institution_budgets") == []


async def test_a_money_event_for_year_9999_is_parked_and_the_pool_list_stays_up(ledger):
    await ledger.publish(ev.contribution("500240", 9999, "100.00", ev.at(2026, 1, 10)), ev.at(2026, 1, 10))
    await ledger.publish(ev.contribution("500240", 2026, "100.00", ev.at(2026, 1, 10)), ev.at(2026, 1, 10))
    await ledger.wait_applied()
    [(reason,)] = await execute(ledger, "SELECT reason FROM dead_letters")
    assert "year must fall in the years 1990-2100, got 9999" in reason
    listing = await ledger.client.get("/v1/pools")
    assert listing.status_code == 200 and [p["pool_id"] for p in listing.json()] == [POOL]


async def readiness(ledger) -> tuple[int, dict]:
    response = await ledger.client.get("/readyz")
    return response.status_code, response.json()


async def wait_for_readiness(ledger, status: int, timeout: float = 120.0) -> dict:
    for _ in range(int(timeout * 2)):
        code, body = await readiness(ledger)
        if code == status:
            return body
        await asyncio.sleep(0.5)
    raise AssertionError(f"/readyz never answered {status}: {body}")


async def test_readyz_reports_an_alert_evaluation_that_keeps_failing_and_recovers_with_it(ledger):
    assert (await readiness(ledger))[0] == 200
    # a queued evaluation of an entry booked on a pool id no rule can read fails on every attempt
    await execute(ledger, "INSERT INTO journal_entries (entry_key, kind, origin, effective_date) "
                          "VALUES ('poison', 'contribution_received', 'event', '2026-01-10')")
    await execute(ledger, "INSERT INTO journal_lines (entry_id, pool_id, account, amount) "
                          "SELECT id, 'no-such-pool', 'cash', 0 FROM journal_entries WHERE entry_key = 'poison'")
    await execute(ledger, "INSERT INTO pending_evaluations (event_id) VALUES ('poison')")
    body = await wait_for_readiness(ledger, 503)
    assert body["down"] == ["alert_evaluation"]
    assert body["reasons"]["alert_evaluation"].startswith("3 consecutive failures")
    assert "alert_evaluation" in body["error"]["message"]

    await execute(ledger, "DELETE FROM pending_evaluations WHERE event_id = 'poison'")
    assert (await wait_for_readiness(ledger, 200))["down"] == []
