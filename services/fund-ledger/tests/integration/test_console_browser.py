"""The operators' console in a real headless Chromium (Debian's): layout at phone and desktop widths, axe-core,
live pools and alerts, the acknowledge form, the drill-down from an alert to its settlements and journal entries,
the language switch and the login hint. A screenshot tour lands in ``.state/test/screenshots/``.

The fund: Shizhu's resident pool 500240:390100:2026 (amount due 1,000,000, planned expenditure 800,000) collected
900,000 on 2025-12-01; hospital H500240077 (global budget 500,000 for 2026) settles 90,000 on each of 1-5 February
2026. By hand: fund paid 450,000 ÷ 500,000 = 0.90 of its budget (yellow ``institution_budget``, above 0.80); the
pool's balance is 900,000 − 450,000 = 450,000.00.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import time
from contextlib import asynccontextmanager
from pathlib import Path

import ledger_events as ev
import pytest
from typer.testing import CliRunner

from medfund_cli.main import app as medfund_cli
from medfund_shared.auth import decode_token
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).parents[4] / ".state" / "test" / "screenshots"
CODE, POOL = "H500240077", "500240:390100:2026"
PHONE, LAPTOP, DESKTOP = (390, 844), (1366, 768), (1920, 1080)
LIVE_SECONDS = 2.0


async def fund_with_alerts(ledger) -> None:
    """The hospital's budget, then the money and four settlements, then the fifth that tips its alert, each step
    applied before the next is sent: their keys put them on different partitions, consumed in any order."""
    await ledger.client.put(f"/v1/pools/{POOL}/budget",
                            json={"budget_due": "1000000.00", "planned_expenditure": "800000.00"})
    await ledger.publish(ev.institution(CODE, "500240", "500000.00"), ev.at(2026, 1, 1))
    await ledger.wait_applied()
    await ledger.publish(ev.contribution("500240", 2026, "900000.00", ev.at(2025, 12, 1)), ev.at(2025, 12, 1))
    for day in (1, 2, 3, 4):
        await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "90000.00", ev.at(2026, 2, day)),
                             ev.at(2026, 2, day))
    await ledger.wait_applied()
    await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "90000.00", ev.at(2026, 2, 5)), ev.at(2026, 2, 5))
    await ledger.wait_applied()


@asynccontextmanager
async def browser_page(ledger, size, role: str = "operator", lang: str | None = None):
    from playwright.async_api import async_playwright

    assert shutil.which(CHROMIUM), "needs Debian's chromium: `make setup` installs it"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
            page = await context.new_page()
            if lang:
                await page.add_init_script(f"localStorage.setItem('medfund.console.lang', '{lang}')")
            if role:
                await page.goto(f"{ledger.url}/?token={ledger.token(role)}")
                await page.locator(f'.pool[data-pool-id="{POOL}"]').wait_for()
                await page.locator("#status[data-key='live']").wait_for()
            else:
                await page.goto(ledger.url)
            yield page
        finally:
            await browser.close()


async def outside_the_viewport(page) -> dict:
    """Every visible action (button, link, field) whose box leaves the viewport sideways, and the page's width."""
    return await page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const bad = [...document.querySelectorAll('button, a, select, input, textarea, summary')]
          .filter((e) => { const r = e.getBoundingClientRect();
                           return r.width > 0 && (r.left < 0 || r.right > width + 0.5); })
          .map((e) => e.outerHTML.slice(0, 100));
        return {width, scrollWidth: document.documentElement.scrollWidth, bad};
    }""")


async def serious_axe_violations(page) -> list[dict]:
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))""")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


async def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)


async def seconds_until_shown(started: float, *locators) -> float:
    """Seconds from ``started`` (``time.monotonic()``) until every locator shows; fails past LIVE_SECONDS."""
    for locator in locators:
        left = LIVE_SECONDS - (time.monotonic() - started)
        await locator.wait_for(timeout=max(left, 0.001) * 1000)
    return time.monotonic() - started


@pytest.mark.parametrize("size", [PHONE, LAPTOP, DESKTOP], ids=["390px", "1366px", "1920px"])
async def test_every_action_fits_the_width_and_axe_finds_nothing_serious(ledger, size):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, size, role="admin") as page:
        await page.locator(".alert button.ack").first.wait_for()
        await page.locator("#operations table").first.wait_for()
        layout = await outside_the_viewport(page)
        assert layout["bad"] == [] and layout["scrollWidth"] <= layout["width"], layout
        assert await page.locator(".alert button.ack").count() >= 1
        for ack in await page.locator(".alert button.ack").all():
            box = await ack.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
        assert await serious_axe_violations(page) == []
        await shot(page, f"tour-{size[0]}px")
        await page.locator(".alert", has_text="总额控制").locator("button.details").click()
        await page.locator("#alert-detail .settlements li").first.wait_for()
        assert (await outside_the_viewport(page))["bad"] == []
        assert await serious_axe_violations(page) == []
        await shot(page, f"alert-detail-{size[0]}px")


