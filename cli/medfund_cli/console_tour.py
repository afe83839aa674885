"""``medfund console tour``: screenshots of every element of the operators' console on a running stack.

Drives Debian's Chromium (Playwright) through the ledger's console as an admin, at a phone's 390 px and desktop
1366 and 1920 px, and saves one numbered PNG per element to ``.state/<profile>/screenshots/``. It only reads and
opens forms: nothing is submitted, so the stack's data are left as they were."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from medfund_deploy import services
from medfund_deploy.profiles import get_profile
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

CHROMIUM = "/usr/bin/chromium"
SIZES = {"390": (390, 844), "1366": (1366, 768), "1920": (1920, 1080)}
WAIT_MS = 30_000
ELEMENTS = ("page", "header", "pools", "charts", "journal", "budget-meters", "alerts", "alert-detail", "settlement",
            "ack-form", "admin-forms", "dead-letters-and-lag", "as-of-header", "as-of-pools", "as-of-budget-meters",
            "as-of-alerts", "english", "whatif")
"""What the tour shoots, in order: ``<width>-<nn>-<element>.png`` with nn its place here (a number is missing when
the stack has nothing to show for it, e.g. no alert with a settlement behind it yet)."""
ALERTS_TRIED = 8
"""Alerts whose detail the tour opens looking for one with a settlement behind it."""

app = typer.Typer(help="The operators' console (docs/console.md).", no_args_is_help=True)


@app.command("tour")
def tour(
    profile: Annotated[str, typer.Option("--profile", help="the stack whose ledger serves the console")] = "dev",
    out: Annotated[Path | None, typer.Option("--out", help="where the PNGs go (default: .state/<profile>/"
                                             "screenshots)")] = None,
) -> None:
    """Screenshot each element of the console (pools, charts, meters, alerts, alert detail and settlement, the ack
    form, admin forms, dead letters and lag, as_of, English) at 390, 1366 and 1920 px, as an admin."""
    stack = get_profile(profile)
    directory = out or stack.state_dir / "screenshots"
    if not shutil.which(CHROMIUM):
        typer.echo(f"error: {CHROMIUM} is missing (`make setup` installs it)", err=True)
        raise typer.Exit(1)
    token = issue_token(Settings(), "admin", subject="console-tour")
    try:
        saved = asyncio.run(take_tour(services.url(stack, "ledger"), token, directory))
    except TourError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for path in saved:
        typer.echo(str(path))


class TourError(RuntimeError):
    """The console did not show what the tour came to see."""


async def take_tour(ledger_url: str, token: str, directory: Path,
                    sizes: dict[str, tuple[int, int]] = SIZES) -> list[Path]:
    """Every element at each width of ``sizes``; the paths of the PNGs, in order."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    directory.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for width, viewport in sizes.items():
                context = await browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
                page = await context.new_page()
                try:
                    saved += await _one_width(page, ledger_url, token, directory, width)
                except PlaywrightError as error:
                    raise TourError(f"at {width} px: {error.message.splitlines()[0]}") from None
                finally:
                    await context.close()
        finally:
            await browser.close()
    return saved


async def _one_width(page, ledger_url: str, token: str, directory: Path, width: str) -> list[Path]:
    saved: list[Path] = []

    async def shoot(name: str, locator) -> None:
        await locator.scroll_into_view_if_needed(timeout=WAIT_MS)
        path = directory / f"{width}-{ELEMENTS.index(name) + 1:02d}-{name}.png"
        await locator.screenshot(path=str(path), timeout=WAIT_MS)
        saved.append(path)

    async def step(name: str, action: Callable[[], Awaitable[object]], locator) -> None:
        await action()
        await shoot(name, locator)

    await _open(page, f"{ledger_url}/?token={token}")
    await shoot("page", page.locator("body"))
    await shoot("header", page.locator("header"))
    await shoot("pools", page.locator("#pools-section"))
    await shoot("charts", page.locator("#history-section"))
    await page.locator("#journal-button").click()
    await page.locator("#journal table").wait_for(timeout=WAIT_MS)
    await shoot("journal", page.locator("#journal"))
    await shoot("budget-meters", page.locator("#institutions-section"))
    await shoot("alerts", page.locator("#alerts-section"))
    await _alert_detail(page, shoot)
    await _ack_form(page, shoot)
    await shoot("admin-forms", page.locator("#admin-section"))
    await shoot("dead-letters-and-lag", page.locator("#operations"))
    await _open(page, f"{ledger_url}/")
    await _as_of(page, shoot)
    await page.locator("#lang").click()
    await page.locator("html[lang='en']").wait_for(state="attached", timeout=WAIT_MS)
    await shoot("english", page.locator("body"))
    await page.locator("#lang").click()
    await shoot("whatif", page.locator("#whatif-section"))
    return saved


async def _open(page, url: str) -> None:
    """The page with everything loaded: pools, both streams live, the charts and the operations view."""
    await page.goto(url)
    await page.locator(".pool").first.wait_for(timeout=WAIT_MS)
    await page.locator("#status[data-key='live']").wait_for(timeout=WAIT_MS)
    await page.locator("#operations section.service").first.wait_for(timeout=WAIT_MS)


async def _alert_detail(page, shoot) -> None:
    """An alert's detail (history, evidence): the first of the alerts (resolved ones included) with a settlement
    behind it, whose settlement is shot too; else the first alert's."""
    await page.locator(".alert button.details").first.wait_for(timeout=WAIT_MS)
    await page.locator("#alert-filters select[name='state']").select_option("all")
    details = page.locator(".alert button.details")
    for n in range(min(await details.count(), ALERTS_TRIED)):
        await details.nth(n).click()
        await page.locator("#alert-detail:not([hidden])").wait_for(timeout=WAIT_MS)
        await page.locator("#alert-detail h3").first.wait_for(timeout=WAIT_MS)
        if await page.locator("#alert-detail button.open-settlement").count():
            break
    await shoot("alert-detail", page.locator("#alert-detail"))
    settlement = page.locator("#alert-detail button.open-settlement").first
    if await settlement.count():
        await settlement.click()
        await page.locator("#settlement-detail:not([hidden])").wait_for(timeout=WAIT_MS)
        await shoot("settlement", page.locator("#settlement-detail"))
    await page.locator("#alert-filters select[name='state']").select_option("open")


async def _ack_form(page, shoot) -> None:
    """The acknowledge form of the first firing alert, filled in but cancelled: the tour changes nothing."""
    ack = page.locator(".alert button.ack").first
    if not await ack.count():
        return
    await ack.click()
    await page.locator("#ack-note").fill("已联系医院核实 (tour: not submitted)")
    await shoot("ack-form", page.locator("#ack-dialog"))
    await page.locator("#ack-cancel").click()


async def _as_of(page, shoot) -> None:
    """A week before the region's clock, then back to now."""
    clock = await page.locator("#as-of-date").input_value()
    if not clock:
        return
    day = (date.fromisoformat(clock) - timedelta(days=7)).isoformat()
    await page.locator("#as-of-date").fill(day)
    await page.locator("#as-of", has_text=day).wait_for(timeout=WAIT_MS)
    for name, section in (("header", "header"), ("pools", "#pools-section"), ("budget-meters", "#institutions-section"),
                          ("alerts", "#alerts-section")):
        await shoot(f"as-of-{name}", page.locator(section))
    await page.locator("#as-of-live").click()
    await page.locator("#as-of-live[hidden]").wait_for(state="attached", timeout=WAIT_MS)
