"""A tax-bureau file, staged in PostgreSQL and processed in chunks by the one instance that owns the batch
(``medfund_shared.batch_ownership``): each chunk is one transaction, fenced on the owner's lease, that accepts its
valid lines, records its rejected ones and its outcome, and sets the batch's progress and counters from the
outcomes recorded. So a crashed owner's batch is resumed by another instance exactly where the last commit left
off, two instances never apply the same lines, and a re-sent file changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from medfund_billing.adapters import payment_metrics
from medfund_billing.adapters.batch_files import DONE, ChunkOutcome
from medfund_billing.adapters.file_records import BLANK, read_record
from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app.accept_payments import Entry, accept_payments
from medfund_billing.domain.payment_record import RecordRejected, parse_record, voucher_of
from medfund_shared.batch_ownership import HeldBatch
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Refusal

REJECTED_PAGE = 1000
"""Rejections per report page unless asked otherwise: a bad file can have a million."""
Units = Callable[[], AbstractAsyncContextManager[BillingUnitOfWork]]
"""A fresh unit of work on a session of its own (one per chunk)."""


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


async def upload_batch(command: UploadBatch, uow: BillingUnitOfWork) -> tuple[str, bool]:
    """(batch id, created): the file staged and its batch opened in one transaction. A repeated
    ``Idempotency-Key`` from the same office returns the first batch (the copy staged is dropped); the same key
    with another file is a 409."""
    batch_id = str(uuid.uuid4())
    async with uow:
        staged = await uow.batches.stage_file(batch_id, command.file_format, command.chunks)
        if await uow.batches.open(batch_id, command.tax_office_code, command.idempotency_key, command.file_format,
                                  staged):
            await uow.commit()
            return batch_id, True
        await uow.rollback()
        first = await uow.batches.by_key(command.tax_office_code, command.idempotency_key)
    if first.file_sha256 != staged.sha256:
        raise Refusal.conflict("conflict", "this Idempotency-Key was used for another file", "Idempotency-Key")
    return first.batch_id, False


async def process_batch(held: HeldBatch, units: Units, pack_set: PackSet, office_zone: ZoneInfo,
                        chunk_lines: int) -> None:
    """Apply the batch's staged records after the last committed chunk, then mark it done and let it go."""
    async with units() as uow:
        batch = await uow.batches.get(held.batch_id)
    while True:
        async with units() as uow:
            await held.fence(uow)
            last_line = await uow.batches.last_applied_line(held.batch_id)
            records = await uow.batches.records_after(held.batch_id, last_line, chunk_lines)
            if not records:
                await uow.batches.drop_records(held.batch_id)
                await held.release(uow, DONE)
                await uow.commit()
                return
            accepted = await _apply_chunk(uow, pack_set, batch, records, office_zone)
            await uow.commit()
        payment_metrics.received(entry.record for entry in accepted)


async def _apply_chunk(uow: BillingUnitOfWork, pack_set: PackSet, batch, records: list[tuple[int, bytes]],
                       office_zone: ZoneInfo) -> list[Entry]:
    """Apply one chunk in the unit of work; the lines it accepted."""
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
    outcome = await accept_payments(uow, pack_set, entries, office_zone=office_zone, batch_id=batch.batch_id)
    rejections += [Rejection(e.line, e.record.tax_voucher_no, "conflict",
                             "this voucher was already accepted with different content") for e in outcome.conflicts]
    rejections += [Rejection(r.line, r.record.tax_voucher_no, r.code, r.message) for r in outcome.refused]
    await uow.batches.reject(batch.batch_id, [asdict(r) for r in rejections])
    await uow.batches.record_chunk(batch.batch_id, ChunkOutcome(
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


async def batch_report(uow: BillingUnitOfWork, batch_id: str, tax_office_code: str | None, rejected_offset: int = 0,
                       rejected_limit: int = REJECTED_PAGE) -> dict:
    """The contract's fields, with ``rejected`` one page (by line) of ``rejected_total`` rejections."""
    async with uow:
        batch = await uow.batches.get(batch_id)
        if batch is None or (tax_office_code is not None and batch.tax_office_code != tax_office_code):
            raise Refusal.not_found("not_found", "no such batch", "batch_id")
        rejected = await uow.batches.rejections(batch_id, rejected_offset, rejected_limit)
    return {"batch_id": batch_id, "status": batch.status, "received": batch.received, "accepted": batch.accepted,
            "duplicates": batch.duplicates, "rejected": rejected, "rejected_total": batch.rejected,
            "rejected_offset": rejected_offset, "rejected_limit": rejected_limit}
