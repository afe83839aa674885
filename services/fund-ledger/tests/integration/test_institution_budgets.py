"""An institution's global budget belongs to one year: registered or set, it never applies to another."""

from __future__ import annotations

import ledger_events as ev
import pytest

pytestmark = pytest.mark.integration
CODE = "H500240077"


async def budget_alerts(ledger) -> list[dict]:
    alerts = (await ledger.client.get("/v1/alerts")).json()
    return [a for a in alerts if a["subject_id"] == CODE]


async def test_a_budget_registered_for_2026_is_not_2027s(ledger):
    await ledger.publish(ev.institution(CODE, "500240", "100000.00", budget_year=2026), ev.at(2026, 1, 1))
    when = ev.at(2026, 3, 1)
    await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "90000.00", when), when)
    await ledger.wait_applied()
    # 2026: 90,000 of 100,000 = 90%: yellow
    [fired] = await budget_alerts(ledger)
    assert (fired["state"], fired["severity"], fired["measure"]) == ("firing", "yellow", "0.9000")

    when = ev.at(2027, 3, 1)
    await ledger.publish(ev.settlement("500240", 2027, CODE, "21", "90000.00", when), when)
    await ledger.wait_applied()
    # 2027 has no budget: the institution's alert resolves, saying why
    [resolved] = await budget_alerts(ledger)
    assert (resolved["state"], resolved["measure"]) == ("resolved", None)
    assert resolved["message"] == "measure undefined: no global budget for 2027"

    set_2027 = await ledger.client.put(f"/v1/institutions/{CODE}/budget",
                                       json={"year": 2027, "annual_budget": "80000.00"})
    assert set_2027.json() == {"fixmedins_code": CODE, "year": 2027, "annual_budget": "80000.00",
                               "fund_paid": "90000.00"}
    # 2027's 90,000 of its own 80,000 = 112.5%: red
    [red] = [a for a in await budget_alerts(ledger) if a["state"] == "firing"]
    assert (red["severity"], red["measure"]) == ("red", "1.1250")


async def test_a_budget_for_an_institution_the_ledger_does_not_know_is_refused(ledger):
    unknown = await ledger.client.put("/v1/institutions/H404/budget", json={"year": 2026, "annual_budget": "1.00"})
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "fixmedins_code"


async def test_a_registration_without_a_budget_year_sets_no_budget(ledger):
    await ledger.publish(ev.institution(CODE, "500240", "100.00", budget_year=None), ev.at(2026, 1, 1))
    when = ev.at(2026, 3, 1)
    await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "90000.00", when), when)
    await ledger.wait_applied()
    assert await budget_alerts(ledger) == []
