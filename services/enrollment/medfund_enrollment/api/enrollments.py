"""``/v1/enrollments``: household registration and bulk registration from CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from medfund_enrollment.adapters.uow import UnitOfWork, own_unit_of_work
from medfund_enrollment.api.answer_models import BatchHead, BatchReport, Registered
from medfund_enrollment.api.deps import (
    BATCH_LEASES,
    BATCH_WORKER,
    IdempotencyKey,
    PackSetDep,
    UowDep,
    idempotent,
    today_in_china,
)
from medfund_enrollment.api.schemas import EnrollmentIn
from medfund_enrollment.app import batch_lines, batches
from medfund_enrollment.app.registration import RegisterHousehold, register_household
from medfund_enrollment.domain.errors import Conflict, InvalidRequest, NotFound
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication
from medfund_shared.auth import StaffPrincipal
from medfund_shared.batch_ownership import BatchWorker, HeldBatch, LeaseLost, Ownership
from medfund_shared.context import ContextDep, ServiceContext
from medfund_shared.openapi import file_body

router = APIRouter(prefix="/v1/enrollments", tags=["enrollments"])
BOM = b"\xef\xbb\xbf"


@router.post("", status_code=201, responses={201: {"model": Registered}})
async def enroll_household(body: EnrollmentIn, principal: StaffPrincipal, uow: UowDep, pack_set: PackSetDep,
                           idempotency_key: IdempotencyKey = None) -> dict:
    """Register a household for an insurance year (one tier for everyone on the register)."""
    application = HouseholdApplication(
        body.admdvs, body.insutype, body.year, body.tier,
        tuple(MemberApplication(m.certno, m.psn_name, m.gend, m.brdy, m.all_categories(), m.event_date,
                                            m.ssc_no, m.employee_details())
              for m in body.members),
        body.enrolled_on or today_in_china())
    idempotency = idempotent("enrollments", idempotency_key, body.model_dump(mode="json"))
    return await register_household(RegisterHousehold(application, principal.subject, idempotency), uow, pack_set)


BATCH_BODY = file_body({"text/csv": (
    f"UTF-8 CSV, a header row then one member per line (household_key groups a household): columns "
    f"{', '.join(batch_lines.COLUMNS)}; optional {', '.join(batch_lines.OPTIONAL_COLUMNS)}")})


@router.post("/batches", status_code=202, openapi_extra=BATCH_BODY, responses={202: {"model": BatchReport}})
async def enroll_batch(request: Request, principal: StaffPrincipal, context: ContextDep,
                       pack_set: PackSetDep) -> JSONResponse:
    """Register a CSV file (header row; one member per line, ``household_key`` groups a household).

    The file is staged in the database as it arrives, then applied in chunks by this instance, which owns the
    batch (``docs/batches.md``); the answer is the batch's report. An upload that breaks off leaves the batch
    ``failed`` with the lines that had arrived applied, and re-sending the whole file completes it (applied
    lines are duplicates). If this instance stops, another one finishes the batch once its lease runs out
    (``GET /v1/enrollments/batches`` shows it).
    """
    if "text/csv" not in request.headers.get("content-type", ""):
        raise InvalidRequest("unsupported_media_type", "send the file as Content-Type: text/csv", "content-type")
    lines = _file_lines(request.stream())
    first = await anext(lines, None)
    if first is None:
        raise InvalidRequest("empty_file", "the file has no header row", "header")
    header = batch_lines.fields_of(first[1])
    batch_lines.check_header(header)
    worker: BatchWorker = context.extras[BATCH_WORKER]
    lease = HeldBatch(context.extras[BATCH_LEASES], Ownership(batches.new_batch_id(), worker.owner))
    async with own_unit_of_work(context) as uow:
        await batches.start_batch(uow, lease, principal.subject, header)
    try:
        async with worker.holding(lease.batch_id):
            try:
                await _stage_all(context, lease, lines)
            finally:
                await batches.apply_staged(lease, lambda: own_unit_of_work(context), pack_set, today_in_china(),
                                           batches.BatchStatus.FAILED)
    except LeaseLost:
        raise Conflict("batch_taken_over", "another instance took this batch over; its report is at "
                                           f"/v1/enrollments/batches/{lease.batch_id}", "batch_id") from None
    async with own_unit_of_work(context) as uow:
        return JSONResponse(await batch_view(uow, lease.batch_id), status_code=202)


@router.get("/batches", responses={200: {"model": list[BatchHead]}})
async def list_batches(principal: StaffPrincipal, uow: UowDep, status: batches.BatchStatus | None = None,
                       limit: int = Query(20, ge=1, le=200)) -> list[dict]:
    """The latest batches, newest first (``?status=failed`` or ``interrupted``: the ones to re-send)."""
    return [_batch_head(row) for row in await uow.repo.recent_batches(status and status.value, limit)]


@router.get("/batches/{batch_id}", responses={200: {"model": BatchReport}})
async def get_batch(batch_id: str, principal: StaffPrincipal, uow: UowDep) -> dict:
    """Progress and per-line result of a bulk registration."""
    return await batch_view(uow, batch_id)


async def batch_view(uow: UnitOfWork, batch_id: str) -> dict:
    found = await uow.repo.batch(batch_id)
    if found is None:
        raise NotFound("not_found", f"no batch {batch_id}", "batch_id")
    head, rejected = found
    return _batch_head(head) | {"rejected": [{"line": r.line, "certno": r.certno, "code": r.code,
                                              "message": r.message, "field": r.field} for r in rejected]}


def _batch_head(row) -> dict:
    return {"batch_id": row.batch_id, "status": row.status, "received": row.received, "accepted": row.accepted,
            "duplicates": row.duplicates, "actor": row.actor, "created_at": row.created_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None}


async def _stage_all(context: ServiceContext, lease: HeldBatch, lines: AsyncIterator[tuple[int, bytes]]) -> None:
    """Stage the file a chunk at a time as it arrives; the last chunk marks it whole."""
    chunk: list[tuple[int, bytes]] = []
    async for line in lines:
        chunk.append(line)
        if len(chunk) == batches.CHUNK_LINES:
            async with own_unit_of_work(context) as uow:
                await batches.stage_lines(uow, lease, chunk, received_all=False)
            chunk = []
    async with own_unit_of_work(context) as uow:
        await batches.stage_lines(uow, lease, chunk, received_all=True)


async def _file_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes]]:
    """(line number, bytes) for every non-blank line of the body, read as it streams in (a leading byte-order
    mark and each line's carriage return left out)."""
    pending, number = b"", 0
    async for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            number += 1
            raw = raw.removeprefix(BOM) if number == 1 else raw
            if raw.strip():
                yield number, raw.rstrip(b"\r")
    raw = pending.removeprefix(BOM) if number == 0 else pending
    if raw.strip():
        yield number + 1, raw.rstrip(b"\r")
