"""A tax-bureau file, processed in chunks: each chunk is one transaction that accepts its valid
lines, records its rejected ones and advances the batch's progress, so a restart resumes exactly
where the last commit left off and a re-sent file changes nothing."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_billing.adapters import payment_metrics
from medfund_billing.adapters.spool import read_lines
from medfund_billing.adapters.tables import batch_rejections, batches
from medfund_billing.app.accept_payments import Entry, accept_payments
from medfund_billing.domain.payment_record import RecordRejected, parse_record, voucher_of
from medfund_shared.errors import ApiError
from medfund_shared.policy.catalogue import PolicyCatalogue

PROCESSING, DONE = "processing", "done"
REJECTED_PAGE = 1000
"""Rejections per report page unless asked otherwise: a bad file can have a million."""


@dataclass(frozen=True)
class OpenBatch:
    tax_office_code: str
    file_format: str
    spool_path: Path
    file_sha256: str
    idempotency_key: str | None


@dataclass(frozen=True)
class Rejection:
    line: int
    tax_voucher_no: str | None
    code: str
    message: str


async def open_batch(command: OpenBatch, session: AsyncSession) -> tuple[str, bool]:
    """(batch id, created). A repeated ``Idempotency-Key`` from the same office returns the first
    batch; the same key with another file is a 409."""
    batch_id = str(uuid.uuid4())
    created = await session.scalar(insert(batches).values(
        batch_id=batch_id, tax_office_code=command.tax_office_code, idempotency_key=command.idempotency_key,
        format=command.file_format, spool_path=str(command.spool_path), file_sha256=command.file_sha256,
        status=PROCESSING,
    ).on_conflict_do_nothing().returning(batches.c.batch_id))
    if created is None:
        first = (await session.execute(select(batches.c.batch_id, batches.c.file_sha256).where(
            batches.c.tax_office_code == command.tax_office_code,
            batches.c.idempotency_key == command.idempotency_key))).one()
        if first.file_sha256 != command.file_sha256:
            raise ApiError(409, "conflict", "this Idempotency-Key was used for another file", "Idempotency-Key")
        batch_id = first.batch_id
    await session.commit()
    return batch_id, created is not None


async def process_batch(batch_id: str, sessions: async_sessionmaker[AsyncSession], catalogue: PolicyCatalogue,
                        office_zone: ZoneInfo, chunk_lines: int) -> None:
    """Apply the batch's file from where its last committed chunk ended, then mark it done."""
    async with sessions() as session:
        batch = (await session.execute(select(batches).where(batches.c.batch_id == batch_id))).one()
    if batch.status == DONE:
        return
    path = Path(batch.spool_path)
    lines = read_lines(path, batch.format, skip=batch.lines_done)
    while chunk := list(itertools.islice(lines, chunk_lines)):
        async with sessions() as session:
            await _apply_chunk(session, catalogue, batch, chunk, office_zone)
    async with sessions() as session:
        await session.execute(update(batches).where(batches.c.batch_id == batch_id)
                              .values(status=DONE, finished_at=func.now()))
        await session.commit()
    path.unlink(missing_ok=True)


async def _apply_chunk(session: AsyncSession, catalogue: PolicyCatalogue, batch, chunk: list, office_zone: ZoneInfo):
    entries, rejections = [], []
    for line, raw in chunk:
        try:
            entries.append(Entry(line, _checked(raw, batch.tax_office_code)))
        except RecordRejected as exc:
            rejections.append(Rejection(line, voucher_of(raw), exc.code, exc.message))
    outcome = await accept_payments(session, catalogue, entries, office_zone=office_zone, batch_id=batch.batch_id)
    rejections += [Rejection(e.line, e.record.tax_voucher_no, "conflict",
                             "this voucher was already accepted with different content") for e in outcome.conflicts]
    rejections += [Rejection(r.line, r.record.tax_voucher_no, r.code, r.message) for r in outcome.refused]
    if rejections:
        await session.execute(insert(batch_rejections).on_conflict_do_nothing(), [
            {"batch_id": batch.batch_id, "line": r.line, "tax_voucher_no": r.tax_voucher_no, "code": r.code,
             "message": r.message} for r in rejections])
    await session.execute(update(batches).where(batches.c.batch_id == batch.batch_id).values(
        lines_done=batches.c.lines_done + len(chunk), received=batches.c.received + len(chunk),
        accepted=batches.c.accepted + len(outcome.accepted), duplicates=batches.c.duplicates + len(outcome.duplicates),
        rejected=batches.c.rejected + len(rejections)))
    await session.commit()
    payment_metrics.received(entry.record for entry in outcome.accepted)


def _checked(raw, tax_office_code: str):
    if raw is None:
        raise RecordRejected("malformed", "the line cannot be read as a record")
    record = parse_record(raw)
    if record.tax_office_code != tax_office_code:
        raise RecordRejected("forbidden_tax_office", "the record belongs to another tax office", "tax_office_code")
    return record


async def batch_report(session: AsyncSession, batch_id: str, tax_office_code: str | None, rejected_offset: int = 0,
                       rejected_limit: int = REJECTED_PAGE) -> dict:
    """The contract's fields, with ``rejected`` one page (by line) of ``rejected_total`` rejections."""
    batch = (await session.execute(select(batches).where(batches.c.batch_id == batch_id))).first()
    if batch is None or (tax_office_code is not None and batch.tax_office_code != tax_office_code):
        raise ApiError(404, "not_found", "no such batch", "batch_id")
    rejected = (await session.execute(
        select(batch_rejections.c.line, batch_rejections.c.tax_voucher_no, batch_rejections.c.code,
               batch_rejections.c.message)
        .where(batch_rejections.c.batch_id == batch_id).order_by(batch_rejections.c.line)
        .offset(rejected_offset).limit(rejected_limit))).mappings().all()
    return {"batch_id": batch_id, "status": batch.status, "received": batch.received, "accepted": batch.accepted,
            "duplicates": batch.duplicates, "rejected": [dict(r) for r in rejected], "rejected_total": batch.rejected,
            "rejected_offset": rejected_offset, "rejected_limit": rejected_limit}
