"""``/v1/enrollments``: household registration and bulk registration from CSV."""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator
from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from medfund_enrollment.adapters import batch_owner
from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.api.deps import CatalogueDep, IdempotencyKey, UowDep, idempotent, today_in_china
from medfund_enrollment.api.schemas import EnrollmentIn
from medfund_enrollment.app import batch_lines, batches
from medfund_enrollment.app.registration import RegisterHousehold, register_household
from medfund_enrollment.domain.errors import InvalidRequest, NotFound
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication
from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import ContextDep, ServiceContext
from medfund_shared.openapi import file_body
from medfund_shared.policy.catalogue import PolicyCatalogue

router = APIRouter(prefix="/v1/enrollments", tags=["enrollments"])
CHUNK_LINES = 1000


@router.post("", status_code=201)
async def enroll_household(body: EnrollmentIn, principal: StaffPrincipal, uow: UowDep, catalogue: CatalogueDep,
                           idempotency_key: IdempotencyKey = None) -> dict:
    """Register a household for an insurance year (one tier for everyone on the register)."""
    application = HouseholdApplication(
        body.admdvs, body.insutype, body.year, body.tier,
        tuple(MemberApplication(m.certno, m.psn_name, m.gend, m.brdy, m.all_categories(), m.event_date,
                                            m.ssc_no, m.employee_details())
              for m in body.members),
        body.enrolled_on or today_in_china())
    idempotency = idempotent("enrollments", idempotency_key, body.model_dump(mode="json"))
    return await register_household(RegisterHousehold(application, principal.subject, idempotency), uow, catalogue)


BATCH_BODY = file_body({"text/csv": (
    f"UTF-8 CSV, a header row then one member per line (household_key groups a household): columns "
    f"{', '.join(batch_lines.COLUMNS)}; optional {', '.join(batch_lines.OPTIONAL_COLUMNS)}")})


@router.post("/batches", status_code=202, openapi_extra=BATCH_BODY)
async def enroll_batch(request: Request, principal: StaffPrincipal, context: ContextDep,
                       catalogue: CatalogueDep) -> JSONResponse:
    """Register a CSV file (header row; one member per line, ``household_key`` groups a household).

    Chunks are committed as they arrive: an upload that breaks off leaves the batch ``failed`` with
    what was applied so far, and re-sending the whole file completes it (applied lines are duplicates).
    """
    if "text/csv" not in request.headers.get("content-type", ""):
        raise InvalidRequest("unsupported_media_type", "send the file as Content-Type: text/csv", "content-type")
    lines = _csv_lines(request.stream())
    header = await anext(lines, None)
    if header is None:
        raise InvalidRequest("empty_file", "the file has no header row", "header")
    batch_lines.check_header(header[1])
    sessions, batch_id = context.session_factory, batches.new_batch_id()
    async with batch_owner.owning(context.engine, batch_id):
        async with sessions() as session:
            await batches.start_batch(UnitOfWork(session), batch_id, principal.subject)
        try:
            await _apply_all(context, batch_id, header[1], lines, catalogue)
        except Exception:
            async with sessions() as session:
                await batches.finish_batch(UnitOfWork(session), batch_id, batches.BatchStatus.FAILED)
            raise
    async with sessions() as session:
        uow = UnitOfWork(session)
        await batches.finish_batch(uow, batch_id)
        return JSONResponse(await batch_view(uow, batch_id), status_code=202)


@router.get("/batches")
async def list_batches(principal: StaffPrincipal, uow: UowDep, status: batches.BatchStatus | None = None,
                       limit: int = Query(20, ge=1, le=200)) -> list[dict]:
    """The latest batches, newest first (``?status=failed`` or ``interrupted``: the ones to re-send)."""
    return [_batch_head(row) for row in await uow.repo.recent_batches(status and status.value, limit)]


@router.get("/batches/{batch_id}")
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


async def _apply_all(context: ServiceContext, batch_id: str, header: list[str],
                     lines: AsyncIterator[tuple[int, list[str]]], catalogue: PolicyCatalogue) -> None:
    """Read the file in chunks, committing each chunk (and nudging the relay) before reading on."""
    today, chunk = today_in_china(), []
    async for number, fields in lines:
        chunk.append(batch_lines.BatchLine(number, dict(zip(header, fields, strict=False))))
        if len(chunk) == CHUNK_LINES:
            await _apply(context, batch_id, chunk, catalogue, today)
            chunk = []
    if chunk:
        await _apply(context, batch_id, chunk, catalogue, today)


async def _apply(context: ServiceContext, batch_id: str, chunk: list[batch_lines.BatchLine],
                 catalogue: PolicyCatalogue, today: date) -> None:
    async with context.session_factory() as session:
        await batches.process_chunk(batch_id, chunk, UnitOfWork(session), catalogue, today)
    context.relay.notify()


async def _csv_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, list[str]]]:
    """(line number, fields) for every non-blank line of a UTF-8 CSV body, read as it streams in.

    Bytes that are not UTF-8 become lone surrogates, which refuse their line (``read_line``), not U+FFFD."""
    decoder, pending, number = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape"), "", 0
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for text in complete:
            number += 1
            if text.strip():
                yield number, next(csv.reader([text.rstrip("\r")]))
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        yield number + 1, next(csv.reader([pending.rstrip("\r")]))
