"""Cover starts on payment, stops on suspension or termination, resumes on reinstatement.

Each change writes the enrollment, its coverage periods, an audit row and one event together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from medfund_enrollment.adapters.repository import Record
from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.domain.errors import NotFound
from medfund_enrollment.domain.household import Kind
from medfund_enrollment.domain.lifecycle import (
    ONE_DAY,
    Cover,
    Status,
    SuspensionReason,
    TerminationReason,
    check_can_reinstate,
    check_can_suspend,
    check_can_terminate,
    cover_for_payment,
    last_covered_day,
)
from medfund_shared.china_time import business_date, start_of
from medfund_shared.events.types.enrollment import (
    CoverageActivated,
    CoverageReinstated,
    CoverageSuspended,
    CoverageTerminated,
)
from medfund_shared.events.types.enrollment import CoverageRefused as CoverageRefusedEvent
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.coverage import CoverageRefused
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.policy.schema import PolicyPack

ACTIVE, SUSPENDED, TERMINATED = "active", "suspended", "terminated"
BILLING = "billing"
"""The actor of the changes billing's events make: activation, and the withdrawal and restoring of cover."""


@dataclass(frozen=True)
class RecordFullPayment:
    """From ``premium.paid_in_full.v1``: the year's individual premium is covered."""

    psn_no: str
    insutype: str
    year: int
    paid_at: datetime
    on_behalf: bool


@dataclass(frozen=True)
class ChangeCoverage:
    """Suspend (``since``), reinstate (``since``) or terminate (``on``) a person's cover for a year."""

    psn_no: str
    insutype: str
    year: int
    day: date
    actor: str
    reason: str | None = None
    note: str = ""
    idempotency: IdempotentRequest | None = None
    from_payments: bool = False
    """A change worked out from the payments (billing's events), not an operator's: only such a change lifts a
    ``premium_withdrawn`` suspension."""


async def record_full_payment(cmd: RecordFullPayment, uow: UnitOfWork, pack_set: PackSet) -> Status:
    """Activate cover by the pack's rules, or restore cover a refund withdrew; a second payment event for the same
    year changes nothing."""
    async with uow:
        enrollment = await uow.repo.enrollment_for_update(cmd.psn_no, cmd.year, cmd.insutype)
        if enrollment is None:
            raise NotFound("not_enrolled", f"{cmd.psn_no} has no live enrollment for {cmd.insutype}/{cmd.year}",
                           "psn_no")
        paid_on = business_date(cmd.paid_at)
        if enrollment.status == Status.SUSPENDED \
                and await uow.repo.last_suspension_reason(enrollment.id) == SuspensionReason.PREMIUM_WITHDRAWN:
            return await _restore_withdrawn(uow, enrollment, paid_on)
        if enrollment.status != Status.REGISTERED:
            return Status(enrollment.status)
        status = await activate(uow, pack_set.get(enrollment.pack_id), enrollment, paid_on, cmd.on_behalf,
                                effective_time=cmd.paid_at)
        await uow.commit()
        return status


async def activate(uow: UnitOfWork, pack: PolicyPack, enrollment: Record, paid_on: date, on_behalf: bool,
                   effective_time: datetime | None = None, at_registration: bool = False) -> Status:
    """Open the coverage period the payment bought, or record why it bought none.

    ``at_registration``: nothing was due, so cover is asked for on registering, without a payment.
    """
    previous_end = await uow.repo.latest_cover_end(enrollment.psn_no, enrollment.insutype, enrollment.year)
    cover = cover_for_payment(pack, year=enrollment.year, kind=Kind(enrollment.kind),
                              brdy=(await uow.repo.person(enrollment.psn_no)).brdy, paid_on=paid_on,
                              on_behalf=on_behalf, event_date=enrollment.event_date,
                              previous_coverage_end=previous_end)
    trigger = "registration" if at_registration else "on_behalf" if on_behalf else "payment"
    return await open_cover(uow, enrollment, cover, effective_time or start_of(paid_on), trigger)


