"""Hostile input to the ledger's admin doors (issue 22, "Input"): money fields sent as objects, null or in
other digits, years that are not whole numbers and text with control characters get a 422 naming the field
and change nothing."""

from __future__ import annotations

import pytest
from test_ledger_ranges import POOL, execute

pytestmark = pytest.mark.integration
TO_POOL = "500240:390200:2026"
BAD_AMOUNTS = [{}, None, "１２.５０", "١٢", "1E+2", ".5", "380.", " 12.50"]


def _routes(bad) -> list[tuple[str, str, dict, str]]:
    transfer = {"transfer_id": "t1", "to_pool_id": TO_POOL, "amount": "1.00", "effective_date": "2026-01-01"}
    return [
        ("put", "/v1/institutions/H1/budget", {"year": 2026, "annual_budget": bad}, "annual_budget"),
        ("put", f"/v1/pools/{POOL}/budget", {"budget_due": bad, "planned_expenditure": "1.00"}, "budget_due"),
        ("put", f"/v1/pools/{POOL}/budget", {"budget_due": "1.00", "planned_expenditure": bad}, "planned_expenditure"),
        ("post", f"/v1/pools/{POOL}/transfers", transfer | {"amount": bad}, "amount"),
    ]


CASES = [(route, bad) for bad in BAD_AMOUNTS for route in range(4)]


@pytest.mark.parametrize(("route", "bad"), CASES, ids=[f"{r}-{b!r}" for r, b in CASES])
async def test_a_money_field_that_is_not_an_amount_is_refused_naming_it(ledger, route, bad):
    method, path, body, field = _routes(bad)[route]
    response = await getattr(ledger.client, method)(path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert await execute(ledger, "SELECT pool_id FROM pools") == []


@pytest.mark.parametrize("year", [2026.5, "2026a", "２０２６", None, {}])
async def test_an_institution_budget_year_that_is_not_a_whole_number_is_refused(ledger, year):
    response = await ledger.client.put("/v1/institutions/H1/budget", json={"year": year, "annual_budget": "1.00"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "year"
    assert await execute(ledger, "SELECT fixmedins_code FROM institution_budgets") == []


async def test_a_transfer_memo_with_a_nul_is_refused(ledger):
    response = await ledger.client.post(f"/v1/pools/{POOL}/transfers", json={
        "transfer_id": "t9", "to_pool_id": TO_POOL, "amount": "1.00", "effective_date": "2026-01-01",
        "memo": "拨付\x00"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "memo", response.text
