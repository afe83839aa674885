"""The operators' dashboard in a real headless Chromium: pools and a firing alert render, acknowledge works."""

from __future__ import annotations

import shutil
from pathlib import Path

import ledger_events as ev
import pytest

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).parents[4] / ".state" / "test" / "screenshots" / "dashboard.png"


async def test_the_dashboard_shows_pools_and_a_live_alert_and_acknowledges_it(ledger):
    from playwright.async_api import async_playwright

    assert shutil.which(CHROMIUM), "needs Debian's chromium: `make setup` installs it"

    code, pool = "H500240077", "500240:390100:2026"
    budget = {"budget_due": "1000000.00", "planned_expenditure": "800000.00"}
    await ledger.client.put(f"/v1/pools/{pool}/budget", json=budget)
    await ledger.publish(ev.institution(code, "500240", "500000.00"), ev.at(2026, 1, 1))
    await ledger.publish(ev.contribution("500240", 2026, "900000.00", ev.at(2025, 12, 1)), ev.at(2025, 12, 1))
    await ledger.publish(ev.settlement("500240", 2026, code, "21", "90000.00", ev.at(2026, 2, 1)), ev.at(2026, 2, 1))
    await ledger.wait_applied(3)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("dialog", lambda dialog: dialog.accept("checked by the test"))
        await page.goto(f"{ledger.url}/?token={ledger.token('operator')}")
        await page.wait_for_selector(f"#pools td:text('{pool}')")
        await page.wait_for_selector("#status:text('live')")
        for day in (2, 3, 4, 5):
            await ledger.publish(ev.settlement("500240", 2026, code, "21", "90000.00", ev.at(2026, 2, day)),
                                 ev.at(2026, 2, day))
        row = page.locator("#alerts tr", has_text="institution_budget")
        await row.wait_for(timeout=30_000)
        assert await row.locator(".sev").inner_text() in ("yellow", "red")
        assert await page.locator("#burn rect").count() == 1
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        await row.locator("button.ack").click()
        await page.locator("#alerts tr.state-acknowledged").wait_for()
        await browser.close()
    acked = [a for a in (await ledger.client.get("/v1/alerts")).json() if a["subject_id"] == code]
    assert acked[0]["state"] == "acknowledged" and acked[0]["ack_note"] == "checked by the test"
