"""Bulk registration from a CSV file: every line judged on its own, one transaction per chunk.

The file is staged in the database as it arrives and applied by the batch's one owner
(``medfund_shared.batch_ownership``): the instance that receives it, or, if that instance stops, another one
once the lease has run out, resuming after the last committed chunk. Each chunk is fenced on the lease and sets
the batch's counters from the outcomes of its chunks, so no line is applied or counted twice.

A chunk is judged in memory against what is recorded for its people and households (read in one
go), then written set-based, so it costs a handful of round trips instead of several per line. A
line already registered in the same household for the year is a duplicate, not an error, so a
re-sent file changes nothing. Rejected lines are kept with the masked certno, a code and a message.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from medfund_enrollment.adapters.uow import UnitOfWork, lost_race
from medfund_enrollment.app.batch_lines import BatchLine, LineApplication, read_line, values_of
from medfund_enrollment.app.bulk_writes import NewHousehold, Registration, write_registrations
from medfund_enrollment.app.common import pack_for
from medfund_enrollment.domain.batch_roster import DUPLICATE, Roster
from medfund_enrollment.domain.employee import EmployeeKind
from medfund_enrollment.domain.errors import EnrollmentError
from medfund_enrollment.domain.household import plan_household
from medfund_enrollment.domain.lifecycle import Cover, cover_for_payment, retiree_cover
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.schemes import RESIDENT_SCHEME

CHUNK_LINES = 1000
"""Lines staged, and lines applied, per transaction."""
ATTEMPTS = 3
"""A chunk that lost a race to a concurrent writer is judged again against what that writer recorded.

The chunk reads everything it judges from one snapshot, so it never sees half of a concurrent chunk;
writing over what that chunk wrote then fails, and the retry sees all of it.
"""


@dataclass
class ChunkOutcome:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejections: list[dict] = field(default_factory=list)


class BatchStatus(StrEnum):
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    """The upload broke off (or a chunk could not be written): the counts say what was applied."""
    INTERRUPTED = "interrupted"
    """The instance receiving the file stopped before it had all of it; another instance applied what had
    arrived once the lease ran out."""


def new_batch_id() -> str:
    return str(uuid.uuid4())


class Lease(Protocol):
    """The batch's lease as this instance holds it (``medfund_shared.batch_ownership.HeldBatch``)."""

    batch_id: str

    async def claim(self, uow: UnitOfWork) -> bool: ...

    async def fence(self, uow: UnitOfWork) -> None: ...

    async def release(self, uow: UnitOfWork, status: str) -> None: ...


async def start_batch(uow: UnitOfWork, lease: Lease, actor: str, header: list[str]) -> None:
    """Open the batch, owned from the start by the instance receiving its file."""
    await uow.repo.add_batch(lease.batch_id, actor, header)
    await lease.claim(uow)
    await uow.commit()


async def stage_lines(uow: UnitOfWork, lease: Lease, lines: list[tuple[int, bytes]], received_all: bool) -> None:
    """Keep lines of the file as they arrive (``received_all`` with the last ones): any instance can finish it."""
    await lease.fence(uow)
    await uow.repo.stage_lines(lease.batch_id, lines, received_all)
    await uow.commit()


async def apply_staged(lease: Lease, units: Callable[[], AbstractAsyncContextManager[UnitOfWork]],
                       pack_set: PackSet, today: date, incomplete: BatchStatus) -> BatchStatus:
    """Apply the staged lines after the last chunk committed, chunk by chunk, then close the batch: ``done`` if
    the whole file had arrived, else ``incomplete`` (the upload broke off, or its instance stopped)."""
    async with units() as uow:
        header = await uow.repo.batch_header(lease.batch_id)
    while True:
        async with units() as uow:
            received_all, staged = await uow.repo.staged_after(lease.batch_id, CHUNK_LINES)
            if not staged:
                status = BatchStatus.DONE if received_all else incomplete
                await uow.repo.drop_staged_lines(lease.batch_id)
                await lease.release(uow, status.value)
                await uow.commit()
                return status
        lines = [BatchLine(number, values_of(raw, header)) for number, raw in staged]
        async with units() as uow:
            await process_chunk(lease, lines, uow, pack_set, today)


