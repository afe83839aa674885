"""The console's What-if page on the running stack (issue 25): its fund table read in a real Chromium, with a pool
the services funded and paid from through their public APIs only.

Shuangta (211302), insurance year 2026, a county no other module of the shared stack touches, so the figures are
absolute: an operator enrols a household of four adults; the tax bureau's feed pays their premiums in the window; a
secondary hospital of the county treats the first of them (born 1976, aged 50) twice through the NHSA gateway. An
operator then uploads the 211302 pack with the in-county secondary inpatient ratio five points higher. By hand from
the 211302 pack (policy-packs.md):

- premium 190.00 a person, subsidy 380.00 a person, catastrophic financing 25.00 a covered person;
- inpatient, in county, secondary: deductible 500.00 a stay, the pooled fund pays 70% (candidate: 75%).

390100 income       = 4 x (190.00 + 380.00)                                  = 2,280.00
stays               = 1,000.00 settled 2026-03-05, 2,000.00 settled 2026-04-05
fund pay, recorded  = (1,000 - 500) x 0.70 + (2,000 - 500) x 0.70 = 350 + 1,050 = 1,400.00
fund pay, candidate = (1,000 - 500) x 0.75 + (2,000 - 500) x 0.75 = 375 + 1,125 = 1,500.00: it costs 100.00
390100 expenditure  = 4 x 25.00 + 1,400.00                                    = 1,500.00
year-end balance    = 2,280.00 - 1,500.00 = 780.00 recorded; 780.00 - 100.00  =   680.00 candidate

Months of reserve (the ledger's rule: what the fund holds x 3 ÷ the expenditure of the three months to the region's
clock, 2026-02 to 2026-04; the catastrophic financing is booked at the covers' activation, before February):
recorded 780.00 x 3 / 1,400.00 = 1.67; candidate 680.00 x 3 / 1,500.00 = 1.36, under the red level 3.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[2] / "services" / "fund-ledger" / "tests" / "integration"))

import whatif_page as whatif  # noqa: E402
from journey_kit import (  # noqa: E402
    Clients,
    enrol_household,
    eventually,
    inpatient_stay,
    pay_premium,
    register_hospital,
    yuan,
)
from test_console_browser import LAPTOP, browser_page, serious_axe_violations, shot  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "211302", 2026
POOLED = f"{ADMDVS}:390100:{YEAR}"
ROW = f'#whatif-result table.whatif-pools tr[data-pool-id="{POOLED}"]'
RECORDED = ("2280.00", "1500.00")
"""The pool's income and expenditure by hand, before the simulation."""
FUND_TABLE = {"zh": ["城乡居民基本医疗保险基金 (390100) · 2026", "2280.00", "1400.00", "1500.00", "100.00",
                     "780.00 → 680.00", "1.67 → 1.36"],
              "en": ["Urban and rural residents' basic medical insurance fund (390100) · 2026", "2280.00", "1400.00",
                     "1500.00", "100.00", "780.00 → 680.00", "1.67 → 1.36"]}
"""The pool's row of the fund table by hand, every cell but the warnings."""
RESERVE_WARNING = {"zh": "可支付月数不足 红色 (测量值 1.36, 阈值 3)",
                   "en": "Months of reserve red (Measure 1.36, Threshold 3)"}


@dataclass(frozen=True)
class Console:
    """The stack's ledger as the browser helpers take it: its address and an operator's token."""

    url: str
    settings: Settings

    def token(self, role: str) -> str:
        return issue_token(self.settings, role, subject=f"{role}-whatif")


async def covered_in_adjudication(clients: Clients, member: dict, on: str) -> None:
    """Until adjudication's read model has the member's cover (its native API): the gateway settles only then."""
    async def cover() -> int:
        response = await clients.http.get(f"{clients.adjudication}/v1/persons/{member['psn_no']}/coverage",
                                          params={"on": on}, headers=clients.auth("admin"))
        return response.status_code
    assert await eventually(cover, lambda status: status == 200) == 200, f"{member['psn_no']} never covered"


async def figures(clients: Clients) -> tuple[str, str] | None:
    pool = await clients.pool(POOLED)
    return (yuan(pool["income"]).to_yuan(), yuan(pool["expenditure"]).to_yuan()) if pool else None


async def funded_and_paid(clients: Clients) -> dict:
    """The household enrolled and paid, the two stays settled, the ledger's books showing all of it; the pool as
    ``GET /v1/pools/{id}`` answers then."""
    people = [(date(1976, 1, 1), "1", "adult"), (date(1978, 3, 4), "2", "adult"), (date(1985, 6, 7), "1", "adult"),
              (date(1990, 9, 10), "2", "adult")]
    household = await enrol_household(clients, ADMDVS, YEAR, people, enrolled_on="2025-10-15")
    assert [m["premium_due"] for m in household] == ["190.00"] * 4
    for member in household:
        await pay_premium(clients, member, ADMDVS, YEAR, "190.00", paid_at="2025-11-20T10:15:00+08:00")
    patient = household[0]
    await covered_in_adjudication(clients, patient, "2026-03-02")
    code = await register_hospital(clients, ADMDVS, "secondary", "双塔测算旅程医院")
    for admitted, settled_at, days, pooled in (("2026-03-02 09:00:00", "2026-03-05 10:00:00", 10, "350.00"),
                                               ("2026-04-01 09:00:00", "2026-04-05 10:00:00", 20, "1050.00")):
        answer = await inpatient_stay(clients, code, patient, admitted, settled_at, admdvs=ADMDVS, days=days)
        assert yuan(answer["setlinfo"]["hifp_pay"]) == yuan(pooled)
    seen = await eventually(lambda: figures(clients), lambda f: f == RECORDED, timeout=120)
    assert seen == RECORDED
    return await clients.pool(POOLED)


async def test_the_fund_table_shows_the_pools_books_under_the_candidate(clients):
    pool = await funded_and_paid(clients)
    assert (pool["balance"], pool["measures"]["reserve_months"]) == ("780.00", "1.67")
    console = Console(clients.ledger, clients.settings)
    async with browser_page(console, LAPTOP, role=None) as page:
        await whatif.open_whatif(page, console.url, console.token("operator"), ADMDVS, str(YEAR))
        await whatif.run_whatif(page, whatif.candidate_yaml(0.75))
        fund = '#whatif-result table[data-dimension="fund"] tr[data-key="390100"]'
        assert (await whatif.cells(page, fund))[1:] == ["1400.00", "1500.00", "100.00"]
        row = await whatif.cells(page, ROW)
        assert row[:-1] == FUND_TABLE["zh"], row
        assert row[5] == f"{pool['balance']} → 680.00" and row[6] == f"{pool['measures']['reserve_months']} → 1.36"
        assert RESERVE_WARNING["zh"] in row[-1], row
        await whatif.fits_and_axe_finds_nothing_serious(page)
        await shot(page, "whatif-pools-1366px")
        await whatif.switch_to_english(page)
        row = await whatif.cells(page, ROW)
        assert row[:-1] == FUND_TABLE["en"], row
        assert RESERVE_WARNING["en"] in row[-1], row
        await whatif.narrowed_to_a_phone(page)
        assert await page.locator("#whatif-result table.whatif-pools thead").is_hidden()
        assert await whatif.cells(page, ROW) == row
        assert await serious_axe_violations(page) == []
        await shot(page, "whatif-pools-english-390px")
