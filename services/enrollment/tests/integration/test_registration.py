"""Registering households: the shape of interfaces.md, refusals, idempotency and races."""

import asyncio
from datetime import date

import pytest
from idnumbers import make_certno

from medfund_enrollment.api.answer_models import HouseholdOut, PersonOut, Registered, Renewed
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration


def household(*members, admdvs="500240", year=2026, tier="tier1", **extra) -> dict:
    return {"admdvs": admdvs, "insutype": "390", "year": year, "tier": tier, "enrolled_on": "2025-10-10",
            "members": list(members), **extra}


def member(brdy: date, serial: int, category="adult", region="500240", **extra) -> dict:
    return {"certno": make_certno(brdy, serial, region=region), "psn_name": "张三", "gend": "1",
            "brdy": brdy.isoformat(), "category": category, **extra}


async def test_a_household_is_registered_with_person_numbers_and_premiums(enrollment):
    body = household(member(date(1970, 3, 2), 11), member(date(2015, 8, 1), 12, "minor"),
                     member(date(1960, 1, 1), 13, categories=["adult", "dibao"]), tier="tier2")
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == 201, response.text
    reply = response.json()
    assert not departures(Registered, reply)
    assert [m["premium_due"] for m in reply["members"]] == ["350.00", "350.00", "210.00"]
    assert reply["members"][2]["on_behalf_due"] == "140.00"  # dibao: the tier-1 premium is paid for them
    assert {m["status"] for m in reply["members"]} == {"registered"}
    person = await enrollment.person(reply["members"][2]["psn_no"])
    assert (person["category"], person["tier"]) == ("dibao", "tier2")
    household_view = (await enrollment.client.get(f"/v1/households/{reply['household_id']}")).json()
    assert len(household_view["members"]) == 3 and not departures(HouseholdOut, household_view)
    found = await enrollment.client.get("/v1/persons", params={"certno": body["members"][0]["certno"]})
    assert not departures(PersonOut, found.json())
    assert found.json()["psn_no"] == reply["members"][0]["psn_no"]


async def test_the_same_person_in_another_household_the_same_year_is_a_duplicate(enrollment):
    first = await enrollment.client.post("/v1/enrollments", json=household(member(date(1980, 1, 1), 21)))
    assert first.status_code == 201
    second = await enrollment.client.post("/v1/enrollments", json=household(member(date(1980, 1, 1), 21)))
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "duplicate_enrollment"


@pytest.mark.parametrize(("change", "status", "code", "field"), [
    ({"members": [{**member(date(1980, 1, 1), 31), "certno": "500240198001013110"}]}, 422, "invalid_certno",
     "members.0.certno"),
    ({"admdvs": "999999"}, 422, "no_policy_pack", "admdvs"),
    ({"year": 2025}, 422, "no_policy_pack", "admdvs"),
    ({"members": [member(date(1980, 1, 1), 32, "martian")]}, 422, "unknown_category", "members.0.category"),
    ({"members": [{**member(date(1980, 1, 1), 33), "brdy": "1980-01-02"}]}, 422, "brdy_mismatch", "members.0.brdy"),
    ({"members": [{**member(date(1980, 1, 1), 34), "gend": "2"}]}, 422, "gend_mismatch", "members.0.gend"),
    ({"tier": "gold"}, 422, "unknown_tier", "tier"),
    ({"year": "next"}, 422, "invalid", "year"),
    ({"year": 9999}, 422, "invalid", "year"),
    ({"enrolled_on": "9999-01-01"}, 422, "invalid", "enrolled_on"),
    ({"members": [{**member(date(1980, 1, 1), 35), "event_date": "1900-01-01"}]}, 422, "invalid",
     "members.0.event_date"),
])
async def test_bad_input_is_refused_with_its_field_and_changes_nothing(enrollment, change, status, code, field):
    body = {**household(member(date(1980, 1, 1), 30)), **change}
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == status, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    certno = body["members"][0]["certno"]
    assert (await enrollment.client.get("/v1/persons", params={"certno": certno})).status_code == 404


async def test_a_retry_with_the_idempotency_key_gets_the_first_answer_and_other_content_is_409(enrollment):
    body = household(member(date(1981, 1, 1), 41))
    headers = {"Idempotency-Key": "reg-41"}
    first = await enrollment.client.post("/v1/enrollments", json=body, headers=headers)
    again = await enrollment.client.post("/v1/enrollments", json=body, headers=headers)
    other = await enrollment.client.post("/v1/enrollments", json=household(member(date(1981, 1, 1), 42)),
                                         headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 409


async def test_two_concurrent_registrations_of_one_person_give_one_201_and_one_409(enrollment):
    body = household(member(date(1982, 1, 1), 51))
    responses = await asyncio.gather(*(enrollment.client.post("/v1/enrollments", json=body) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [201, 409]


async def test_a_missing_token_is_401_and_a_hospital_token_is_403(enrollment):
    body = household(member(date(1983, 1, 1), 61))
    anonymous = await enrollment.client.post("/v1/enrollments", json=body, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    from medfund_shared.auth import issue_token
    his = issue_token(enrollment.settings, "his", fixmedins_code="H1")
    denied = await enrollment.client.post("/v1/enrollments", json=body, headers={"Authorization": f"Bearer {his}"})
    assert denied.status_code == 403


async def test_a_person_and_a_household_are_renewed_for_the_next_year_as_renewals(enrollment):
    alone = (await enrollment.client.post("/v1/enrollments", json=household(member(date(1971, 4, 5), 71)))).json()
    pair = (await enrollment.client.post("/v1/enrollments", json=household(
        member(date(1972, 4, 5), 72), member(date(1973, 4, 5), 73)))).json()
    psn_no = alone["members"][0]["psn_no"]
    renewal = {"year": 2027, "enrolled_on": "2026-10-01"}
    person = await enrollment.client.post(f"/v1/persons/{psn_no}/renewals", json=renewal)
    assert person.status_code == 201, person.text
    assert not departures(Renewed, person.json())
    assert (person.json()["household_id"], person.json()["year"]) == (alone["household_id"], 2027)
    assert [(m["psn_no"], m["enrollment_kind"]) for m in person.json()["members"]] == [(psn_no, "renewal")]
    both = await enrollment.client.post(f"/v1/households/{pair['household_id']}/renewals", json=renewal)
    assert both.status_code == 201, both.text
    assert not departures(Renewed, both.json())
    assert sorted(m["psn_no"] for m in both.json()["members"]) == sorted(m["psn_no"] for m in pair["members"])