async def process_chunk(lease: Lease, lines: list[BatchLine], uow: UnitOfWork, pack_set: PackSet,
                        today: date) -> ChunkOutcome:
    """Apply a chunk of lines and the batch's progress in one transaction, fenced on the batch's lease."""
    read: list[LineApplication | EnrollmentError] = [_read(line, today) for line in lines]
    attempt = 1
    while True:
        try:
            outcome = await _apply(lease, lines, read, uow, pack_set)
            await uow.commit()
            return outcome
        except Exception as error:
            await uow.rollback()
            if attempt == ATTEMPTS or not lost_race(error):
                raise
            attempt += 1


def _read(line: BatchLine, today: date) -> LineApplication | EnrollmentError:
    try:
        return read_line(line, today)
    except EnrollmentError as error:
        return error


async def _apply(lease: Lease, lines: list[BatchLine], read: list[LineApplication | EnrollmentError],
                 uow: UnitOfWork, pack_set: PackSet) -> ChunkOutcome:
    await uow.read_one_snapshot()
    await lease.fence(uow)
    valid = [r for r in read if isinstance(r, LineApplication)]
    roster = await uow.bulk.roster({r.certno for r in valid}, {r.application.year for r in valid},
                                   {(r.application.admdvs, r.household_key) for r in valid})
    outcome, registrations, households = ChunkOutcome(received=len(lines)), [], []
    for line, item in zip(lines, read, strict=True):
        try:
            if isinstance(item, EnrollmentError):
                raise item
            accepted = _accept_line(item, roster, pack_set, households)
        except EnrollmentError as error:
            outcome.rejections.append(line.rejection(error))
            continue
        if accepted == DUPLICATE:
            outcome.duplicates += 1
        else:
            outcome.accepted += 1
            registrations.append(accepted)
    await write_registrations(uow, registrations, households)
    await uow.repo.record_chunk(lease.batch_id, lines[0].line, lines[-1].line, outcome.received, outcome.accepted,
                                outcome.duplicates, outcome.rejections)
    return outcome


def _accept_line(item: LineApplication, roster: Roster, pack_set: PackSet,
           households: list[NewHousehold]) -> Registration | str:
    """The line planned and accepted (``DUPLICATE`` if already there); new households are appended."""
    app = item.application
    pack = pack_for(pack_set, app.admdvs, app.insutype, app.year)
    renewing = frozenset({item.certno}) if roster.renewing(item.certno, app.year, app.insutype) else frozenset()
    plan = plan_household(pack, app, renewing)[0]
    tier = app.tier if app.insutype == RESIDENT_SCHEME else None
    accepted = roster.accept_line(plan.certno, app.year, app.insutype, tier, (app.admdvs, item.household_key),
                            lambda: str(uuid.uuid4()))
    if accepted == DUPLICATE:
        return DUPLICATE
    if accepted.new_household:
        households.append(NewHousehold(accepted.household_id, app.admdvs, item.household_key))
    cover = None
    if app.insutype == RESIDENT_SCHEME and not plan.premium_due and not plan.on_behalf_due:
        cover = cover_for_payment(pack, year=app.year, kind=plan.kind, brdy=plan.brdy,
                                  paid_on=app.enrolled_on, on_behalf=False, event_date=plan.event_date,
                                  previous_coverage_end=roster.previous_cover_end(plan.certno, app.insutype,
                                                                                  app.year))
        if isinstance(cover, Cover):
            roster.covered(plan.certno, app.year, app.insutype, cover.ends)
    elif plan.employee is not None and plan.employee.kind is EmployeeKind.RETIRED:
        cover = retiree_cover(pack, app.year, app.enrolled_on, plan.gend, plan.employee.contribution_years)
    return Registration(app, plan, accepted.household_id, pack.pack_id, cover)
