"""The console's What-if page (issue 25) as the browser tests drive it: a candidate pack made from a shipped one,
the form filled and submitted, and a result table's cells read. Used by ``test_console_whatif.py`` (adjudication
in-process) and ``tests/e2e/test_whatif_page.py`` (the running stack)."""

from __future__ import annotations

import copy

import yaml
from test_console_browser import PHONE, outside_the_viewport, serious_axe_violations

from medfund_shared.policy.pack_set import shipped_packs_dir

SHIPPED = shipped_packs_dir() / "211302-390-2015-01-01.yaml"


def candidate_document(ratio: float) -> dict:
    """The shipped 211302 pack with the in-county secondary inpatient ratio changed."""
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    changed = copy.deepcopy(document)
    changed["inpatient"]["schedule"]["in_county"]["secondary"]["ratio"] = ratio
    return changed


def candidate_yaml(ratio: float) -> bytes:
    """That pack as the YAML file an operator uploads."""
    return yaml.safe_dump(candidate_document(ratio), allow_unicode=True, sort_keys=False).encode()


async def open_whatif(page, url: str, token: str, admdvs: str = "211302", year: str = "2026") -> None:
    """The console signed in with ``token``, live, the What-if form on ``admdvs`` and ``year``."""
    await page.goto(f"{url}/?token={token}")
    await page.locator("#status[data-key='live']").wait_for()
    await page.locator(f'#whatif-region option[value="{admdvs}"]').wait_for(state="attached")
    await page.select_option("#whatif-region", admdvs)
    await page.fill("#whatif-year", year)


async def run_whatif(page, pack: bytes, share_rise: str = "0.00") -> None:
    """Upload ``pack`` (YAML) with ``share_rise``, submit, and wait until the page says the simulation is done."""
    await page.fill("#whatif-share-rise", share_rise)
    await page.set_input_files("#whatif-pack", files=[{"name": "candidate.yaml", "mimeType": "text/yaml",
                                                      "buffer": pack}])
    await page.click("#whatif-submit")
    await page.locator('#whatif-status[data-status="done"]').wait_for(timeout=120_000)
    assert await page.locator("#whatif-error").inner_text() == ""


async def cells(page, selector: str) -> list[str]:
    """The texts of the row's (or rows') header and data cells, in order."""
    return [await c.inner_text() for c in await page.locator(selector).locator("td, th").all()]


async def fits_and_axe_finds_nothing_serious(page) -> None:
    """Every action inside the viewport, no sideways scrolling, no serious or critical axe violation."""
    layout = await outside_the_viewport(page)
    assert layout["bad"] == [] and layout["scrollWidth"] <= layout["width"], layout
    assert await serious_axe_violations(page) == []


async def switch_to_english(page) -> None:
    await page.click("#lang")
    await page.locator("#whatif-title", has_text="What if the policy changes").wait_for()


async def narrowed_to_a_phone(page) -> None:
    """The page at 390 px once its charts have redrawn to the width: still every action inside the viewport."""
    await page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    await page.wait_for_function("() => [...document.querySelectorAll('#whatif-result canvas')]"
                                 ".every((c) => c.getBoundingClientRect().right <= innerWidth)")
    layout = await outside_the_viewport(page)
    assert layout["bad"] == [] and layout["scrollWidth"] <= layout["width"], layout
