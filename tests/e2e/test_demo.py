"""``medfund demo`` against the real stack: its summary agrees with the ledger API and the alerts topic.

The demo runs in-process against the four services of the test stack (fresh databases and topic
prefix). The checks read the ledger and the ``medfund.alerts.v1`` topic independently of the
demo's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import yaml
from rich.console import Console

from medfund_cli.demo import employee_district, taxfeed
from medfund_cli.demo.population import generate
from medfund_cli.demo.runner import Demo
from medfund_cli.demo.scenario import Scenario, county_pack
from medfund_cli.demo.services import Urls, token
from medfund_cli.demo.summary import Summary, render
from medfund_ledger.adapters.rebuild import rebuild
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import shipped_packs_dir
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import alert_changes, told  # noqa: E402

pytestmark = pytest.mark.e2e
SCALE = 300
POOLED, CATASTROPHIC, ASSISTANCE = "500240:390100:2026", "500240:390200:2026", "500240:610100:2026"


@pytest.fixture(scope="module")
def settings(services_running) -> Settings:
    return Settings(kafka_bootstrap=services_running.kafka_bootstrap, topic_prefix=services_running.topic_prefix)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(scale=SCALE, rate=60.0, concurrency=8)


@pytest.fixture(scope="module")
async def summary(services_running, settings, scenario) -> Summary:
    urls = Urls(services_running.enrollment, services_running.billing, services_running.adjudication,
                services_running.ledger)
    return await told(Demo(scenario, urls, settings))


def printed(summary: Summary) -> str:
    console = Console(width=200, record=True)
    render(summary, console)
    return console.export_text()


async def ledger_pools(services_running, settings) -> list[dict]:
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(f"{services_running.ledger}/v1/pools", headers=headers)
    response.raise_for_status()
    return [p for p in json.loads(response.content, parse_float=Decimal) if p["admdvs"] == "500240"]


async def ledger_alerts(services_running, settings, state: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(f"{services_running.ledger}/v1/alerts", params={"state": state}, headers=headers)
    response.raise_for_status()
    return json.loads(response.content, parse_float=Decimal)


def test_enrollment_and_tax_feed_match_what_was_sent(summary, scenario):
    expected = taxfeed.expectation(taxfeed.feed_lines(
        scenario, taxfeed.plan_payers(scenario, county_pack(scenario), generate(scenario))))
    assert summary.enrolled == SCALE
    assert 0 < summary.insured <= summary.enrolled
    assert summary.eligible == scenario.eligible
    assert (summary.tax_accepted, summary.tax_duplicates, summary.tax_rejected) == \
        (expected.accepted, expected.duplicates, expected.rejected)
    assert Money.from_yuan(summary.collected) <= expected.collected


async def test_fund_payments_equal_what_the_ledger_owes_the_institutions(summary, services_running, settings):
    """Nothing is cleared in the demo: each pool's payable is what the settlements paid from its fund."""
    paid = Money.from_yuan(summary.fund_payments)
    assert summary.settled > 0 and paid > Money.zero()
    pools = await ledger_pools(services_running, settings)
    assert sum((Money.from_yuan(p["payable"]) for p in pools), Money.zero()) == paid
    by_pool = {p["pool_id"]: p for p in pools}
    for fund, fund_paid in summary.fund_payments_by_fund.items():
        assert Money.from_yuan(by_pool[f"500240:{fund}:2026"]["payable"]) == Money.from_yuan(fund_paid), fund


