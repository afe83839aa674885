"""``medfund demo --scenario healthy`` against the real stack: the pooled fund ends its half year without red.

The healthy year spends the planned share of the pooled fund's own income (premiums and subsidy by
the pack) evenly through the year, and pushes no hospital past its budget. The checks read the
ledger's pools and alerts and the ``medfund.alerts.v1`` topic. The county lives on a service set of its
own (profile ``isolated``: own databases and topics), so ``test_demo.py``'s overspending story, run by the
same session on the shared services, never touches its pools.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from medfund_cli.demo.runner import Demo
from medfund_cli.demo.scenario import Plot, Scenario
from medfund_cli.demo.services import Urls, token
from medfund_cli.demo.summary import Summary
from medfund_shared.money import Money
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import alert_changes, told  # noqa: E402

pytestmark = pytest.mark.e2e
SCALE = 300
POOLED = "500240:390100:2026"
EVERY_POOL = ("500240:390100:2026", "500240:390200:2026", "500240:610100:2026",
              "321100:310100:2026", "321100:310200:2026")
"""The county's resident pooled fund, catastrophic insurance and medical assistance (no pack sets a
risk-reserve share, so no 999901 pool exists), and the employee district's pooled fund and accounts."""
DEMO_REGIONS = ("500240", "321100")
"""The county and the employee district; the service set also serves ``test_region_clocks.py``'s counties."""


def in_the_demo(alert: dict) -> bool:
    return alert["subject_type"] == "pool" and alert["subject_id"].split(":")[0] in DEMO_REGIONS


@pytest.fixture(scope="module")
def settings(test_stack, own_services) -> Settings:
    return Settings(kafka_bootstrap=test_stack.kafka_bootstrap, topic_prefix=own_services.topic_prefix)


@pytest.fixture(scope="module")
async def county(own_services, settings) -> Demo:
    urls = Urls(*(own_services.require(service) for service in ("enrollment", "billing", "adjudication", "ledger")))
    return Demo(Scenario(scale=SCALE, rate=60.0, concurrency=8, plot=Plot.HEALTHY), urls, settings)


@pytest.fixture(scope="module")
async def summary(county) -> Summary:
    return await told(county)


async def ledger_get(own_services, settings, path: str, **params) -> list[dict]:
    headers = {"Authorization": f"Bearer {token(settings, 'operator')}"}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(f"{own_services.require('ledger')}{path}", params=params, headers=headers)
    response.raise_for_status()
    return json.loads(response.content, parse_float=Decimal)


async def test_the_healthy_year_spends_its_planned_share_of_the_pools_income(summary, county, own_services, settings):
    """By mid-year the pooled fund has spent the benefits the hospitals were paid, at the plan's pace, plus the
    catastrophic premium it transfers up front for each insured person (30 yuan by the county's pack)."""
    pools = {p["pool_id"]: p for p in await ledger_get(own_services, settings, "/v1/pools")}
    spent = Money.from_yuan(pools[POOLED]["expenditure"])
    benefits = Money.from_yuan(summary.fund_payments_by_fund["390100"])
    assert spent == benefits + Money.from_yuan("30.00").times(Decimal(summary.insured))
    scenario = county.scenario
    on_pace = scenario.planned_expenditure.times(scenario.calendar.elapsed(scenario.calendar.scenario_ends))
    # the hospitals chase the plan's pace in whole stays, and a county of a few hundred people pays its stays in
    # lumps of thousands of yuan: half a year lands within a fifth of the pace, never the 15 points of a red burn_pace
    ratio = benefits.to_decimal() / on_pace.to_decimal()
    assert Decimal("0.80") <= ratio <= Decimal("1.20"), (benefits, on_pace)


async def test_the_demo_keeps_every_fund_of_both_regions(summary, own_services, settings):
    pools = {p["pool_id"] for p in await ledger_get(own_services, settings, "/v1/pools")}
    assert set(EVERY_POOL) <= pools


async def test_no_pool_has_a_red_alert_at_the_end(summary, own_services, settings):
    firing = await ledger_get(own_services, settings, "/v1/alerts", state="firing")
    red = [(a["rule"], a["subject_id"], a["measure"]) for a in firing if in_the_demo(a) and a["severity"] == "red"]
    assert red == []


async def test_no_pool_has_a_red_alert_at_any_month_end(summary, county):
    """Every pool of the county and of the employee district, read at each month end once the ledger booked it."""
    month_ends = county.story.month_ends
    assert list(month_ends) == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]
    red = {day: [(a["rule"], a["subject_id"], a["measure"]) for a in firing
                 if in_the_demo(a) and a["severity"] == "red"] for day, firing in month_ends.items()}
    assert red == {day: [] for day in month_ends}


async def test_no_institution_crosses_its_budget(summary, settings):
    changes = await alert_changes(settings)
    county = {i["code"] for i in summary.institutions}
    assert [c for c in changes if c["rule"] == "institution_budget" and c["subject_id"] in county] == []

