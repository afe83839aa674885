"""Hostile input to enrollment (issue 22, "Input"): a bad line of a batch is refused with its line number while
the valid lines are kept; names are bounded and free of control characters; ID numbers and years are ASCII."""

from __future__ import annotations

from datetime import date

import pytest
from idnumbers import make_certno

pytestmark = pytest.mark.integration
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HEADER = "household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on"


def small_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def row(household_key: str, brdy: date, serial: int) -> str:
    certno = make_certno(brdy, serial, region="500240")
    return f"{household_key},500240,390,2026,tier1,{certno},赵六,1,{brdy},adult,2025-10-01"


def household(*members, admdvs="500240") -> dict:
    return {"admdvs": admdvs, "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-10",
            "members": list(members)}


def member(brdy: date, serial: int, **extra) -> dict:
    return {"certno": make_certno(brdy, serial, region="500240"), "psn_name": "张三", "gend": "1",
            "brdy": brdy.isoformat(), "category": "adult", **extra}


async def test_a_batch_with_hostile_lines_keeps_the_valid_ones_and_names_each_bad_line(enrollment):
    nul_name = row("N1", date(1971, 1, 1), 11).replace("赵六", "赵\x00六")
    long_name = row("N2", date(1972, 1, 1), 12).replace("赵六", "赵" * 51)
    wide_certno = row("N3", date(1973, 1, 1), 13)
    wide_certno = wide_certno.replace(make_certno(date(1973, 1, 1), 13, region="500240"),
                                      make_certno(date(1973, 1, 1), 13, region="500240").translate(FULLWIDTH))
    wide_year = row("N4", date(1974, 1, 1), 14).replace(",2026,", ",２０２６,")
    body = small_file(row("G1", date(1970, 1, 1), 10), nul_name, long_name, wide_certno, wide_year)
    body += row("U1", date(1975, 1, 1), 15).replace("赵六", "\x01").encode().replace(b"\x01", b"\xff\xfe") + b"\n"
    body += (row("G2", date(1976, 1, 1), 16) + "\n").encode()
    answer = await enrollment.client.post("/v1/enrollments/batches", content=body,
                                          headers={"Content-Type": "text/csv"})
    assert answer.status_code == 202, answer.text
    report = answer.json()
    assert (report["status"], report["received"], report["accepted"]) == ("done", 7, 2), report
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [
        (3, "invalid_name"), (4, "invalid_name"), (5, "invalid_certno"), (6, "invalid_field"), (7, "invalid_encoding")]
    for kept in ((date(1970, 1, 1), 10), (date(1976, 1, 1), 16)):
        person = await enrollment.client.get("/v1/persons", params={"certno": make_certno(*kept, region="500240")})
        assert person.status_code == 200, person.text


@pytest.mark.parametrize(("change", "field"), [
    ({"psn_name": "名" * 51}, "psn_name"), ({"psn_name": "赵\x00六"}, "psn_name"),
    ({"monthly_pension": {}}, "monthly_pension"), ({"monthly_pension": "１２.５０"}, "monthly_pension"),
], ids=["long-name", "nul-name", "pension-object", "pension-fullwidth"])
async def test_a_hostile_member_is_refused_naming_the_field(enrollment, change, field):
    answer = await enrollment.client.post("/v1/enrollments", json=household(member(date(1980, 2, 2), 31, **change)))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)


async def test_a_fullwidth_certno_is_refused_not_stored_as_sent(enrollment):
    body = household(member(date(1980, 3, 3), 32))
    body["members"][0]["certno"] = body["members"][0]["certno"].translate(FULLWIDTH)
    answer = await enrollment.client.post("/v1/enrollments", json=body)
    assert answer.status_code == 422 and answer.json()["error"]["field"].endswith("certno"), answer.text


async def test_a_region_in_fullwidth_digits_is_refused(enrollment):
    answer = await enrollment.client.post("/v1/enrollments", json=household(member(date(1980, 4, 4), 33),
                                                                            admdvs="５００２４０"))
    assert answer.status_code == 422 and answer.json()["error"]["field"].endswith("admdvs"), answer.text