async def test_every_pool_that_pays_has_income_from_data(summary, services_running, settings):
    """390200: 30.00 a covered person (the Shizhu pack's financing), transferred from 390100 by the ledger;
    610100: the two appropriations the demo recorded, 40.00 and 20.00 an insured person (scenario)."""
    by_pool = {p["pool_id"]: p for p in await ledger_pools(services_running, settings)}
    assert Money.from_yuan(by_pool[POOLED]["income"]) > Money.zero()
    assert Money.from_yuan(by_pool[CATASTROPHIC]["income"]) == Money(3000 * summary.insured)
    assert Money.from_yuan(by_pool[ASSISTANCE]["income"]) == Money(6000 * SCALE)
    assert summary.appropriations == {"civil_affairs": f"{40 * SCALE}.00", "finance": f"{20 * SCALE}.00"}
    every_pool = await ledger_get(services_running, settings, "/v1/pools")
    funded = {p["pool_id"] for p in every_pool if Money.from_yuan(p["income"]) > Money.zero()}
    assert {POOLED, CATASTROPHIC, ASSISTANCE, "321100:310100:2026", "321100:310200:2026"} <= funded
    assert [p["pool_id"] for p in every_pool
            if Money.from_yuan(p["expenditure"]) > Money.zero() and p["pool_id"] not in funded] == []


async def test_the_summarys_pools_are_the_ledgers(summary, services_running, settings):
    pools = {p["pool_id"]: p for p in await ledger_pools(services_running, settings)}
    assert {p["pool_id"] for p in summary.pools} == set(pools)
    for pool in summary.pools:
        for figure in ("income", "expenditure", "balance", "payable"):
            assert Money.from_yuan(pool[figure]) == Money.from_yuan(pools[pool["pool_id"]][figure]), figure


async def test_the_summarys_alerts_are_the_topics_and_the_ledgers(summary, services_running, settings):
    changes = await alert_changes(settings)
    assert summary.alert_changes_on_topic == len(changes) > 0
    assert summary.alert_changes_by_rule == dict(Counter(c["rule"] for c in changes))
    firing = await ledger_alerts(services_running, settings, "firing")
    assert sorted((a["rule"], a["subject_id"], a["severity"]) for a in summary.alerts_firing) == \
        sorted((a["rule"], a["subject_id"], a["severity"]) for a in firing)


async def test_the_hot_institution_goes_yellow_red_then_resolves_after_the_raise(summary, settings):
    changes = await alert_changes(settings)
    hot = summary.hot_institution["code"]
    budget = [(c["state"], c["severity"]) for c in changes
              if c["rule"] == "institution_budget" and c["subject_id"] == hot]
    assert [severity for state, severity in budget if state == "firing"] == ["yellow", "red"]
    assert [state for state, _ in budget] == ["firing", "firing", "resolved"]
    assert Money.from_yuan(summary.hot_institution["fund_paid"]) > Money.from_yuan(summary.hot_institution["budget"])


async def test_only_the_story_institution_crosses_into_its_budget_alert(summary, settings):
    hot = summary.hot_institution["code"]
    county = {i["code"] for i in summary.institutions}
    changes = await alert_changes(settings)
    crossed = {c["subject_id"] for c in changes if c["rule"] == "institution_budget" and c["subject_id"] in county}
    assert crossed == {hot}
    assert all(Decimal(i["use"]) <= Decimal("0.80") for i in summary.institutions if i["code"] != hot)


async def test_burn_pace_fires_on_the_pooled_fund(summary, settings):
    changes = await alert_changes(settings)
    assert any(c["rule"] == "burn_pace" and c["subject_id"] == POOLED and c["state"] == "firing" for c in changes)
    assert any(a["rule"] == "burn_pace" and a["subject_id"] == POOLED for a in summary.alerts_firing)


async def ledger_get(services_running, settings, path: str) -> dict | list:
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(f"{services_running.ledger}{path}", headers=headers)
    response.raise_for_status()
    return json.loads(response.content, parse_float=Decimal)


async def journal_keys(services_running, settings, pool_id: str) -> set[str]:
    """The entry keys (event ids, the ledger's own keys) of every journal entry of the pool."""
    keys, cursor = set(), None
    while True:
        page = await ledger_get(services_running, settings,
                                f"/v1/pools/{pool_id}/journal" + (f"?cursor={cursor}" if cursor else ""))
        keys |= {entry["entry_key"] for entry in page["entries"]}
        if not (cursor := page.get("next_cursor")):
            return keys


