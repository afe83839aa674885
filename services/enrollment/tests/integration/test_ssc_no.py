"""The optional social-security card number: kept per person, refused when malformed, read back."""

from datetime import date

import pytest
from idnumbers import make_certno

pytestmark = pytest.mark.integration


def registration(certno: str, brdy: date, **member) -> dict:
    return {"admdvs": "500240", "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-10",
            "members": [{"certno": certno, "psn_name": "赵六", "gend": "1", "brdy": brdy.isoformat(),
                         "category": "adult", **member}]}


async def test_a_card_number_given_is_kept_upper_cased_and_shown_with_the_person(enrollment):
    brdy = date(1979, 4, 5)
    response = await enrollment.client.post("/v1/enrollments", json=registration(
        make_certno(brdy, 61), brdy, ssc_no="a1234567890"))
    assert response.status_code == 201, response.text
    person = await enrollment.person(response.json()["members"][0]["psn_no"])
    assert person["ssc_no"] == "A1234567890"


async def test_without_a_card_number_the_person_has_none(enrollment):
    brdy = date(1979, 4, 6)
    response = await enrollment.client.post("/v1/enrollments", json=registration(make_certno(brdy, 62), brdy))
    assert response.status_code == 201, response.text
    assert (await enrollment.person(response.json()["members"][0]["psn_no"]))["ssc_no"] is None


@pytest.mark.parametrize("ssc_no", ["12345678901234567890X", "AB-123", "卡号123", "A 1"])
async def test_a_malformed_card_number_is_refused_and_registers_nobody(enrollment, ssc_no):
    brdy = date(1979, 4, 7)
    certno = make_certno(brdy, 63)
    response = await enrollment.client.post("/v1/enrollments", json=registration(certno, brdy, ssc_no=ssc_no))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "members.0.ssc_no"
    assert (await enrollment.client.get("/v1/persons", params={"certno": certno})).status_code == 404


async def test_the_csv_batch_takes_an_optional_ssc_no_column_and_reports_a_bad_one(enrollment):
    good, bad = date(1979, 4, 8), date(1979, 4, 9)
    lines = ["household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on,ssc_no",
             f"SSC1,500240,390,2026,tier1,{make_certno(good, 64)},赵六,1,{good},adult,2025-10-10,Z9",
             f"SSC2,500240,390,2026,tier1,{make_certno(bad, 65)},赵六,1,{bad},adult,2025-10-10,Z-9"]
    response = await enrollment.client.post("/v1/enrollments/batches", content="\n".join(lines).encode(),
                                            headers={"Content-Type": "text/csv"})
    assert response.status_code == 202, response.text
    report = response.json()
    assert report["accepted"] == 1
    assert [(r["line"], r["code"], r["field"]) for r in report["rejected"]] == [(3, "invalid_ssc_no", "ssc_no")]
    found = await enrollment.client.get("/v1/persons", params={"certno": make_certno(good, 64)})
    assert found.json()["ssc_no"] == "Z9"
