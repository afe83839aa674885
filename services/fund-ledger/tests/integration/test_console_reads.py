"""The read endpoints the console uses, through HTTP on a real ledger: a pool's months, an alert with its history
and evidence, a settlement with its journal entries, the budget meters, the names table, the operations view
and the pool stream.

The fund (by hand): Shizhu's resident pool 500240:390100:2026 collects 900,000.00 on 2025-12-01 and 20,000.00 on
2026-03-02; hospital H500240031 (global budget 200,000.00 for 2026) settles 90,000.00 on 2026-02-03 and
80,000.00 on 2026-03-04. Months: 2025-12 income 900,000.00, balance 900,000.00; 2026-02 expenditure 90,000.00,
balance 810,000.00; 2026-03 income 20,000.00, expenditure 80,000.00, balance 750,000.00. The hospital used
170,000 ÷ 200,000 = 0.8500 of its budget (yellow ``institution_budget``, over 0.80), tipped by the second
settlement.
"""

from __future__ import annotations

import asyncio
import json

import ledger_events as ev
import pytest

from medfund_ledger.api.read_models import JournalPageOut, PoolOut, StatisticsOut
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
CODE, POOL = "H500240031", "500240:390100:2026"


async def fund(ledger) -> list:
    """The events in three steps, each applied and evaluated before the next is sent: their keys (hospital, persons)
    put them on different partitions, which the ledger may consume in any order, and the evidence asserted below
    is that of the second settlement tipping the hospital's budget, known from its registration before."""
    sent = [await ledger.publish(ev.institution(CODE, "500240", "200000.00"), ev.at(2026, 1, 1))]
    await ledger.wait_applied()
    sent += [
        await ledger.publish(ev.contribution("500240", 2026, "900000.00", ev.at(2025, 12, 1)), ev.at(2025, 12, 1)),
        await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "90000.00", ev.at(2026, 2, 3)),
                             ev.at(2026, 2, 3)),
    ]
    await ledger.wait_applied()
    sent += [
        await ledger.publish(ev.contribution("500240", 2026, "20000.00", ev.at(2026, 3, 2)), ev.at(2026, 3, 2)),
        await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "80000.00", ev.at(2026, 3, 4)),
                             ev.at(2026, 3, 4)),
    ]
    await ledger.wait_applied()
    return sent


async def test_a_pools_months_carry_income_expenditure_and_the_closing_balance(ledger):
    await fund(ledger)
    response = await ledger.client.get(f"/v1/pools/{POOL}/months")
    assert response.status_code == 200, response.text
    assert response.json() == {"pool_id": POOL, "months": [
        {"month": "2025-12", "income": "900000.00", "expenditure": "0.00", "balance": "900000.00"},
        {"month": "2026-02", "income": "0.00", "expenditure": "90000.00", "balance": "810000.00"},
        {"month": "2026-03", "income": "20000.00", "expenditure": "80000.00", "balance": "750000.00"}]}
    assert (await ledger.client.get(f"/v1/pools/{POOL}")).json()["balance"] == "750000.00"
    assert (await ledger.client.get("/v1/pools/500240:390100:2031/months")).status_code == 404
    bad = await ledger.client.get("/v1/pools/not-a-pool/months")
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "pool_id")