async def test_the_pooled_fund_fires_the_alerts_the_story_builds_and_no_other(summary, services_running, settings):
    """Spending ahead of time fires burn_pace (yellow past 5 points, red past 15); the story plans from seed 004's
    individual amount due, about half of the pool's income with the subsidy, so the surplus projected to the year
    end crosses both of seed 003's limits (15% annual, 25% cumulative): red over_accumulation. Nothing else: the
    premiums collected up front hold many months of spending and the year to date is in surplus."""
    firing = [a for a in await ledger_alerts(services_running, settings, "firing") if a["subject_id"] == POOLED]
    by_rule = {a["rule"]: a for a in firing}
    assert sorted(by_rule) == ["burn_pace", "over_accumulation"]
    pool = (await ledger_get(services_running, settings, f"/v1/pools/{POOLED}"))
    burn = by_rule["burn_pace"]
    # spent ÷ planned − elapsed share of the year, from the pool's own figures (elapsed is shown to 4 places)
    spent_share = Decimal(pool["expenditure"]) / Decimal(pool["budget"]["planned_expenditure"])
    expected_burn = spent_share - Decimal(pool["measures"]["elapsed_fraction"])
    assert abs(Decimal(burn["measure"]) - expected_burn) <= Decimal("0.0001")
    assert Decimal(burn["measure"]) > Decimal("0.05")
    assert burn["severity"] == ("red" if Decimal(burn["measure"]) > Decimal("0.15") else "yellow")
    surplus = by_rule["over_accumulation"]
    annual = Decimal(pool["measures"]["over_accumulation.annual_surplus_ratio"])
    cumulative = Decimal(pool["measures"]["over_accumulation.cumulative_surplus_ratio"])
    assert (surplus["severity"], Decimal(surplus["measure"])) == ("red", annual)
    assert annual > Decimal("0.15") and cumulative > Decimal("0.25")


async def test_each_firing_alert_is_explained_by_events_of_its_subject(summary, services_running, settings):
    """An alert's evidence is the events that tipped it: entries of its pool's journal, or settlements (entries
    of the pools that paid the institution, their memo its code)."""
    firing = await ledger_alerts(services_running, settings, "firing")
    pools = {p["pool_id"] for p in await ledger_pools(services_running, settings)}
    journals = {pool_id: await journal_keys(services_running, settings, pool_id) for pool_id in pools}
    county = {i["code"] for i in summary.institutions}
    for alert in firing:
        if alert["subject_type"] == "pool" and alert["subject_id"] in pools:
            assert alert["evidence"], alert
            assert set(alert["evidence"]) <= journals[alert["subject_id"]], alert
        elif alert["subject_type"] == "institution" and alert["subject_id"] in county:
            assert alert["evidence"], alert
            assert set(alert["evidence"]) <= set().union(*journals.values()), alert


async def pool_alerts_against_pools(services_running, settings) -> tuple[list[dict], dict[str, dict]]:
    firing = [a for a in await ledger_alerts(services_running, settings, "firing") if a["subject_type"] == "pool"]
    return firing, {p["pool_id"]: p for p in await ledger_pools(services_running, settings)}


def mismatched(found: tuple[list[dict], dict[str, dict]]) -> list[tuple]:
    firing, pools = found
    return [(a["rule"], a["subject_id"], a["measure"], pools[a["subject_id"]]["measures"].get(a["rule"]))
            for a in firing if a["subject_id"] in pools
            and a["measure"] != pools[a["subject_id"]]["measures"].get(a["rule"])]


async def test_each_firing_pool_alert_shows_the_measure_its_pool_shows(summary, services_running, settings):
    """Fresh measures: every evaluation stores the open alert's measure, so it is the one ``GET /v1/pools`` gives."""
    deadline = asyncio.get_running_loop().time() + 120
    found = await pool_alerts_against_pools(services_running, settings)
    while mismatched(found) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(1)
        found = await pool_alerts_against_pools(services_running, settings)
    assert found[0] and mismatched(found) == []


