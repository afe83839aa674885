"""Bulk registration: 10,000 persons from one CSV, bad lines reported, good ones once, a re-send changes nothing."""

import asyncio
import time
from datetime import date, timedelta

import pytest
from idnumbers import make_certno

from medfund_enrollment.adapters.uow import own_unit_of_work
from medfund_enrollment.api.answer_models import BatchReport
from medfund_enrollment.api.deps import BATCH_LEASES
from medfund_enrollment.app import batches
from medfund_shared.batch_ownership import HeldBatch, Ownership
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
HEADER = "household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on"
PERSONS = 10_000
BAD = {17: "invalid_certno", 4242: "unknown_category", 9001: "no_policy_pack"}


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
        if BAD.get(n) == "no_policy_pack":
            admdvs = "999999"
        lines.append(f"H{n // 4},{admdvs},390,2026,tier1,{certno},王五,1,{brdy},{category},2025-10-01")
    return ("\n".join(lines) + "\n").encode()


async def test_ten_thousand_persons_register_once_and_a_resend_changes_nothing(enrollment):
    body, headers = csv_file(), {"Content-Type": "text/csv"}
    started, cpu_started = time.perf_counter(), time.process_time()
    first = await enrollment.client.post("/v1/enrollments/batches", content=body, headers=headers)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert first.status_code == 202, first.text
    report = first.json()
    print(f"\n{PERSONS} lines registered in {elapsed:.1f}s ({PERSONS / elapsed:.0f} lines/s; "
          f"this process used {cpu:.1f}s of CPU, {PERSONS / cpu:.0f} lines per CPU second)")
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


def small_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def row(household: str, brdy: date, serial: int, region="500240", tier="tier1", category="adult",
        enrolled_on="2025-10-01", born_in: str | None = None) -> str:
    certno = make_certno(brdy, serial, region=born_in or region)
    return f"{household},{region},390,2026,{tier},{certno},赵六,1,{brdy},{category},{enrolled_on}"


async def test_lines_of_one_chunk_see_each_other_as_if_registered_one_by_one(enrollment):
    body = small_file(
        row("K1", date(1980, 1, 1), 1), row("K1", date(1981, 1, 1), 2, tier="tier2"),
        row("K2", date(1980, 1, 1), 1), row("K1", date(1980, 1, 1), 1),
        row("K3", date(2026, 3, 3), 3, region="211302", tier="", category="minor", enrolled_on="2026-04-15"))
    response = await enrollment.client.post("/v1/enrollments/batches", content=body,
                                            headers={"Content-Type": "text/csv"})
    report = response.json()
    assert not departures(BatchReport, report)
    assert (report["accepted"], report["duplicates"]) == (2, 1), report
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(3, "tier_mismatch"),
                                                                    (4, "duplicate_enrollment")]
    newborn = (await enrollment.client.get("/v1/persons", params={
        "certno": make_certno(date(2026, 3, 3), 3, region="211302")})).json()
    assert newborn["coverage"] == [{"insutype": "390", "year": 2026, "from": "2026-03-03", "to": "2026-12-31",
                                    "status": "active"}]


async def test_the_same_file_sent_twice_at_once_registers_everyone_once(enrollment):
    body = small_file(*(row(f"R{n // 3}", date(1960, 1, 1) + timedelta(days=n), n % 100, born_in="500242")
                        for n in range(2_500)))
    first, second = await asyncio.gather(*(enrollment.client.post(
        "/v1/enrollments/batches", content=body, headers={"Content-Type": "text/csv"}) for _ in range(2)))
    a, b = first.json(), second.json()
    assert (a["rejected"], b["rejected"]) == ([], [])
    assert (a["accepted"] + b["accepted"], a["duplicates"] + b["duplicates"]) == (2_500, 2_500)


async def test_the_instance_applying_its_upload_never_has_its_own_worker_apply_the_same_batch(enrollment):
    """The request applying an upload holds the batch's lease under the instance's owner id; the worker of that
    same instance looking for work must not take it (two appliers of one batch failed each other's fence with
    "could not serialize access", a 500, in the full suite)."""
    context = enrollment.app.state.context
    leases, owner = context.extras[BATCH_LEASES], "this-instance:1:0"
    lease = HeldBatch(leases, Ownership(batches.new_batch_id(), owner))
    async with own_unit_of_work(context) as uow:
        await batches.start_batch(uow, lease, "operator-7", HEADER.split(","))
    try:
        assert await leases.claim_next(owner) is None
    finally:
        async with own_unit_of_work(context) as uow:
            await lease.release(uow, batches.BatchStatus.FAILED.value)
            await uow.commit()


async def test_lines_with_a_year_or_date_out_of_range_are_refused_and_the_batch_finishes(enrollment):
    good = row("G1", date(1980, 1, 1), 61)
    far_year = row("G2", date(1980, 1, 2), 62).replace(",390,2026,", ",390,9999,")
    far_date = row("G3", date(1980, 1, 3), 63, enrolled_on="1900-01-01")
    response = await enrollment.client.post("/v1/enrollments/batches", content=small_file(good, far_year, far_date),
                                            headers={"Content-Type": "text/csv"})
    report = response.json()
    assert (response.status_code, report["status"], report["accepted"]) == (202, "done", 1)
    assert {(r["line"], r["code"], r["field"]) for r in report["rejected"]} == {
        (3, "out_of_range", "year"), (4, "out_of_range", "enrolled_on")}