async def test_an_alert_shows_its_history_and_evidence_down_to_the_settlement_and_its_journal(ledger):
    sent = await fund(ledger)
    alert = next(a for a in (await ledger.client.get("/v1/alerts")).json() if a["rule"] == "institution_budget")
    assert (alert["severity"], alert["measure"], alert["threshold"]) == ("yellow", "0.8500", "0.80")
    stated = {"zh": "已用年度总额 85.00%（阈值 80.00%）", "en": "85.00% of the global budget used (threshold 80.00%)"}
    assert alert["messages"] == stated  # 170,000 paid of a 200,000 budget
    ack = await ledger.client.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "院方已说明"},
                                   headers={"Authorization": f"Bearer {ledger.token('operator')}"})
    assert ack.status_code == 200, ack.text

    detail = (await ledger.client.get(f"/v1/alerts/{alert['alert_id']}")).json()
    assert detail["alert"]["messages"] == stated
    assert [(c["state"], c["severity"], c["acked_by"], c["ack_note"]) for c in detail["history"]] == [
        ("firing", "yellow", None, None), ("acknowledged", "yellow", "operator-tester", "院方已说明")]
    # the evidence is the events of the batch that tipped the alert: the second settlement (the contribution
    # before it touches the pool, not the hospital)
    last_settlement, settlements = sent[4], {sent[2].id: sent[2], sent[4].id: sent[4]}
    keys = [e["entry_key"] for e in detail["evidence_entries"]]
    assert keys == [last_settlement.id]
    entry = next(e for e in detail["evidence_entries"] if e["entry_key"] == last_settlement.id)
    assert (entry["kind"], entry["effective_date"], entry["memo"]) == ("settlement", "2026-03-04", CODE)
    assert sum(int(line["debit"].replace(".", "")) for line in entry["lines"]) == \
        sum(int(line["credit"].replace(".", "")) for line in entry["lines"])
    amounts = {sent[2].id: ("90000.00", "2026-02-03"), sent[4].id: ("80000.00", "2026-03-04")}
    assert sorted((s["event_id"], s["setl_id"], s["fixmedins_code"], s["fund_pay_sumamt"], s["setl_date"])
                  for s in detail["evidence_settlements"]) == \
        sorted((k, settlements[k].data["setl_id"], CODE, *amounts[k]) for k in keys)
    assert detail["evidence_not_in_journal"] == []

    settlement = (await ledger.client.get(f"/v1/settlements/{last_settlement.data['setl_id']}")).json()
    assert [f["event_id"] for f in settlement["facts"]] == [last_settlement.id]
    assert [e["entry_key"] for e in settlement["entries"]] == [last_settlement.id]
    assert {"pool_id": POOL, "account": settlement["entries"][0]["lines"][0]["account"]} \
        .items() <= settlement["entries"][0]["lines"][0].items()
    assert (await ledger.client.get("/v1/settlements/SETL-none")).status_code == 404
    assert (await ledger.client.get("/v1/alerts/no-such-alert")).status_code == 404


async def test_the_budget_meters_and_the_names_table(ledger):
    await fund(ledger)
    meters = (await ledger.client.get("/v1/institutions")).json()
    assert meters == [{"fixmedins_code": CODE, "year": 2026, "name": f"hospital {CODE}", "admdvs": "500240",
                       "level": "secondary", "fund_paid": "170000.00", "annual_budget": "200000.00",
                       "budget_set_by_admin": False, "used_of_budget": "0.8500"}]
    put = await ledger.client.put(f"/v1/institutions/{CODE}/budget", json={"year": 2026, "annual_budget": "340000"})
    assert put.status_code == 200, put.text
    meter = (await ledger.client.get("/v1/institutions", params={"year": 2026})).json()[0]
    assert (meter["annual_budget"], meter["budget_set_by_admin"], meter["used_of_budget"]) == \
        ("340000.00", True, "0.5000")
    assert (await ledger.client.get("/v1/institutions", params={"year": 2025})).json() == []
    assert (await ledger.client.get("/v1/institutions", params={"year": 9999})).status_code == 422

    names = (await ledger.client.get("/v1/names")).json()
    assert names["funds"]["390100"] == {"zh": "城乡居民基本医疗保险基金",
                                        "en": "Urban and rural residents' basic medical insurance fund"}
    assert names["regions"]["500240"]["zh"] == "重庆市石柱土家族自治县"


async def test_the_read_answers_have_the_fields_their_response_models_document(ledger):
    await fund(ledger)
    pool = (await ledger.client.get(f"/v1/pools/{POOL}")).json()
    listing = (await ledger.client.get("/v1/pools", params={"as_of": "2026-02-28"})).json()
    journal = (await ledger.client.get(f"/v1/pools/{POOL}/journal")).json()
    statistics = (await ledger.client.get("/v1/statistics", params={"admdvs": "500240", "year": 2026})).json()
    assert departures(PoolOut, pool) == [] and all(departures(PoolOut, p) == [] for p in listing)
    assert departures(JournalPageOut, journal) == [] and len(journal["entries"]) == 4
    assert departures(StatisticsOut, statistics) == [] and statistics["pools"]


