"""A bulk upload that breaks off, or a service that stops mid-batch, never leaves a batch ``processing``."""

import asyncio
import contextlib
from datetime import date, timedelta

import pytest
from idnumbers import make_certno

from medfund_enrollment.adapters import batch_owner
from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.app import batches
from medfund_enrollment.main import mark_interrupted_batches

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
    assert len(failed) == 1
    batch = failed[0]
    assert batch["finished_at"] is not None and 0 < batch["accepted"] == batch["received"] < LINES
    resent = (await enrollment.client.post("/v1/enrollments/batches", content=body,
                                           headers={"Content-Type": "text/csv"})).json()
    assert (resent["status"], resent["accepted"], resent["duplicates"], resent["rejected"]) == \
        ("done", LINES - batch["accepted"], batch["accepted"], [])


async def test_at_start_up_a_processing_batch_without_a_live_owner_is_marked_interrupted(enrollment):
    context = enrollment.app.state.context
    orphan, owned = batches.new_batch_id(), batches.new_batch_id()
    release = asyncio.Event()

    async def keep_working():
        async with batch_owner.owning(context.engine, owned):
            async with context.session_factory() as session:
                await batches.start_batch(UnitOfWork(session), owned, "operator-7")
            await release.wait()

    worker = asyncio.create_task(keep_working())
    async with context.session_factory() as session:
        await batches.start_batch(UnitOfWork(session), orphan, "operator-7")
    while (await enrollment.client.get(f"/v1/enrollments/batches/{owned}")).status_code != 200:
        await asyncio.sleep(0.05)
    await mark_interrupted_batches(context)
    release.set()
    await worker
    statuses = {b: (await enrollment.client.get(f"/v1/enrollments/batches/{b}")).json()["status"]
                for b in (orphan, owned)}
    assert statuses == {orphan: "interrupted", owned: "processing"}
