"""Bulk registration: 10,000 persons from one CSV, bad lines reported, good ones once, a re-send changes nothing."""

import time
from datetime import date, timedelta

import pytest
from idnumbers import make_certno

pytestmark = pytest.mark.integration
HEADER = "household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on"
PERSONS = 10_000
BAD = {17: "invalid_certno", 4242: "unknown_category", 9001: "unknown_region"}


def csv_file() -> bytes:
    lines = [HEADER]
    for n in range(PERSONS):
        brdy = date(1950, 1, 1) + timedelta(days=n * 2)
        certno = make_certno(brdy, n % 100, region="500241")
        category, admdvs = "adult" if n % 10 else "adult|dibao", "500240"
        if BAD.get(n) == "invalid_certno":
            certno = certno[:17] + ("0" if certno[17] != "0" else "1")
        if BAD.get(n) == "unknown_category":
            category = "martian"
        if BAD.get(n) == "unknown_region":
            admdvs = "999999"
        lines.append(f"H{n // 4},{admdvs},390,2026,tier1,{certno},王五,1,{brdy},{category},2025-10-01")
    return ("\n".join(lines) + "\n").encode()


async def test_ten_thousand_persons_register_once_and_a_resend_changes_nothing(enrollment):
    body, headers = csv_file(), {"Content-Type": "text/csv"}
    started = time.perf_counter()
    first = await enrollment.client.post("/v1/enrollments/batches", content=body, headers=headers)
    elapsed = time.perf_counter() - started
    assert first.status_code == 202, first.text
    report = first.json()
    print(f"\n{PERSONS} lines registered in {elapsed:.1f}s ({PERSONS / elapsed:.0f} lines/s)")
    assert (report["status"], report["received"], report["accepted"], report["duplicates"]) == \
        ("done", PERSONS, PERSONS - len(BAD), 0)
    assert {(r["line"], r["code"]) for r in report["rejected"]} == {(n + 2, code) for n, code in BAD.items()}
    assert all("********" in r["certno"] for r in report["rejected"])
    stats = (await enrollment.client.get("/v1/statistics/enrollment", params={"admdvs": "500240", "year": 2026})).json()
    again = await enrollment.client.post("/v1/enrollments/batches", content=body, headers=headers)
    resent = again.json()
    assert (resent["accepted"], resent["duplicates"], len(resent["rejected"])) == (0, PERSONS - len(BAD), len(BAD))
    after = (await enrollment.client.get("/v1/statistics/enrollment", params={"admdvs": "500240", "year": 2026})).json()
    assert after == stats
    assert (await enrollment.client.get(f"/v1/enrollments/batches/{report['batch_id']}")).json()["accepted"] == \
        PERSONS - len(BAD)
    household = (await enrollment.client.get("/v1/persons", params={"certno": make_certno(
        date(1950, 1, 1), 0, region="500241")})).json()["enrollments"][0]["household_id"]
    assert len((await enrollment.client.get(f"/v1/households/{household}")).json()["members"]) == 4