async def test_an_operator_sees_no_admin_forms_and_an_admin_sees_the_backlog_and_lag(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, LAPTOP) as page:
        assert await page.locator("#admin-section").is_hidden()
        assert await page.locator("#budget-form").is_hidden()
    async with browser_page(ledger, LAPTOP, role="admin") as page:
        await page.locator("#operations td.lag").first.wait_for()
        assert await page.locator('#operations section[data-service="ledger"] .dead-letters-none').is_visible()
        lags = [await cell.inner_text() for cell in await page.locator("#operations td.lag").all()]
        assert lags and all(lag == "0" for lag in lags), lags


async def test_an_admin_sets_budgets_and_thresholds_from_the_page_and_sees_them_take_effect(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, LAPTOP, role="admin") as page:
        card = page.locator(f'.pool[data-pool-id="{POOL}"]')
        assert "2026-02-05" in await page.locator("#as-of").inner_text()  # the region's clock: the last settlement
        budget = page.locator("#budget-form")
        await budget.get_by_label("应筹金额（元）").fill("2000000.00")
        await budget.get_by_label("计划支出（元）").fill("1800000.00")
        await budget.locator("button[type=submit]").click()
        # collected 900,000 ÷ 2,000,000 = 45.00%; spent 450,000 ÷ 1,800,000 = 25.00%
        await card.locator("dd", has_text="45.00%").wait_for(timeout=5_000)
        assert "25.00%" in await card.inner_text()
        assert await page.locator("#admin-result").inner_text() == "已保存"

        burn = page.locator(".alert[data-rule='burn_pace']")
        assert await burn.count() == 1
        thresholds = page.locator("#threshold-form")
        await thresholds.get_by_label("规则").select_option("burn_pace")
        await thresholds.get_by_label("黄色阈值").fill("0.30")
        await thresholds.get_by_label("红色阈值").fill("0.40")
        await thresholds.locator("button[type=submit]").click()
        await burn.wait_for(state="detached", timeout=5_000)  # 0.25 − 0.0970 is under 0.30: resolved, not open

        institution = page.locator("#institution-budget-form")
        await institution.get_by_label("机构").select_option(CODE)
        await institution.get_by_label("年度", exact=True).fill("2026")
        await institution.get_by_label("年度总额（元）").fill("1000000.00")
        await institution.locator("button[type=submit]").click()
        meter = page.locator(f"#institutions li[data-code='{CODE}']")
        await meter.get_by_text("45.00%").wait_for(timeout=5_000)  # 450,000 ÷ 1,000,000
        await page.locator(".alert[data-rule='institution_budget']").wait_for(state="detached", timeout=5_000)
        await page.locator("#alert-filters").get_by_label("状态").select_option("resolved")
        assert await page.locator(".alert.state-resolved[data-rule='burn_pace']").count() == 1
        await shot(page, "admin-1366px")


async def test_pools_and_alerts_change_on_the_page_within_two_seconds(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, LAPTOP) as page:
        card = page.locator(f'.pool[data-pool-id="{POOL}"]')
        assert "450000.00" in await card.inner_text()
        started = time.monotonic()
        await ledger.publish(ev.contribution("500240", 2026, "10000.00", ev.at(2026, 2, 6)), ev.at(2026, 2, 6))
        assert await seconds_until_shown(started, card.locator("dd", has_text="460000.00")) <= LIVE_SECONDS
        # 900,000 + 10,000 − 450,000 − 310,000 = 150,000; one settlement of 310,000 is over the large-claim red level
        started = time.monotonic()
        await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "310000.00", ev.at(2026, 2, 7)),
                             ev.at(2026, 2, 7))
        took = await seconds_until_shown(started, page.locator(".alert[data-rule='large_claim']"),
                                         card.locator("dd", has_text="150000.00"))
        assert took <= LIVE_SECONDS
        assert "大额结算" in await page.locator("#alerts-live").inner_text()


async def test_acknowledging_through_the_form_shows_who_and_the_note(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, PHONE) as page:
        alert = page.locator(".alert[data-rule='institution_budget']")
        await alert.locator("button.ack").click()
        dialog = page.locator("#ack-dialog")
        assert await dialog.is_visible()
        assert "H500240077" in await dialog.inner_text()
        await page.get_by_label("处理说明").fill("已联系医院核对二月住院结算")
        await shot(page, "ack-form-390px")
        await dialog.locator("button[type=submit]").click()
        await alert.locator(".acked").wait_for()
        text = await alert.locator(".acked").inner_text()
        assert "operator-tester" in text and "已联系医院核对二月住院结算" in text
        assert await alert.locator("button.ack").count() == 0
        await alert.locator("button.details").click()
        history = page.locator("#alert-detail table.history")
        await history.locator("tr", has_text="operator-tester").wait_for()
        assert "已联系医院核对二月住院结算" in await history.inner_text()
    stored = next(a for a in (await ledger.client.get("/v1/alerts")).json() if a["subject_id"] == CODE)
    assert (stored["state"], stored["acked_by"], stored["ack_note"]) == \
        ("acknowledged", "operator-tester", "已联系医院核对二月住院结算")


