"""The registry takes an institution's global budget for one given year; bad budgets change nothing."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration
BODY = {"name": "县人民医院", "admdvs": "211302", "level": "secondary", "annual_budget": "1000000.00"}


async def stored_budget(settings, code: str):
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as db:
            return (await db.execute(text("SELECT annual_budget_fen, budget_year FROM institutions "
                                          "WHERE fixmedins_code = :c"), {"c": code})).first()
    finally:
        await engine.dispose()


async def test_a_budget_is_registered_for_its_given_year(gateway, adjudication_settings):
    code = f"H{secrets.token_hex(4).upper()}"
    for year in (2026, 2027):
        response = await gateway.client.put(f"/v1/institutions/{code}", headers=gateway.admin,
                                            json={**BODY, "budget_year": year})
        assert response.status_code == 200 and response.json()["budget_year"] == year
    assert tuple(await stored_budget(adjudication_settings, code)) == (100000000, 2027)


@pytest.mark.parametrize("change, field", [({"annual_budget": "-1.00"}, None), ({"budget_year": 9999}, "budget_year"),
                                           ({"budget_year": 1989}, "budget_year")])
async def test_negative_budgets_and_years_out_of_range_are_refused(gateway, adjudication_settings, change, field):
    code = f"H{secrets.token_hex(4).upper()}"
    response = await gateway.client.put(f"/v1/institutions/{code}", headers=gateway.admin,
                                        json={**BODY, "budget_year": 2026, **change})
    assert response.status_code == 422, response.text
    if field:
        assert response.json()["error"]["field"] == field
    assert await stored_budget(adjudication_settings, code) is None
