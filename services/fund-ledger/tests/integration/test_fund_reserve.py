"""What a fund holds: ``reserve_months`` is one computation for the alert, the pool and the statistics, and a
balance a fund held before the ledger kept it is carried in as an event (docs/fund-alerts.md, docs/funding.md).

Hand figures (500240:390100, clock 31 March 2026 10:00): 1,200,000.00 collected for 2026 in December, 100,000.00
spent in each of January, February and March (the last three months: 100,000.00 a month).
"""

from __future__ import annotations

from decimal import Decimal

import ledger_events as ev
import pytest
from test_funding_flows import ledger_topic

from medfund_ledger.adapters.rebuild import rebuild

pytestmark = pytest.mark.integration
POOL, NEXT_YEAR = "500240:390100:2026", "500240:390100:2027"


async def collect_and_spend(ledger, *, next_year_premiums: str | None = None) -> None:
    events = [(ev.contribution("500240", 2026, "1200000.00", ev.at(2025, 12, 10)), ev.at(2025, 12, 10))]
    if next_year_premiums is not None:
        events.append((ev.contribution("500240", 2027, next_year_premiums, ev.at(2026, 3, 20)), ev.at(2026, 3, 20)))
    for month in (1, 2, 3):
        when = ev.at(2026, month, 28 if month == 2 else 31)
        events.append((ev.settlement("500240", 2026, "H1", "21", "100000.00", when), when))
    for data, when in events:
        await ledger.publish(data, when)
    await ledger.wait_applied()


async def reserve_months_everywhere(ledger) -> tuple[str, str, str, str]:
    """(the pool's measure, the firing alert's, the statistics' top figure, the statistics' pool figure)."""
    pool = (await ledger.client.get(f"/v1/pools/{POOL}")).json()
    [alert] = [a for a in (await ledger.client.get("/v1/alerts", params={"state": "firing"})).json()
               if a["rule"] == "reserve_months" and a["subject_id"] == POOL]
    stats = (await ledger.client.get("/v1/statistics", params={"admdvs": "500240", "year": 2026})).json()
    [listed] = [p for p in stats["pools"] if p["pool_id"] == POOL]
    return pool["measures"]["reserve_months"], alert["measure"], stats["reserve_months"], listed["reserve_months"]


async def test_statistics_show_the_reserve_months_the_alert_and_the_pool_show(ledger):
    # yellow below 13 months, so the alert fires and carries its measure
    limits = {"rules": {"reserve_months": {"yellow": "13", "red": "3"}}}
    assert (await ledger.client.put(f"/v1/pools/{POOL}/thresholds", json=limits)).status_code == 200
    await collect_and_spend(ledger, next_year_premiums="300000.00")
    # holdings: 2026's 1,200,000 - 300,000 plus 2027's premiums collected in March, 300,000 = 1,200,000;
    # ÷ 100,000 a month = 12.00 (the balance through 2026 alone would give 9.00)
    assert await reserve_months_everywhere(ledger) == ("12.00", "12.00", "12.00", "12.00")


async def test_a_balance_brought_forward_is_held_by_the_fund_and_replayed_by_the_rebuild(ledger, service_database):
    body = {"amount": "600000.00", "voucher_no": "JZ-2025-12-31"}
    booked = await ledger.client.post(f"/v1/pools/{POOL}/brought-forward", json=body)
    assert booked.status_code == 200, booked.text
    assert booked.json() == {"pool_id": POOL, "amount": "600000.00", "effective_date": "2026-01-01",
                             "voucher_no": "JZ-2025-12-31"}
    assert (await ledger.client.post(f"/v1/pools/{POOL}/brought-forward", json=body)).json() == booked.json()
    other = await ledger.client.post(f"/v1/pools/{POOL}/brought-forward", json=body | {"amount": "1.00"})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    later = await ledger.client.post(f"/v1/pools/{NEXT_YEAR}/brought-forward", json=body)
    # the ledger keeps 2026 of this fund: its balance into 2027 is the ledger's own
    assert (later.status_code, later.json()["error"]["code"]) == (409, "already_kept")
    zero = await ledger.client.post(f"/v1/pools/{POOL}/brought-forward", json={"amount": "0.00"})
    assert (zero.status_code, zero.json()["error"]["field"]) == (422, "amount")

    await collect_and_spend(ledger)
    pool = (await ledger.client.get(f"/v1/pools/{POOL}")).json()
    assert (pool["brought_forward"], pool["income"], pool["expenditure"], pool["balance"]) == (
        "600000.00", "1200000.00", "300000.00", "1500000.00")
    # what the fund holds: 600,000 brought forward + 900,000 of the year = 1,500,000, 15 months of 100,000
    assert pool["measures"]["reserve_months"] == "15.00"
    months = (await ledger.client.get(f"/v1/pools/{POOL}/months")).json()["months"]
    assert [(m["month"], m["balance"]) for m in months] == [
        ("2025-12", "1800000.00"), ("2026-01", "1700000.00"), ("2026-02", "1600000.00"), ("2026-03", "1500000.00")]
    # projected year end: income 1,200,000 (collected up front), expenditure 300,000 ÷ elapsed (89 days 10 hours)
    elapsed = (Decimal(89) + Decimal(10) / 24) / 365
    expenditure = Decimal(300000) / elapsed
    annual = ((Decimal(1200000) - expenditure) / Decimal(1200000)).quantize(Decimal("0.0001"))
    cumulative = ((Decimal(600000) + Decimal(1200000) - expenditure) / Decimal(1200000)).quantize(Decimal("0.0001"))
    assert (pool["measures"]["over_accumulation.annual_surplus_ratio"],
            pool["measures"]["over_accumulation.cumulative_surplus_ratio"]) == (str(annual), str(cumulative))

    kinds = [r.headers for r in await ledger_topic(ledger, 1)]
    assert [dict(h)["ce_type"] for h in kinds] == [b"medfund.ledger.balance.brought_forward.v1"]
    result = await rebuild(ledger.settings, service_database("medfund_ledger"))
    assert result.equal, result.summary()
    assert result.rebuilt_entries == 1 + 1 + 3, "brought forward, contribution, settlements"