async def test_pools_meters_and_alerts_as_of_a_business_date(ledger):
    await fund(ledger)
    pools = (await ledger.client.get("/v1/pools", params={"as_of": "2026-02-28"})).json()
    pool = next(p for p in pools if p["pool_id"] == POOL)
    # by 28 February: 900,000 collected, 90,000 paid on 3 February; the year elapsed is 59 of 365 days
    assert (pool["income"], pool["expenditure"], pool["balance"]) == ("900000.00", "90000.00", "810000.00")
    assert pool["measures"] == {"as_of": "2026-02-28", "collection_rate": None, "spent_of_planned": None,
                                "elapsed_fraction": "0.1616"}
    meters = (await ledger.client.get("/v1/institutions", params={"as_of": "2026-02-28"})).json()
    assert [(m["fixmedins_code"], m["fund_paid"], m["used_of_budget"]) for m in meters] == \
        [(CODE, "90000.00", "0.4500")]
    live = (await ledger.client.get("/v1/institutions")).json()
    assert [(m["fund_paid"], m["used_of_budget"]) for m in live] == [("170000.00", "0.8500")]

    def budget_alerts(answer):
        return [(a["rule"], a["state"], a["measure"]) for a in answer.json() if a["rule"] == "institution_budget"]
    assert budget_alerts(await ledger.client.get("/v1/alerts", params={"as_of": "2026-03-03"})) == []
    assert budget_alerts(await ledger.client.get("/v1/alerts", params={"as_of": "2026-03-04"})) == \
        [("institution_budget", "firing", "0.8500")]
    for bad in ("2026-02-30", "1900-01-01", "yesterday"):
        for path in ("/v1/pools", f"/v1/pools/{POOL}", "/v1/institutions", "/v1/alerts"):
            answer = await ledger.client.get(path, params={"as_of": bad})
            assert (answer.status_code, answer.json()["error"]["field"]) == (422, "as_of"), (path, bad, answer.text)


async def test_admins_see_the_dead_letter_backlog_and_the_consumer_lag(ledger):
    await fund(ledger)
    await ledger.publish(ev.contribution("500240", 9999, "1.00", ev.at(2026, 3, 5)), ev.at(2026, 3, 5))
    await ledger.wait_applied()
    operator = {"Authorization": f"Bearer {ledger.token('operator')}"}
    assert (await ledger.client.get("/v1/operations", headers=operator)).status_code == 403
    view = (await ledger.client.get("/v1/operations")).json()
    assert (view["service"], view["broker_answered"]) == ("fund-ledger", True)
    assert [(d["consumer"], d["unresolved"]) for d in view["dead_letters"]] == [("fund-ledger", 1)]
    assert view["consumer_lag"] and all(p["lag"] == 0 for p in view["consumer_lag"]), view["consumer_lag"]
    assert {p["topic"] for p in view["consumer_lag"]} >= {ledger.settings.topic("medfund.claims.v1"),
                                                          ledger.settings.topic("medfund.billing.v1")}


async def test_the_pool_stream_sends_the_pools_at_once_and_after_a_change(ledger):
    await fund(ledger)
    received: list[list[dict]] = []
    async with ledger.client.stream("GET", "/v1/pools/stream") as response:
        assert response.status_code == 200
        lines, event = response.aiter_lines(), None
        while len(received) < 2:
            line = await asyncio.wait_for(anext(lines), timeout=20)
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "pools":
                received.append(json.loads(line[6:]))
                if len(received) == 1:
                    await ledger.client.put(f"/v1/pools/{POOL}/budget",
                                            json={"budget_due": "1000000.00", "planned_expenditure": "800000.00"})
    first, second = ({p["pool_id"]: p for p in pools} for pools in received)
    assert first[POOL]["balance"] == "750000.00" and first[POOL]["budget"] is None
    assert second[POOL]["budget"] == {"budget_due": "1000000.00", "planned_expenditure": "800000.00"}
