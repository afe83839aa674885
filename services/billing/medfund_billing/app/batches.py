"""A tax-bureau file, staged in PostgreSQL and processed in chunks by the one instance that owns the batch
(``medfund_shared.batch_ownership``): each chunk is one transaction, fenced on the owner's lease, that accepts its
valid lines, records its rejected ones and its outcome, and sets the batch's progress and counters from the
outcomes recorded. So a crashed owner's batch is resumed by another instance exactly where the last commit left
off, two instances never apply the same lines, and a re-sent file changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_billing.adapters import batch_files, payment_metrics
from medfund_billing.adapters.file_records import BLANK, read_record
from medfund_billing.adapters.tables import batch_rejections, batches
from medfund_billing.app.accept_payments import Entry, accept_payments
from medfund_billing.domain.payment_record import RecordRejected, parse_record, voucher_of
from medfund_shared.batch_ownership import Ownership, SqlLeases
from medfund_shared.errors import ApiError
from medfund_shared.policy.catalogue import PolicyCatalogue

PROCESSING, DONE = "processing", "done"
REJECTED_PAGE = 1000
"""Rejections per report page unless asked otherwise: a bad file can have a million."""


@dataclass(frozen=True)
class UploadBatch:
    tax_office_code: str
    file_format: str
    chunks: AsyncIterator[bytes]
    idempotency_key: str | None


@dataclass(frozen=True)
class Rejection:
    line: int
    tax_voucher_no: str | None
    code: str
    message: str


def open_batches():
    """The batches still to be worked on, for their leases."""
    return batches.c.status == PROCESSING


async def upload_batch(command: UploadBatch, session: AsyncSession) -> tuple[str, bool]:
    """(batch id, created): the file staged and its batch opened in one transaction. A repeated
    ``Idempotency-Key`` from the same office returns the first batch (the copy staged is dropped); the same key
    with another file is a 409."""
    batch_id = str(uuid.uuid4())
    staged = await batch_files.stage_file(session, batch_id, command.file_format, command.chunks)
    created = await session.scalar(insert(batches).values(
        batch_id=batch_id, tax_office_code=command.tax_office_code, idempotency_key=command.idempotency_key,
        format=command.file_format, csv_header=staged.csv_header, file_sha256=staged.sha256, status=PROCESSING,
    ).on_conflict_do_nothing().returning(batches.c.batch_id))
    if created is None:
        await session.rollback()
        first = (await session.execute(select(batches.c.batch_id, batches.c.file_sha256).where(
            batches.c.tax_office_code == command.tax_office_code,
            batches.c.idempotency_key == command.idempotency_key))).one()
        if first.file_sha256 != staged.sha256:
            raise ApiError(409, "conflict", "this Idempotency-Key was used for another file", "Idempotency-Key")
        return first.batch_id, False
    await session.commit()
    return batch_id, True


async def process_batch(ownership: Ownership, leases: SqlLeases, sessions: async_sessionmaker[AsyncSession],
                        catalogue: PolicyCatalogue, office_zone: ZoneInfo, chunk_lines: int,
                        on_commit=lambda: None) -> None:
    """Apply the batch's staged records after the last committed chunk, then mark it done and let it go."""
    batch_id, owner = ownership.batch_id, ownership.owner
    async with sessions() as session:
        batch = (await session.execute(select(batches).where(batches.c.batch_id == batch_id))).one()
    while True:
        async with sessions() as session:
            await leases.fence(session, batch_id, owner)
            last_line = await batch_files.last_applied_line(session, batch_id)
            records = await batch_files.records_after(session, batch_id, last_line, chunk_lines)
            if not records:
                await batch_files.drop_records(session, batch_id)
                await leases.release(session, batch_id, owner, status=DONE, finished_at=func.now())
                await session.commit()
                return
            accepted = await _apply_chunk(session, catalogue, batch, records, office_zone)
            await session.commit()
        payment_metrics.received(entry.record for entry in accepted)
        on_commit()


async def _apply_chunk(session: AsyncSession, catalogue: PolicyCatalogue, batch, records: list[tuple[int, bytes]],
                       office_zone: ZoneInfo) -> list[Entry]:
    """Apply one chunk in the caller's transaction; the lines it accepted."""
    entries, rejections, received = [], [], 0
    for line, record in records:
        raw = read_record(record, batch.format, batch.csv_header)
        if raw is BLANK:
            continue
        received += 1
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
    await batch_files.record_chunk(session, batch.batch_id, batch_files.ChunkOutcome(
        first_line=records[0][0], last_line=records[-1][0], received=received, accepted=len(outcome.accepted),
        duplicates=len(outcome.duplicates), rejected=len(rejections)))
    return outcome.accepted


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
