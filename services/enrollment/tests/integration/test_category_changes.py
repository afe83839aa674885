"""Category changes: the most favourable category wins, the premium is recomputed, billing is told."""

from datetime import date

import pytest
from idnumbers import make_certno
from topics import events_about

from medfund_enrollment.api.answer_models import AuditOut, CategoryChangeOut
from medfund_shared.auth import issue_token
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration


async def registered(enrollment, serial: int, insutype="390", year=2026) -> str:
    brdy, resident = date(1970, 3, 2), insutype == "390"
    member = {"certno": make_certno(brdy, serial, region="500244"), "psn_name": "周八", "gend": "1",
              "brdy": brdy.isoformat(), "category": "adult"} | ({} if resident else {"employer_code": "EMP1"})
    body = {"admdvs": "500240" if resident else "321100", "insutype": insutype, "year": year,
            "tier": "tier1" if resident else None, "enrolled_on": "2025-10-10", "members": [member]}
    response = await enrollment.client.post("/v1/enrollments", json=body)
    assert response.status_code == 201, response.text
    return response.json()["members"][0]["psn_no"]


async def change(enrollment, psn_no: str, **body):
    return await enrollment.client.post(f"/v1/persons/{psn_no}/category-changes",
                                        json={"year": 2026, "reason": "民政认定低保", "changed_on": "2026-03-15",
                                              **body})


async def test_becoming_dibao_moves_the_premium_to_the_government_and_tells_billing(enrollment):
    psn_no = await registered(enrollment, 1)
    response = await change(enrollment, psn_no, categories=["adult", "dibao"])
    assert response.status_code == 201, response.text
    reply = response.json()
    assert not departures(CategoryChangeOut, reply)
    assert (reply["changed"], reply["previous_category"], reply["category"], reply["premium_due"],
            reply["on_behalf_due"]) == (True, "adult", "dibao", "0.00", "140.00")
    person = await enrollment.person(psn_no)
    assert (person["category"], person["enrollments"][0]["categories"]) == ("dibao", ["adult", "dibao"])
    audit_view = (await enrollment.client.get(f"/v1/persons/{psn_no}/audit")).json()
    assert not departures(AuditOut, audit_view)
    audit = audit_view["entries"]
    assert (audit[-1]["action"], audit[-1]["actor"], audit[-1]["effective_on"]) == \
        ("category_changed", "operator-7", "2026-03-15")
    events = await events_about(enrollment.settings, psn_no, "person.category_changed.v1", 1)
    assert [(e.data["category"], e.data["premium_due"], e.data["on_behalf_due"], e.data["reason"],
             e.data["actor"], e.effectivetime.date().isoformat()) for e in events] == \
        [("dibao", "0.00", "140.00", "民政认定低保", "operator-7", "2026-03-15")]


async def test_a_partial_subsidy_lowers_the_premium_and_repeating_a_change_emits_nothing(enrollment):
    psn_no = await registered(enrollment, 2)
    first = (await change(enrollment, psn_no, category="disabled_moderate")).json()
    assert (first["premium_due"], first["on_behalf_due"]) == ("56.00", "84.00")
    again = (await change(enrollment, psn_no, category="disabled_moderate")).json()
    assert again["changed"] is False
    await change(enrollment, psn_no, category="dibao")
    events = await events_about(enrollment.settings, psn_no, "person.category_changed.v1", 2)
    assert [e.data["category"] for e in events] == ["disabled_moderate", "dibao"]  # nothing from the repeat


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"category": "martian"}, 422, "unknown_category"),
    ({}, 422, "missing_category"),
    ({"category": "dibao", "changed_on": "2025-09-01"}, 422, "invalid_date"),
    ({"category": "dibao", "year": 2027}, 404, "not_enrolled"),
])
async def test_a_change_the_rules_refuse_names_its_reason(enrollment, body, status, code):
    psn_no = await registered(enrollment, 3 + len(str(body)) % 50)
    response = await change(enrollment, psn_no, **body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text


async def test_the_employee_scheme_has_no_categories_to_change(enrollment):
    psn_no = await registered(enrollment, 60, insutype="310")
    response = await change(enrollment, psn_no, category="dibao")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_enrolled")


async def test_only_staff_change_categories(enrollment):
    psn_no = await registered(enrollment, 61)
    token = issue_token(enrollment.settings, "his", fixmedins_code="H21130200001")
    response = await enrollment.client.post(f"/v1/persons/{psn_no}/category-changes",
                                            json={"year": 2026, "category": "dibao", "reason": "x"},
                                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