def test_hospitals_only_settle_for_covered_people(summary):
    assert summary.refused_unexpected == 0, summary.refusal_samples
    assert summary.refused_uncovered > 0, "people without cover must still be refused at the gateway"
    assert summary.encounters_by_kind.get("outpatient", 0) > 0 and summary.encounters_by_kind.get("inpatient", 0) > 0


def test_the_employee_district_is_covered_and_its_settlements_pay_from_the_accounts(summary, scenario):
    district = summary.employee_district
    planned = Counter(m.kind for m in employee_district.plan(scenario))
    assert district["members"] == dict(planned)
    minimum = {"1": 30, "2": 25}  # seed 002: men 30 contribution years, women 25
    short = sum(1 for gend, years in employee_district.RETIREE_YEARS if years < minimum[gend])
    assert district["covered"] == sum(planned.values()) - short
    assert len(district["refusals"]) == short and "retiree_contribution_years_short" in district["refusals"][0]
    assert district["notes"] == []
    settlements = district["settlements"]
    assert [s["med_type"] for s in settlements] == ["21", "21", "11", "11"]
    for s in settlements:
        assert Money.from_yuan(s["acct_pay"]) > Money.zero()
        assert Money.from_yuan(s["acct_pay"]) <= Money.from_yuan(s["balance_before"])
    assert all(Money.from_yuan(s["pooled"]) == Money.zero() for s in settlements if s["med_type"] == "11"), \
        "321100 has no pooled outpatient benefit: the account pays"
    pools = {p["pool_id"]: p for p in district["pools"]}
    assert {"321100:310100:2026", "321100:310200:2026"} <= set(pools)
    assert Money.from_yuan(pools["321100:310200:2026"]["income"]) > Money.zero()


async def test_the_rebuild_replays_the_year_equal_with_a_clearing(summary, services_running, settings,
                                                                   service_database):
    """Last in the module, since it pays an institution (the checks above read what the pools owe). The catastrophic
    transfers, the appropriations, the sponsored premiums, the district's balance brought forward and a clearing,
    replayed from the topics alone, give the live journal and balances again."""
    hot = summary.hot_institution["code"]
    headers = {"Authorization": f"Bearer {token(settings, 'admin')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        cleared = await http.post(f"{services_running.ledger}/v1/institutions/{hot}/clearing", headers=headers,
                                  json={"period": "2026-06"})
    assert cleared.status_code == 200, cleared.text
    assert Money.from_yuan(cleared.json()["total"]) == Money.from_yuan(summary.hot_institution["fund_paid"])
    live = settings.model_copy(update={"database_url": services_running.databases["ledger"]})
    result = await rebuild(live, service_database("medfund_ledger"))
    assert result.equal, result.summary()


