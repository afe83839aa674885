"""A bulk upload that breaks off, or an instance that stops mid-batch, never leaves a batch ``processing``."""

import asyncio
import contextlib
from datetime import date, timedelta

import pytest
from idnumbers import make_certno
from sqlalchemy import text

from medfund_enrollment.adapters.uow import own_unit_of_work
from medfund_enrollment.api.answer_models import BatchHead
from medfund_enrollment.app import batches
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
HEADER = "household_key,admdvs,insutype,year,tier,certno,psn_name,gend,brdy,category,enrolled_on"
LINES = 2_500


def csv_file() -> bytes:
    born = [date(1940, 1, 1) + timedelta(days=n) for n in range(LINES)]
    rows = [f"C{n // 3},500240,390,2026,tier1,{make_certno(brdy, n % 100, region='500243')},孙七,1,{brdy},adult,"
            "2025-10-01" for n, brdy in enumerate(born)]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


async def upload_then_disconnect(app, token: str, body: bytes) -> None:
    """Send ``body`` in pieces as a client would, then drop the connection instead of finishing."""
    messages = [{"type": "http.request", "body": body[i:i + 32_768], "more_body": True}
                for i in range(0, len(body), 32_768)] + [{"type": "http.disconnect"}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(_):
        return None

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/enrollments/batches", "raw_path": b"/v1/enrollments/batches", "query_string": b"",
             "root_path": "", "server": ("enrollment", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"content-type", b"text/csv"), (b"authorization", token.encode())]}
    with contextlib.suppress(Exception):  # the server's view of a vanished client; the batch is what counts
        await app(scope, receive, send)


async def test_an_upload_cut_off_midway_is_failed_with_what_was_applied_and_a_resend_completes_it(enrollment):
    body = csv_file()
    cut = body[:len(body) * 3 // 5]
    await upload_then_disconnect(enrollment.app, enrollment.client.headers["Authorization"], cut)
    failed = (await enrollment.client.get("/v1/enrollments/batches", params={"status": "failed"})).json()
    assert len(failed) == 1 and departures(BatchHead, failed[0]) == []
    batch = failed[0]
    assert batch["finished_at"] is not None and 0 < batch["accepted"] == batch["received"] < LINES
    resent = (await enrollment.client.post("/v1/enrollments/batches", content=body,
                                           headers={"Content-Type": "text/csv"})).json()
    assert (resent["status"], resent["accepted"], resent["duplicates"], resent["rejected"]) == \
        ("done", LINES - batch["accepted"], batch["accepted"], [])


async def test_a_batch_whose_owner_stopped_mid_upload_is_closed_interrupted_by_another_instance_after_its_lease(
        enrollment):
    """An orphan (its instance stopped before the whole file arrived; its lease has run out) is taken by this
    instance's worker: the lines that had arrived are applied and the batch is ``interrupted``. A batch whose owner
    still holds the lease is left alone."""
    context = enrollment.app.state.context
    orphan, owned = batches.new_batch_id(), batches.new_batch_id()
    born = [date(1980, 5, 1) + timedelta(days=n) for n in range(5)]
    lines = [(n + 2, f"O{n},500240,390,2026,tier1,{make_certno(brdy, n, region='500243')},孙七,1,{brdy},adult,"
                     "2025-10-01".encode()) for n, brdy in enumerate(born)]
    async with own_unit_of_work(context) as uow:
        for batch_id in (orphan, owned):
            await uow.repo.add_batch(batch_id, "operator-7", HEADER.split(","))
        await uow.repo.stage_lines(orphan, lines, received_all=False)
        await uow.session.execute(text(
            "UPDATE enrollment_batches SET owner = :owner, lease_expires_at = now() + :lease * interval '1 second' "
            "WHERE batch_id = :batch_id"),
            [{"batch_id": orphan, "owner": "stopped:1:0", "lease": -1},
             {"batch_id": owned, "owner": "alive:2:0", "lease": 3600}])
        await uow.commit()
    deadline = asyncio.get_running_loop().time() + 60
    while (report := (await enrollment.client.get(f"/v1/enrollments/batches/{orphan}")).json())["status"] \
            == "processing":
        assert asyncio.get_running_loop().time() < deadline, report
        await asyncio.sleep(0.2)
    assert (report["status"], report["received"], report["accepted"], report["rejected"]) == \
        ("interrupted", 5, 5, [])
    assert (await enrollment.client.get(f"/v1/enrollments/batches/{owned}")).json()["status"] == "processing"