async def test_an_alert_drills_down_to_its_settlements_and_their_journal_entries(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, DESKTOP) as page:
        alert = page.locator(".alert[data-rule='institution_budget']")
        assert "0.9" in await alert.inner_text() and "0.80" in await alert.inner_text()
        await alert.locator("button.details").click()
        detail = page.locator("#alert-detail")
        settlements = detail.locator(".settlements li")
        await settlements.first.wait_for()
        # the evidence is the batch that tipped it: the 5 February settlement (360,000 → 450,000 of 500,000
        # crossed 0.80), sent once those of 1-4 February were applied
        listed = [await li.inner_text() for li in await settlements.all()]
        assert 1 <= len(listed) <= 5 and any("2026-02-05" in text for text in listed), listed
        assert all(CODE in text and "90000.00" in text for text in listed), listed
        assert await detail.locator("table.journal tbody tr").count() >= len(listed)
        setl_id = await settlements.first.get_attribute("data-setl-id")
        await settlements.first.locator("button.open-settlement").click()
        shown = page.locator("#settlement-detail")
        await shown.locator("table.journal tbody tr").first.wait_for()
        assert setl_id in await shown.locator("h2").inner_text()
        assert "90000.00" in await shown.locator("table.journal").inner_text()
        await shot(page, "settlement-1920px")
        await page.locator(f'.pool[data-pool-id="{POOL}"] button.show-pool').click()
        await page.locator("#journal-button").click()
        await page.locator("#journal table.journal tbody tr").first.wait_for()
        assert await page.locator("#journal table.journal tbody tr").count() >= 6


async def test_the_page_shows_pools_meters_and_alerts_as_of_a_chosen_business_date(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, PHONE) as page:
        card = page.locator(f'.pool[data-pool-id="{POOL}"]')
        budget_alert = page.locator(".alert[data-rule='institution_budget']")
        await budget_alert.wait_for()
        assert await page.locator("#as-of-date").input_value() == "2026-02-05"  # the region's clock by default
        await page.locator("#as-of-date").fill("2026-02-02")
        # by 2 February: 900,000 collected, two settlements of 90,000 paid; 180,000 of a 500,000 budget is 36%
        await card.filter(has_text="720000.00").wait_for()
        await page.locator(f'#institutions li[data-code="{CODE}"]', has_text="36.00%").wait_for()
        await budget_alert.wait_for(state="detached")
        assert "2026-02-02" in await page.locator("#as-of").inner_text()
        await shot(page, "as-of-390px")
        await page.locator("#as-of-live").click()
        await card.filter(has_text="450000.00").wait_for()
        await budget_alert.wait_for()


async def test_chinese_by_default_english_on_request_and_remembered(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, LAPTOP) as page:
        assert await page.locator("html").get_attribute("lang") == "zh-CN"
        assert await page.locator("h1").inner_text() == "医保基金运行监测台"
        card = page.locator(f'.pool[data-pool-id="{POOL}"]')
        assert "城乡居民基本医疗保险基金" in await card.inner_text()
        assert "重庆市石柱土家族自治县" in await card.inner_text()
        budget_alert = page.locator(".alert[data-rule='institution_budget']")
        assert await budget_alert.locator(".summary").inner_text() == "已用年度总额 90.00%（阈值 80.00%）"
        await page.locator("#lang").click()
        assert await budget_alert.locator(".summary").inner_text() == \
            "90.00% of the global budget used (threshold 80.00%)"
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.locator("h1").inner_text() == "Medical insurance fund console"
        assert "Urban and rural residents' basic medical insurance fund" in await card.inner_text()
        await page.reload()
        await page.locator(f'.pool[data-pool-id="{POOL}"]').wait_for()
        assert await page.locator("h1").inner_text() == "Medical insurance fund console"
        assert "Global budget" in await page.locator(".alert[data-rule='institution_budget']").inner_text()
        await shot(page, "english-1366px")


async def test_the_login_hint_is_a_command_that_makes_a_token_the_console_accepts(ledger):
    await fund_with_alerts(ledger)
    async with browser_page(ledger, PHONE, role=None) as page:
        await page.locator("#login").wait_for()
        command = shlex.split(await page.locator("#token-command").inner_text())
        assert command[0] == "medfund"
        result = await asyncio.to_thread(CliRunner().invoke, medfund_cli, command[1:],
                                         env={"MEDFUND_JWT_SECRET": ledger.settings.jwt_secret})
        assert result.exit_code == 0, result.output
        issued = result.output.strip()
        assert decode_token(Settings(jwt_secret=ledger.settings.jwt_secret), issued).role == "operator"
        await page.get_by_label("令牌").fill(issued)
        await shot(page, "login-390px")
        await page.locator("#login button[type=submit]").click()
        await page.locator(f'.pool[data-pool-id="{POOL}"]').wait_for()
