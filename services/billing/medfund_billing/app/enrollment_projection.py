"""Who owes what: the premium accounts kept from ``medfund.enrollment.v1``.

A resident (390) registration opens a premium account; an employee-scheme (310) registration owes no
premium (employers declare months, flexible workers pay them through the tax feed) and records the
member in ``employee_members``, which declarations and flexible workers' payments are checked against.

Registration opens the person's account for the year, pays the government's share for subsidised
categories (代缴), and matches any payment that arrived before the person was known; a category
change recomputes both shares; a refusal of cover marks the year's money as refundable. The consumer
(``adapters/enrollment_handlers.py``) turns each event into one of the commands here and runs it on a unit of
work joined to its batch transaction; an event for an account never opened raises, so the consumer parks it as a
dead letter instead of dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import on_behalf
from medfund_billing.app.premium_completed import premium_completed
from medfund_billing.app.suspense import attach_suspended
from medfund_billing.domain.matching import PremiumAccount, change_due
from medfund_shared.events.types.enrollment import CategoryChanged, PersonRegistered
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.schemes import EMPLOYEE_SCHEME


@dataclass(frozen=True)
class RegisterPerson:
    person: PersonRegistered
    registered_at: datetime


@dataclass(frozen=True)
class ChangeCategory:
    change: CategoryChanged
    changed_at: datetime


@dataclass(frozen=True)
class TerminateCover:
    psn_no: str
    year: int
    insutype: str
    on: date


@dataclass(frozen=True)
class RefuseCover:
    psn_no: str
    year: int
    insutype: str
    reason: str
    message: str
    paid_at: datetime


async def person_registered(command: RegisterPerson, uow: BillingUnitOfWork, pack_set: PackSet) -> None:
    data, registered_at = command.person, command.registered_at
    async with uow:
        if data.insutype == EMPLOYEE_SCHEME:
            await _employee_registered(uow, data, registered_at)
        else:
            await _resident_registered(uow, pack_set, data, registered_at)
        await uow.commit()


async def _resident_registered(uow: BillingUnitOfWork, pack_set: PackSet, data: PersonRegistered,
                               registered_at: datetime) -> None:
    await uow.accounts.lock_identities([(data.certno, data.year, data.insutype)])
    opened = await uow.accounts.open(
        psn_no=data.psn_no, year=data.year, certno=data.certno, admdvs=data.admdvs, insutype=data.insutype,
        category=data.category, tier=data.tier, pack_id=data.pack_id, premium_due_fen=data.premium_due.fen,
        on_behalf_due_fen=data.on_behalf_due.fen, registered_at=registered_at)
    if not opened:
        return
    account = await uow.accounts.lock_one(data.psn_no, data.year)
    await _pay_on_behalf(uow, pack_set, account, data.category, Money.zero(), data.on_behalf_due, registered_at)
    if account.covers_premium:
        account = await _complete(uow, pack_set, account, registered_at)
    account = await attach_suspended(uow, pack_set, account, "registration")
    await uow.accounts.save([account])


async def category_changed(command: ChangeCategory, uow: BillingUnitOfWork, pack_set: PackSet) -> None:
    """New dues from the change date; the government pays any increase of its share at once."""
    data, changed_at = command.change, command.changed_at
    async with uow:
        account = await uow.accounts.lock_one(data.psn_no, data.year)
        if account is None:
            raise LookupError(f"category change for {data.psn_no} in {data.year} before registration")
        updated = await uow.accounts.update(data.psn_no, data.year, category=data.category, tier=data.tier,
                                            on_behalf_due_fen=data.on_behalf_due.fen)
        await _pay_on_behalf(uow, pack_set, account, data.category, Money(updated.on_behalf_paid_fen),
                             data.on_behalf_due, changed_at)
        account, completes = change_due(account, data.premium_due)
        if completes:
            await premium_completed(uow, pack_set, account, changed_at, None)
        await uow.accounts.save([account])
        await uow.commit()


async def _employee_registered(uow: BillingUnitOfWork, data: PersonRegistered, registered_at: datetime) -> None:
    """A 310 member for the year (a repeated event changes nothing)."""
    if data.employee_kind is None:
        raise ValueError(f"310 registration of {data.psn_no} without employee_kind")
    await uow.employees.add_member(
        psn_no=data.psn_no, year=data.year, certno=data.certno, admdvs=data.admdvs, gend=data.gend, brdy=data.brdy,
        kind=data.employee_kind, employer_code=data.employer_code,
        monthly_pension_fen=data.monthly_pension.fen if data.monthly_pension is not None else None,
        registered_at=registered_at)


async def coverage_terminated(command: TerminateCover, uow: BillingUnitOfWork) -> None:
    async with uow:
        if command.insutype == EMPLOYEE_SCHEME:
            await uow.employees.terminate_member(command.psn_no, command.year, command.on)
        else:
            await _update_account(uow, command.psn_no, command.year, terminated_on=command.on)
        await uow.commit()


async def coverage_refused(command: RefuseCover, uow: BillingUnitOfWork) -> None:
    """The premium bought no cover: its payments stay recorded and become refundable (listed by
    ``GET /v1/coverage-refusals`` until an operator refunds or reverses them). A 310 refusal (a retiree
    short of contribution years) moves no money: nothing was paid."""
    if command.insutype == EMPLOYEE_SCHEME:
        return
    async with uow:
        await _update_account(uow, command.psn_no, command.year, coverage_refused_reason=command.reason,
                              coverage_refusal_message=command.message, coverage_refused_at=command.paid_at)
        await uow.commit()


async def _update_account(uow: BillingUnitOfWork, psn_no: str, year: int, **values: object) -> None:
    if await uow.accounts.update(psn_no, year, **values) is None:
        raise LookupError(f"no premium account for {psn_no} in {year}")


async def _pay_on_behalf(uow: BillingUnitOfWork, pack_set: PackSet, account: PremiumAccount,
                         category: str, already_paid: Money, due: Money, paid_at: datetime) -> None:
    event = await on_behalf.pay(uow, pack_set, account, category, already_paid, due, paid_at)
    if event is not None:
        await uow.emit(event, paid_at)


async def _complete(uow: BillingUnitOfWork, pack_set: PackSet, account: PremiumAccount,
                    at: datetime) -> PremiumAccount:
    """The individual owes nothing (the government pays it all): paid in full on registration."""
    await premium_completed(uow, pack_set, account, at, None)
    return replace(account, paid_in_full=True)
