"""Tax files in PostgreSQL: an upload's records staged with COPY, read back a chunk at a time by any instance,
and the batch's counters set from the outcomes of the chunks applied (never added to)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.file_records import CSV, FileFormatError, RecordSplitter, csv_header
from medfund_billing.adapters.tables import batch_chunks, batch_records, batches
from medfund_shared import bulk

COPY_ROWS = 5000
"""Records sent per COPY while a file streams in: memory stays flat whatever the file's size."""


@dataclass(frozen=True)
class StagedFile:
    sha256: str
    csv_header: list[str] | None


async def stage_file(session: AsyncSession, batch_id: str, file_format: str,
                     chunks: AsyncIterator[bytes]) -> StagedFile:
    """Stream the upload into ``batch_records`` in the session's transaction; a CSV header is checked as soon as
    it has arrived (``FileFormatError``). The caller commits, together with the batch row, or rolls back."""
    splitter, digest, header, pending = RecordSplitter(file_format), hashlib.sha256(), None, []

    async def flush() -> None:
        if pending:
            await bulk.copy_records(session, batch_records, ("batch_id", "line", "raw"),
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


async def records_after(session: AsyncSession, batch_id: str, last_line: int, limit: int) -> list[tuple[int, bytes]]:
    """The next ``limit`` staged records after file line ``last_line``, in file order."""
    rows = await session.execute(
        select(batch_records.c.line, batch_records.c.raw)
        .where(batch_records.c.batch_id == batch_id, batch_records.c.line > last_line)
        .order_by(batch_records.c.line).limit(limit))
    return [(line, bytes(raw)) for line, raw in rows]


async def last_applied_line(session: AsyncSession, batch_id: str) -> int:
    return await session.scalar(select(batches.c.last_line).where(batches.c.batch_id == batch_id))


@dataclass(frozen=True)
class ChunkOutcome:
    first_line: int
    last_line: int
    received: int
    accepted: int
    duplicates: int
    rejected: int


async def record_chunk(session: AsyncSession, batch_id: str, outcome: ChunkOutcome) -> None:
    """Keep the chunk's outcome and set the batch's progress and counters to the sums of its chunks."""
    await session.execute(insert(batch_chunks).values(batch_id=batch_id, **outcome.__dict__)
                          .on_conflict_do_nothing())
    sums = select(*(func.coalesce(func.sum(getattr(batch_chunks.c, name)), 0)
                    for name in ("received", "accepted", "duplicates", "rejected"))) \
        .where(batch_chunks.c.batch_id == batch_id)
    received, accepted, duplicates, rejected = (await session.execute(sums)).one()
    await session.execute(update(batches).where(batches.c.batch_id == batch_id).values(
        last_line=outcome.last_line, received=received, accepted=accepted, duplicates=duplicates, rejected=rejected))


async def drop_records(session: AsyncSession, batch_id: str) -> None:
    """The staged file, once its batch is done."""
    await session.execute(delete(batch_records).where(batch_records.c.batch_id == batch_id))
