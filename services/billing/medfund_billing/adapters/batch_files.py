"""Tax files in PostgreSQL: the batch, an upload's records staged with COPY, read back a chunk at a time by any
instance, the lines rejected, and the batch's counters set from the outcomes of the chunks applied (never added
to)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.file_records import CSV, FileFormatError, RecordSplitter, csv_header
from medfund_billing.adapters.tables import batch_chunks, batch_records, batch_rejections, batches
from medfund_shared import bulk

COPY_ROWS = 5000
"""Records sent per COPY while a file streams in: memory stays flat whatever the file's size."""


PROCESSING, DONE = "processing", "done"
"""A batch's status: still to be worked on (its lease is live), or finished."""


@dataclass(frozen=True)
class StagedFile:
    sha256: str
    csv_header: list[str] | None


@dataclass(frozen=True)
class ChunkOutcome:
    first_line: int
    last_line: int
    received: int
    accepted: int
    duplicates: int
    rejected: int


class BatchFiles:
    """``batches`` and the rows each keeps: staged records, chunk outcomes, rejected lines."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def stage_file(self, batch_id: str, file_format: str, chunks: AsyncIterator[bytes]) -> StagedFile:
        """Stream the upload into ``batch_records`` in this transaction; a CSV header is checked as soon as it has
        arrived (``FileFormatError``)."""
        splitter, digest, header, pending = RecordSplitter(file_format), hashlib.sha256(), None, []

        async def flush() -> None:
            if pending:
                await bulk.copy_records(self.session, batch_records, ("batch_id", "line", "raw"),
                                        [(batch_id, line, raw) for line, raw in pending])
                pending.clear()

        async def take(records: list[tuple[int, bytes]]) -> None:
            nonlocal header
            if file_format == CSV and header is None and records:
                header = csv_header(records.pop(0)[1])
            pending.extend(records)
            if len(pending) >= COPY_ROWS:
                await flush()

        async for chunk in chunks:
            digest.update(chunk)
            await take(splitter.feed(chunk))
        await take(splitter.end())
        if file_format == CSV and header is None:
            raise FileFormatError("the file is empty: a CSV file starts with its header row", "header")
        await flush()
        return StagedFile(digest.hexdigest(), header)

    async def open(self, batch_id: str, tax_office_code: str, idempotency_key: str | None, file_format: str,
                   staged: StagedFile) -> bool:
        """The batch row, processing; False when the office used the key for a batch before."""
        return await self.session.scalar(insert(batches).values(
            batch_id=batch_id, tax_office_code=tax_office_code, idempotency_key=idempotency_key, format=file_format,
            csv_header=staged.csv_header, file_sha256=staged.sha256, status=PROCESSING,
        ).on_conflict_do_nothing().returning(batches.c.batch_id)) is not None

    async def by_key(self, tax_office_code: str, idempotency_key: str | None) -> Row:
        return (await self.session.execute(select(batches).where(
            batches.c.tax_office_code == tax_office_code, batches.c.idempotency_key == idempotency_key))).one()

    async def get(self, batch_id: str) -> Row | None:
        return (await self.session.execute(select(batches).where(batches.c.batch_id == batch_id))).first()

    async def records_after(self, batch_id: str, last_line: int, limit: int) -> list[tuple[int, bytes]]:
        """The next ``limit`` staged records after file line ``last_line``, in file order."""
        rows = await self.session.execute(
            select(batch_records.c.line, batch_records.c.raw)
            .where(batch_records.c.batch_id == batch_id, batch_records.c.line > last_line)
            .order_by(batch_records.c.line).limit(limit))
        return [(line, bytes(raw)) for line, raw in rows]

    async def last_applied_line(self, batch_id: str) -> int:
        return await self.session.scalar(select(batches.c.last_line).where(batches.c.batch_id == batch_id))

    async def reject(self, batch_id: str, rejections: list[dict]) -> None:
        """``{line, tax_voucher_no, code, message}`` of lines refused (a line refused before is kept as it was)."""
        if rejections:
            await self.session.execute(insert(batch_rejections).on_conflict_do_nothing(),
                                       [{"batch_id": batch_id, **r} for r in rejections])

    async def rejections(self, batch_id: str, offset: int, limit: int) -> list[dict]:
        """A page, by line, of ``{line, tax_voucher_no, code, message}``."""
        r = batch_rejections
        return [dict(row) for row in (await self.session.execute(
            select(r.c.line, r.c.tax_voucher_no, r.c.code, r.c.message)
            .where(r.c.batch_id == batch_id).order_by(r.c.line).offset(offset).limit(limit))).mappings().all()]

    async def record_chunk(self, batch_id: str, outcome: ChunkOutcome) -> None:
        """Keep the chunk's outcome and set the batch's progress and counters to the sums of its chunks."""
        await self.session.execute(insert(batch_chunks).values(batch_id=batch_id, **outcome.__dict__)
                                   .on_conflict_do_nothing())
        sums = select(*(func.coalesce(func.sum(getattr(batch_chunks.c, name)), 0)
                        for name in ("received", "accepted", "duplicates", "rejected"))) \
            .where(batch_chunks.c.batch_id == batch_id)
        received, accepted, duplicates, rejected = (await self.session.execute(sums)).one()
        await self.session.execute(update(batches).where(batches.c.batch_id == batch_id).values(
            last_line=outcome.last_line, received=received, accepted=accepted, duplicates=duplicates,
            rejected=rejected))

    async def drop_records(self, batch_id: str) -> None:
        """The staged file, once its batch is done."""
        await self.session.execute(delete(batch_records).where(batch_records.c.batch_id == batch_id))
