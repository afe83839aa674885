"""Employee-scheme (310) cover from the months declared or paid (billing's ``contribution_declared``).

Each month paid is recorded for the person and moves the region's clock (the latest period seen in
the region's data, never the wall clock). The person's cover is then worked out again from their
months and the clock (:func:`medfund_shared.policy.employee_cover.employee_cover`): the first month
paid activates cover, a run of unpaid months suspends it (``unpaid_months``), paying them back
reinstates it from the day it was suspended. A month refunded (``contribution_withdrawn``) is unpaid
again: with no month left the cover is withdrawn from the refund's day, and a month paid again
restores it. When the clock moves, everyone in the region whose latest month paid lies far enough
behind it is looked at too. Runs inside the consumer's transaction; never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.app import lifecycle
from medfund_enrollment.domain.employee import EmployeeKind
from medfund_enrollment.domain.lifecycle import Cover, Status, SuspensionReason
from medfund_shared.china_time import start_of
from medfund_shared.policy.employee_cover import employee_cover, employee_coverage_rules, month_index, month_start
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.schemes import EMPLOYEE_SCHEME

ACTOR = "enrollment"
UNPAID = "unpaid_months"
WITHDRAWN = SuspensionReason.PREMIUM_WITHDRAWN.value


@dataclass(frozen=True)
class RecordEmployeeMonth:
    """A month declared by an employer or paid by a flexible worker (``psn_no`` None: a retiree's credit,
    which moves the clock only)."""

    psn_no: str | None
    admdvs: str
    period: date
    paid_at: datetime


async def record_employee_month(cmd: RecordEmployeeMonth, uow: UnitOfWork, pack_set: PackSet) -> None:
    if cmd.psn_no is not None:
        await uow.repo.add_employee_month(cmd.psn_no, cmd.period, cmd.admdvs)
    before, clock = await uow.repo.advance_region_clock(cmd.admdvs, cmd.period)
    if cmd.psn_no is not None:
        await _refresh(uow, pack_set, cmd.psn_no, cmd.period.year, clock, cmd.paid_at, paid_month=True)
    if before is None or clock > before:
        await _sweep(uow, pack_set, cmd.admdvs, clock, cmd.paid_at)


@dataclass(frozen=True)
class WithdrawEmployeeMonth:
    """From ``employee.contribution_withdrawn``: a flexible worker's month refunded on ``since``."""

    psn_no: str
    admdvs: str
    period: date
    since: date
    note: str


async def withdraw_employee_month(cmd: WithdrawEmployeeMonth, uow: UnitOfWork, pack_set: PackSet) -> None:
    """The month is unpaid again: the cover is worked out from the months left (a run of unpaid months suspends it,
    as for any month not paid). With no month left the cover is withdrawn from the refund's day (``premium_withdrawn``;
    paying a month again restores it)."""
    await uow.repo.remove_employee_month(cmd.psn_no, cmd.period)
    year = cmd.period.year
    enrollment = await uow.repo.enrollment_for_update(cmd.psn_no, year, EMPLOYEE_SCHEME)
    if enrollment is None or enrollment.employee_kind == EmployeeKind.RETIRED:
        return
    if await uow.repo.employee_months_of(cmd.psn_no):
        clock = await uow.repo.region_clock(cmd.admdvs)
        await _refresh(uow, pack_set, cmd.psn_no, year, clock, start_of(cmd.since))
        return
    if Status(enrollment.status) is Status.ACTIVE and cmd.since.year <= year:
        period = await uow.repo.open_period(enrollment.id)
        since = max(cmd.since, period.starts, date(year, 1, 1))
        await lifecycle.suspend(_change(cmd.psn_no, year, since, WITHDRAWN, cmd.note), uow)


async def _sweep(uow: UnitOfWork, pack_set: PackSet, admdvs: str, clock: date, at: datetime) -> None:
    """Everyone covered in the region whose latest month paid is far enough behind the clock to owe a run."""
    pack = pack_set.in_force(admdvs, EMPLOYEE_SCHEME, clock)
    limit = employee_coverage_rules(pack).suspend_after_unpaid_months
    if limit is None:
        return
    for psn_no in await uow.repo.employees_paid_before(admdvs, month_start(month_index(clock) - limit)):
        await _refresh(uow, pack_set, psn_no, clock.year, clock, at)


async def _refresh(uow: UnitOfWork, pack_set: PackSet, psn_no: str, year: int, clock: date,
                   at: datetime, paid_month: bool = False) -> None:
    """Bring the person's cover for ``year`` in line with their months paid and the clock."""
    enrollment = await uow.repo.enrollment_for_update(psn_no, year, EMPLOYEE_SCHEME)
    if enrollment is None:
        if paid_month:
            raise LookupError(f"a month paid for {psn_no} in {year} without a live 310 enrollment")
        return
    if enrollment.employee_kind == EmployeeKind.RETIRED:
        return
    pack = pack_set.get(enrollment.pack_id)
    cover = employee_cover(pack, await uow.repo.employee_months_of(psn_no), clock)
    if cover is None:
        return
    year_end = date(year, 12, 31)
    suspended_since = cover.suspended_since if cover.suspended_since and cover.suspended_since <= year_end else None
    status = Status(enrollment.status)
    if status is Status.REGISTERED:
        starts = max(cover.starts, date(year, 1, 1))
        status = await lifecycle.open_cover(uow, enrollment, Cover(starts, year_end, "contribution", "employee_months"),
                                            at, "payment")
    if status is Status.ACTIVE and suspended_since is not None:
        await lifecycle.suspend(_change(psn_no, year, suspended_since, UNPAID, "after consecutive unpaid months"), uow)
    elif status is Status.SUSPENDED and suspended_since is None \
            and (reason := await uow.repo.last_suspension_reason(enrollment.id)) in (UNPAID, WITHDRAWN):
        since = max((await uow.repo.open_period(enrollment.id)).starts, cover.starts)
        note = "the unpaid months were paid back" if reason == UNPAID else "a month was paid again"
        await lifecycle.reinstate(_change(psn_no, year, since, None, note), uow)


def _change(psn_no: str, year: int, day: date, reason: str | None, note: str) -> lifecycle.ChangeCoverage:
    return lifecycle.ChangeCoverage(psn_no, EMPLOYEE_SCHEME, year, day, ACTOR, reason, note, from_payments=True)
