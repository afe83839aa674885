"""The ledger's admin doors take a year as a JSON integer only (issue 22, "Input"): ``2026.0``, ``"2026"``, ``true``
and ``1e3`` get a 422 naming ``year`` and change nothing; a year in the URL is plain digits. Negative budgets and
budgets for unknown institutions: ``test_ledger_ranges`` and ``test_institution_budgets``."""

from __future__ import annotations

import ledger_events as ev
import pytest
from test_ledger_ranges import execute

from medfund_deploy.strict_json import NOT_DIGIT_YEARS, NOT_INTEGERS

pytestmark = pytest.mark.integration
CODE = "H500240077"

@pytest.mark.parametrize("token", NOT_INTEGERS)
async def test_an_institution_budget_year_that_is_not_a_json_integer_is_refused(ledger, token):
    await ledger.publish(ev.institution(CODE, "500240", "100.00"), ev.at(2026, 1, 1))
    await ledger.wait_applied()
    before = await execute(ledger, "SELECT year, amount FROM institution_budgets ORDER BY year")
    body = f'{{"year": {token}, "annual_budget": "5.00"}}'
    answer = await ledger.client.put(f"/v1/institutions/{CODE}/budget", content=body,
                                     headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "year"
    assert await execute(ledger, "SELECT year, amount FROM institution_budgets ORDER BY year") == before
    taken = await ledger.client.put(f"/v1/institutions/{CODE}/budget", json={"year": 2026, "annual_budget": "5.00"})
    assert taken.status_code == 200, taken.text

@pytest.mark.parametrize("year", NOT_DIGIT_YEARS)
async def test_a_statistics_year_in_the_url_is_plain_digits(ledger, year):
    answer = await ledger.client.get(f"/v1/statistics?admdvs=500240&year={year}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "year"