async def open_cover(uow: UnitOfWork, enrollment: Record, cover: Cover | CoverageRefused, paid_at: datetime,
                     refusal_trigger: str) -> Status:
    """Record the cover decided (period, audit, ``coverage.activated``) or why there is none."""
    if isinstance(cover, CoverageRefused):
        await _refuse(uow, enrollment, cover, paid_at, refusal_trigger)
        return Status.REGISTERED
    person = await uow.repo.person(enrollment.psn_no)
    await uow.repo.set_enrollment(enrollment.id, status=Status.ACTIVE.value, paid_at=paid_at, refusal=None,
                                  refusal_reason=None)
    await uow.repo.add_period(enrollment, cover.starts, cover.ends, ACTIVE)
    await uow.repo.audit(psn_no=enrollment.psn_no, enrollment_id=enrollment.id, action="activated", actor=BILLING,
                         effective_on=cover.starts, reason=cover.rule)
    await uow.emit(CoverageActivated(
        psn_no=enrollment.psn_no, certno=enrollment.certno, admdvs=enrollment.admdvs, insutype=enrollment.insutype,
        year=enrollment.year, category=enrollment.category, tier=enrollment.tier, coverage_from=cover.starts,
        coverage_to=cover.ends, brdy=person.brdy, gend=person.gend, psn_name=person.psn_name,
        trigger=cover.trigger, pack_id=enrollment.pack_id), paid_at)
    return Status.ACTIVE


async def _refuse(uow: UnitOfWork, enrollment: Record, refused: CoverageRefused, paid_at: datetime,
                  trigger: str) -> None:
    """The payment stays recorded without cover; the refusal is kept, audited and published."""
    await uow.repo.set_enrollment(enrollment.id, paid_at=paid_at, refusal=refused.message,
                                  refusal_reason=refused.reason.value)
    await uow.repo.audit(psn_no=enrollment.psn_no, enrollment_id=enrollment.id, action="cover_refused",
                         actor=BILLING, effective_on=business_date(paid_at),
                         reason=refused.reason.value, note=refused.message)
    e = enrollment
    await uow.emit(refused_event(e.psn_no, e.certno, e.admdvs, e.insutype, e.year, e.pack_id, refused, paid_at,
                                 trigger), paid_at)


def refused_event(psn_no: str, certno: str, admdvs: str, insutype: str, year: int, pack_id: str,
                  refused: CoverageRefused, paid_at: datetime, trigger: str) -> CoverageRefusedEvent:
    return CoverageRefusedEvent(psn_no=psn_no, certno=certno, admdvs=admdvs, insutype=insutype, year=year,
                                paid_at=paid_at, reason=refused.reason.value, message=refused.message,
                                trigger=trigger, pack_id=pack_id)


@dataclass(frozen=True)
class WithdrawCover:
    """From ``premium.withdrawn.v1``: a refund or reversal took the year's premium below the due on ``since``."""

    psn_no: str
    insutype: str
    year: int
    since: date
    note: str


async def withdraw_cover(cmd: WithdrawCover, uow: UnitOfWork) -> Status:
    """Suspend active cover from ``since`` (``premium_withdrawn``): a settlement from that day on is refused, one
    before it keeps its cover. A refund dated before the year withdraws the whole year; one after the year, or of
    a year without active cover (refused, suspended, terminated), withdraws nothing."""
    enrollment = await uow.repo.enrollment_for_update(cmd.psn_no, cmd.year, cmd.insutype)
    if enrollment is None or enrollment.status != Status.ACTIVE or cmd.since.year > cmd.year:
        return Status(enrollment.status) if enrollment is not None else Status.TERMINATED
    since = max(cmd.since, date(cmd.year, 1, 1))
    await suspend(ChangeCoverage(cmd.psn_no, cmd.insutype, cmd.year, since, BILLING,
                                 SuspensionReason.PREMIUM_WITHDRAWN.value, cmd.note), uow)
    return Status.SUSPENDED


async def _restore_withdrawn(uow: UnitOfWork, enrollment: Record, paid_on: date) -> Status:
    """The premium is paid in full again: cover resumes from the day of that payment (never before the
    withdrawal; a payment after the year restores nothing)."""
    if paid_on.year > enrollment.year:
        return Status.SUSPENDED
    period = await uow.repo.open_period(enrollment.id)
    since = max(paid_on, period.starts)
    await reinstate(ChangeCoverage(enrollment.psn_no, enrollment.insutype, enrollment.year, since, BILLING,
                                   note="the premium was paid in full again", from_payments=True), uow)
    return Status.ACTIVE


async def suspend(cmd: ChangeCoverage, uow: UnitOfWork) -> dict:
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        enrollment = await _locked(uow, cmd)
        check_can_suspend(Status(enrollment.status), cmd.day, cmd.year)
        reason = SuspensionReason(cmd.reason)
        await _cut_open_period(uow, enrollment, cmd.day - ONE_DAY, ACTIVE)
        await uow.repo.add_period(enrollment, cmd.day, date(cmd.year, 12, 31), SUSPENDED)
        await uow.repo.set_enrollment(enrollment.id, status=Status.SUSPENDED.value)
        await uow.emit(CoverageSuspended(psn_no=cmd.psn_no, insutype=cmd.insutype, year=cmd.year, since=cmd.day,
                                         reason=reason.value, actor=cmd.actor, note=cmd.note), start_of(cmd.day))
        return await _finish(uow, cmd, enrollment, "suspended", reason.value, Status.SUSPENDED)


