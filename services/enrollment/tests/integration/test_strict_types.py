"""A year or a count is a JSON integer (issue 22, "Input"): ``2026.0``, ``"2026"``, ``true`` and ``1e3`` get a 422
naming the field on every enrollment body that takes one, and nothing is registered."""

from __future__ import annotations

from datetime import date

import pytest
from idnumbers import make_certno

from medfund_deploy.strict_json import NOT_DIGIT_YEARS, NOT_INTEGERS, PLACEHOLDER, with_raw
from medfund_enrollment.api.answer_models import EligiblePopulation, EnrollmentStatistics
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration


def household(year: object = 2026, **member_fields: object) -> dict:
    member = {"certno": make_certno(date(1981, 5, 5), 41, region="321100"), "psn_name": "孙七", "gend": "1",
              "brdy": "1981-05-05", "employer_code": "EMP1", **member_fields}
    return {"admdvs": "321100", "insutype": "310", "year": year, "enrolled_on": "2026-03-01", "members": [member]}


ROUTES = {
    "enrollment year": ("POST", "/v1/enrollments", household(PLACEHOLDER), "year"),
    "contribution years": ("POST", "/v1/enrollments", household(retired=True, contribution_years=PLACEHOLDER),
                           "members.0.contribution_years"),
    "suspension year": ("POST", "/v1/persons/P404/suspensions",
                        {"year": PLACEHOLDER, "since": "2026-04-01", "reason": "moved_away"}, "year"),
    "reinstatement year": ("POST", "/v1/persons/P404/reinstatements", {"year": PLACEHOLDER, "since": "2026-06-01"},
                           "year"),
    "termination year": ("POST", "/v1/persons/P404/terminations",
                         {"year": PLACEHOLDER, "on": "2026-07-09", "reason": "death"}, "year"),
    "category change year": ("POST", "/v1/persons/P404/category-changes",
                             {"year": PLACEHOLDER, "category": "adult", "reason": "review"}, "year"),
    "person renewal year": ("POST", "/v1/persons/P404/renewals", {"year": PLACEHOLDER}, "year"),
    "household renewal year": ("POST", "/v1/households/H404/renewals", {"year": PLACEHOLDER}, "year"),
    "eligible population": ("PUT", "/v1/regions/500240/years/2026/eligible-population", {"eligible": PLACEHOLDER},
                            "eligible"),
}
CASES = [(route, token) for route in ROUTES for token in NOT_INTEGERS]


@pytest.mark.parametrize(("route", "token"), CASES, ids=[f"{r}-{t}" for r, t in CASES])
async def test_a_year_or_count_that_is_not_a_json_integer_is_refused_naming_it(enrollment, route, token):
    method, path, body, field = ROUTES[route]
    answer = await enrollment.client.request(method, path, content=with_raw(body, token),
                                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field, answer.text
    found = await enrollment.client.get("/v1/persons", params={"certno": household()["members"][0]["certno"]})
    assert found.status_code == 404, found.text


@pytest.mark.parametrize("year", NOT_DIGIT_YEARS)
async def test_a_year_in_the_url_is_plain_digits(enrollment, year):
    answer = await enrollment.client.get(f"/v1/statistics/enrollment?admdvs=500240&year={year}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "year"
    taken = await enrollment.client.get("/v1/statistics/enrollment?admdvs=500240&year=2026")
    assert taken.status_code == 200 and not departures(EnrollmentStatistics, taken.json())


async def test_the_integers_themselves_are_still_taken(enrollment):
    answer = await enrollment.client.post("/v1/enrollments", json=household(retired=True, contribution_years=30))
    assert answer.status_code == 201, answer.text
    population = await enrollment.client.put("/v1/regions/500240/years/2026/eligible-population",
                                             json={"eligible": 1000})
    assert population.status_code == 200, population.text
    assert not departures(EligiblePopulation, population.json())
