"""The console's What-if page (测算, issue 25) in a real Chromium: an operator uploads a candidate pack, watches the
simulation finish and reads actual against candidate; a pack adjudication refuses shows the field it names.

Adjudication runs in-process on its own fresh database and topics, served over HTTP; the ledger reaches it at
``service_urls["adjudication"]`` with the operator's token. Its recorded year is made through its public API.

By hand (211302 pack, resident aged 50, in county, secondary hospital H211302S: inpatient deductible 500.00 per
stay, ratio 0.70; class A lines). Stay of 1000.00 on 2026-03-05: pooled (1000 − 500) × 0.70 = 350.00, share 650.00.
Stay of 2000.00 on 2026-04-05: 1500 × 0.70 = 1050.00, share 950.00. A 300.00 stay is under the deductible and is
reversed. Pooled fund 390100 paid 1400.00, annual share 1600.00. Candidate: secondary in-county ratio 0.65:
325.00 and 975.00, so the fund pays 1300.00 (difference −100.00; March −25.00, April −75.00) and the share is
1700.00: it rises by 100.00.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from test_console_browser import LAPTOP, PHONE, browser_page, shot
from whatif_page import (
    candidate_document,
    candidate_yaml,
    cells,
    fits_and_axe_finds_nothing_serious,
    narrowed_to_a_phone,
    open_whatif,
    run_whatif,
    switch_to_english,
)

from medfund_adjudication.main import definition as adjudication_definition
from medfund_deploy.instances import served_in_process as served
from medfund_shared.auth import issue_token
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[3] / "adjudication" / "tests" / "integration"))

from adjudication_gateway import Gateway  # noqa: E402

pytestmark = pytest.mark.integration
HOSPITAL = "H211302S"
NAMED_KEYS = {
    ("fund", "390100"): ("城乡居民基本医疗保险基金 (390100)",
                         "Urban and rural residents' basic medical insurance fund (390100)"),
    ("month", "2026-03"): ("2026年3月", "March 2026"),
    ("institution_level", "secondary"): ("二级 (secondary)", "secondary"),
    ("area", "in_county"): ("县域内 (in_county)", "in county (in_county)"),
    ("person_category", "adult"): ("普通居民 (adult)", "ordinary resident (adult)"),
    ("age_band", "45-59"): ("45–59岁", "aged 45–59"),
    ("deciles", "50%"): ("50%分位", "50th percentile"),
}
"""Each table row's key as the operator reads it (中文, English): the raw key only beside a code's name."""


@pytest.fixture
async def adjudication(test_stack, service_database):
    settings = Settings(database_url=service_database("medfund_adjudication"),
                        kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="adjudication")
    async with served(create_service_app(adjudication_definition(), settings)) as url, \
            httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield Gateway(client, settings), url


@pytest.fixture
def ledger_peers(adjudication) -> dict[str, str]:
    return {"adjudication": adjudication[1]}


@pytest.fixture
async def recorded_year(adjudication) -> str:
    return await adjudication[0].record_resident_year()


async def row_names(page) -> dict[tuple[str, str], str]:
    return {(dimension, key): await page.locator(f'#whatif-result table[data-dimension="{dimension}"] '
                                                 f'tr[data-key="{key}"] th').inner_text()
            for dimension, key in NAMED_KEYS}


async def test_a_changed_pack_shows_the_hand_computed_difference(ledger, recorded_year):
    async with browser_page(ledger, LAPTOP, role=None) as page:
        await open_whatif(page, ledger.url, ledger.token("operator"))
        await run_whatif(page, candidate_yaml(0.65), share_rise="99.99")
        fund = '#whatif-result table[data-dimension="fund"] tr[data-key="390100"]'
        assert (await cells(page, fund))[1:] == ["1400.00", "1300.00", "-100.00"]
        secondary = '#whatif-result table[data-dimension="institution_level"] tr[data-key="secondary"]'
        assert (await cells(page, secondary))[1:] == ["1400.00", "1300.00", "-100.00"]
        march = '#whatif-result table[data-dimension="month"] tr[data-key="2026-03"]'
        april = '#whatif-result table[data-dimension="month"] tr[data-key="2026-04"]'
        assert (await cells(page, march))[1:] == ["350.00", "325.00", "-25.00"]
        assert (await cells(page, april))[1:] == ["1050.00", "975.00", "-75.00"]
        assert await cells(page, f'#whatif-result table.whatif-rises tr[data-psn-no="{recorded_year}"]') == \
            [recorded_year, "1600.00", "1700.00", "100.00"]
        chart = await page.locator("#whatif-chart-fund").get_attribute("aria-label")
        assert "1400.00" in chart and "1300.00" in chart and "-100.00" in chart, chart
        assert await row_names(page) == {key: names[0] for key, names in NAMED_KEYS.items()}
        status = re.fullmatch(r"已完成 · 已处理 (\d+) / (\d+)", await page.locator("#whatif-status").inner_text())
        assert status and status[1] == status[2] and int(status[1]) >= 3, status
        await fits_and_axe_finds_nothing_serious(page)
        await shot(page, "whatif-1366px")
        await switch_to_english(page)
        assert (await cells(page, secondary))[1:] == ["1400.00", "1300.00", "-100.00"]
        assert "done" in await page.locator("#whatif-status").inner_text()
        assert await row_names(page) == {key: names[1] for key, names in NAMED_KEYS.items()}
        await narrowed_to_a_phone(page)


async def test_a_refused_pack_shows_the_field_and_starts_nothing(ledger, recorded_year):
    refused = json.dumps(candidate_document(1.5), default=lambda v: v.isoformat() if isinstance(v, date) else str(v))
    async with browser_page(ledger, PHONE, role=None) as page:
        await open_whatif(page, ledger.url, ledger.token("operator"))
        await page.set_input_files("#whatif-pack", files=[{"name": "candidate.json", "mimeType": "application/json",
                                                          "buffer": refused.encode()}])
        await page.click("#whatif-submit")
        error = page.locator("#whatif-error", has_text="pack.inpatient")
        await error.wait_for()
        assert "pack.inpatient.schedule.in_county.secondary" in await error.inner_text()
        assert await page.locator("#whatif-progress").is_hidden()
        await fits_and_axe_finds_nothing_serious(page)
        await shot(page, "whatif-refused-390px")


async def test_the_ledger_forwards_with_the_callers_role_and_refuses_bad_files(ledger, recorded_year):
    body = {"admdvs": "211302", "year": 2026, "pack_text": "inpatient: [unclosed"}
    r = await ledger.client.post("/v1/simulations", json=body)
    assert r.status_code == 422 and r.json()["error"]["field"] == "pack_text", r.text
    his = {"Authorization": f"Bearer {issue_token(ledger.settings, 'his', fixmedins_code=HOSPITAL)}"}
    assert (await ledger.client.post("/v1/simulations", json=body, headers=his)).status_code == 403
    r = await ledger.client.get("/v1/simulations/SMNONE")
    assert r.status_code == 404, r.text