async def reinstate(cmd: ChangeCoverage, uow: UnitOfWork) -> dict:
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        enrollment = await _locked(uow, cmd)
        period = await uow.repo.open_period(enrollment.id)
        withdrawn = not cmd.from_payments and \
            await uow.repo.last_suspension_reason(enrollment.id) == SuspensionReason.PREMIUM_WITHDRAWN
        check_can_reinstate(Status(enrollment.status), cmd.day, period.starts, cmd.year, premium_withdrawn=withdrawn)
        await _cut_open_period(uow, enrollment, cmd.day - ONE_DAY, SUSPENDED)
        await uow.repo.add_period(enrollment, cmd.day, date(cmd.year, 12, 31), ACTIVE)
        await uow.repo.set_enrollment(enrollment.id, status=Status.ACTIVE.value)
        await uow.emit(CoverageReinstated(psn_no=cmd.psn_no, insutype=cmd.insutype, year=cmd.year, since=cmd.day,
                                          actor=cmd.actor, note=cmd.note), start_of(cmd.day))
        return await _finish(uow, cmd, enrollment, "reinstated", None, Status.ACTIVE)


async def terminate(cmd: ChangeCoverage, uow: UnitOfWork) -> dict:
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        enrollment = await _locked(uow, cmd)
        await terminate_enrollment(uow, enrollment, cmd.day, TerminationReason(cmd.reason), cmd.actor, cmd.note,
                                   audit=False)
        return await _finish(uow, cmd, enrollment, "terminated", cmd.reason, Status.TERMINATED)


async def terminate_enrollment(uow: UnitOfWork, enrollment: Record, on: date, reason: TerminationReason, actor: str,
                               note: str, audit: bool = True) -> None:
    """End the enrollment: the open period stops at the last covered day; its event is emitted."""
    check_can_terminate(Status(enrollment.status), on, enrollment.year)
    period = await uow.repo.open_period(enrollment.id)
    if period is not None and period.ends >= on:
        last = last_covered_day(on, reason) if period.status == ACTIVE else on - ONE_DAY
        await uow.repo.set_period(period.id, ends=max(last, period.starts - ONE_DAY),
                                  status=TERMINATED if period.status == ACTIVE else period.status)
    await uow.repo.set_enrollment(enrollment.id, status=Status.TERMINATED.value)
    await uow.emit(CoverageTerminated(psn_no=enrollment.psn_no, insutype=enrollment.insutype, year=enrollment.year,
                                      on=on, reason=reason.value, actor=actor, note=note), start_of(on))
    if audit:
        await uow.repo.audit(psn_no=enrollment.psn_no, enrollment_id=enrollment.id, action="terminated", actor=actor,
                             effective_on=on, reason=reason.value, note=note)


async def _locked(uow: UnitOfWork, cmd: ChangeCoverage) -> Record:
    enrollment = await uow.repo.enrollment_for_update(cmd.psn_no, cmd.year, cmd.insutype)
    if enrollment is None:
        raise NotFound("not_enrolled", f"{cmd.psn_no} has no live enrollment for {cmd.insutype}/{cmd.year}", "psn_no")
    return enrollment


async def _cut_open_period(uow: UnitOfWork, enrollment: Record, last_day: date, expected_status: str) -> None:
    period = await uow.repo.open_period(enrollment.id)
    if period is not None and period.status == expected_status and period.ends > last_day:
        await uow.repo.set_period(period.id, ends=max(last_day, period.starts - ONE_DAY))


async def _finish(uow: UnitOfWork, cmd: ChangeCoverage, enrollment: Record, action: str, reason: str | None,
                  status: Status) -> dict:
    await uow.repo.audit(psn_no=cmd.psn_no, enrollment_id=enrollment.id, action=action, actor=cmd.actor,
                         effective_on=cmd.day, reason=reason, note=cmd.note)
    reply = {"psn_no": cmd.psn_no, "insutype": cmd.insutype, "year": cmd.year, "status": status.value,
             "action": action, "date": cmd.day.isoformat(), "reason": reason, "actor": cmd.actor}
    await uow.idempotency.remember(cmd.idempotency, reply)
    await uow.commit()
    return reply