def _pack_in_force_as_json() -> dict:
    """The demo year's pack as a client sends it: the shipped YAML's values as JSON."""
    document = yaml.safe_load((shipped_packs_dir() / "500240-390-2026-01-01.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(document, default=str))


async def _simulated(services_running, settings, pack: dict) -> dict:
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(base_url=services_running.adjudication, headers=headers, timeout=30) as http:
        started = await http.post("/v1/simulations", json={"admdvs": "500240", "year": 2026, "pack": pack})
        assert started.status_code == 202, started.text
        simulation_id = started.json()["simulation_id"]
        deadline = asyncio.get_running_loop().time() + 300
        while (state := (await http.get(f"/v1/simulations/{simulation_id}")).json())["status"] not in ("done",
                                                                                                      "failed"):
            assert asyncio.get_running_loop().time() < deadline, state
            await asyncio.sleep(0.5)
    assert state["status"] == "done", state["error"]
    return state["result"]


async def test_the_pack_in_force_replays_the_demo_year_to_the_fen(summary, services_running, settings):
    """Issue 25: every recorded settlement of the demo year computed again under an identical candidate."""
    result = await _simulated(services_running, settings, _pack_in_force_as_json())
    assert result["settlements"] > 0 and result["refused"]["count"] == 0
    for dimension in ("fund", "month", "institution_level", "area", "person_category", "age_band"):
        assert result[dimension] and {row["difference"] for row in result[dimension]} == {"0.00"}, dimension
    assert all(d["actual"] == d["candidate"] for d in result["out_of_pocket"]["deciles"])
    pools = result["pools"]
    assert pools["available"], pools["reason"]
    assert "500240:390100:2026" in {item["pool_id"] for item in pools["items"]}
    for item in pools["items"]:
        assert item["difference"] == "0.00"
        assert item["year_end_balance"]["actual"] == item["year_end_balance"]["candidate"], item
        assert item["reserve_months"]["actual"] == item["reserve_months"]["candidate"], item
        recorded = await _pool(services_running, settings, item["pool_id"])
        assert item["year_end_balance"]["actual"] == recorded["balance"], item


async def test_five_more_points_at_tier1_primary_cost_the_pooled_fund(summary, services_running, settings):
    pack = _pack_in_force_as_json()
    pack["inpatient"]["schedule_by_tier"]["tier1"]["in_county"]["primary"]["ratio"] = 0.85
    result = await _simulated(services_running, settings, pack)
    pooled = {row["key"]: row for row in result["fund"]}["390100"]
    assert Decimal(pooled["difference"]) > 0, pooled
    assert Decimal(pooled["candidate"]) == Decimal(pooled["actual"]) + Decimal(pooled["difference"])
    assert result["out_of_pocket"]["rises"]["count"] == 0
    item = {i["pool_id"]: i for i in result["pools"]["items"]}["500240:390100:2026"]
    assert item["difference"] == pooled["difference"]
    recorded = await _pool(services_running, settings, "500240:390100:2026")
    assert item["income"] == recorded["income"] and item["year_end_balance"]["actual"] == recorded["balance"]
    candidate_balance = Decimal(recorded["balance"]) - Decimal(pooled["difference"])
    assert Decimal(item["year_end_balance"]["candidate"]) == candidate_balance
    reserve = item["reserve_months"]
    assert reserve["actual"] is None or Decimal(reserve["candidate"]) <= Decimal(reserve["actual"]), reserve


async def _pool(services_running, settings, pool_id: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(f"{services_running.ledger}/v1/pools/{pool_id}",
                                headers={"Authorization": f"Bearer {token(settings, 'operator')}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_story_ends_with_the_worked_example_the_api_answers(summary, services_running, settings):
    """make run's worked example (issue 25): five more points on the tier-1 primary inpatient ratio, its cost per
    fund and the pooled fund's reserve, printed as the simulation API answers them."""
    example = summary.worked_example
    assert example["change"] == "inpatient.schedule_by_tier.tier1.in_county.primary.ratio"
    assert Decimal(example["to"]) - Decimal(example["from"]) == Decimal("0.05")
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        state = (await http.get(f"{services_running.adjudication}/v1/simulations/{example['simulation_id']}",
                                headers=headers)).json()
    answered = {row["key"]: {k: row[k] for k in ("actual", "candidate", "difference")}
                for row in state["result"]["fund"]}
    assert example["funds"] == answered and Decimal(answered["390100"]["difference"]) > 0
    pooled = example["pooled"]
    assert pooled is not None, example["pools_unavailable"]
    assert pooled["difference"] == answered["390100"]["difference"]
    balance = pooled["year_end_balance"]
    assert Decimal(balance["candidate"]) == Decimal(balance["actual"]) - Decimal(pooled["difference"])
    text = printed(summary)
    cost = f"{Decimal(pooled['difference']):,.2f}"
    assert f"pooled fund {pooled['pool_id']}: it would cost {cost}" in text, text[-2000:]
    assert f"months of reserve {pooled['reserve_months']['actual']} -> {pooled['reserve_months']['candidate']}" in text
