"""The coverage read model and the employees' individual accounts, kept from enrollment's and billing's events.

The consumer (``adapters/coverage_handlers.py``) turns each event, as the runner validated it against the shared
event model, into one of the commands here and runs its use case on a unit of work joined to the runner's batch
transaction. An event that needs a cover never activated raises, so the consumer parks it as a dead letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.domain.coverage import CategoryChange, Coverage
from medfund_shared.events.types.billing import (
    EmployeeAccountCredited,
    EmployeeContributionDeclared,
    EmployeeContributionWithdrawn,
)
from medfund_shared.events.types.enrollment import (
    CategoryChanged,
    CoverageActivated,
    CoverageReinstated,
    CoverageSuspended,
    CoverageTerminated,
    PersonRegistered,
)
from medfund_shared.money import Money
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME

RETIRED = "retired"
"""``PersonRegistered.employee_kind`` of a retiree."""


@dataclass(frozen=True)
class ActivateCoverage:
    activation: CoverageActivated


@dataclass(frozen=True)
class ChangeCategory:
    change: CategoryChanged
    changed_on: date
    """The business date of the change (the event's effective time)."""


@dataclass(frozen=True)
class RegisterPerson:
    person: PersonRegistered
    registered_on: date


@dataclass(frozen=True)
class ChangeCoverStatus:
    """A suspension, reinstatement or termination of a cover already activated."""

    change: CoverageSuspended | CoverageReinstated | CoverageTerminated
    event_type: str


@dataclass(frozen=True)
class CreditRetireeAccount:
    credit: EmployeeAccountCredited
    credit_id: str
    """Once per event: the event's id."""


@dataclass(frozen=True)
class DeclareContribution:
    declaration: EmployeeContributionDeclared
    credit_id: str


@dataclass(frozen=True)
class WithdrawContribution:
    withdrawal: EmployeeContributionWithdrawn
    credit_id: str


async def activate_coverage(command: ActivateCoverage, uow: AdjudicationUnitOfWork) -> None:
    d = command.activation
    async with uow:
        await uow.coverage.save(Coverage(d.psn_no, d.insutype, d.year, d.admdvs, d.certno, d.psn_name, d.gend,
                                         d.brdy, d.category, d.tier or None, d.coverage_from, d.coverage_to,
                                         d.pack_id))
        await uow.commit()


async def change_category(command: ChangeCategory, uow: AdjudicationUnitOfWork) -> None:
    """The new category holds for admissions from the change date on.

    Enrollment changes categories on resident enrollments only, so ``category_changed`` names no scheme.
    Enrollment keys this and ``coverage.activated`` by ``psn_no``, so both reach us in its order on one
    partition, and we rely on that: a change made after the activation arrives after it and is recorded
    here; a change made before it finds no cover yet and is skipped, because the activation carries the
    category as changed (which is also why an activation starts the year's changes afresh).
    """
    d = command.change
    async with uow:
        current = await uow.coverage.get(d.psn_no, RESIDENT_SCHEME, d.year)
        if current is not None:
            change = CategoryChange(command.changed_on, d.category, d.tier or None)
            await uow.coverage.save(current.change_category(change))
        await uow.commit()


async def register_person(command: RegisterPerson, uow: AdjudicationUnitOfWork) -> None:
    """The social security card number (1101 finds a person by it, ``mdtrt_cert_type`` 03) and, under 310,
    whether the person is retired: a retiree covered by contribution years has the retiree uplift from the
    first settlement, before any account credit (billing's later events still win by period)."""
    d = command.person
    async with uow:
        if d.ssc_no:
            await uow.coverage.record_card(d.psn_no, d.ssc_no)
        if d.insutype == EMPLOYEE_SCHEME and d.employee_kind is not None:
            await uow.coverage.record_employment(d.psn_no, f"{command.registered_on:%Y-%m}",
                                                 retired=d.employee_kind == RETIRED)
        await uow.commit()


def _status_change(change: CoverageSuspended | CoverageReinstated | CoverageTerminated) -> Callable[[Coverage],
                                                                                                      Coverage]:
    if isinstance(change, CoverageSuspended):
        return lambda c: c.suspend(change.since)
    if isinstance(change, CoverageReinstated):
        return lambda c: c.reinstate(change.since)
    return lambda c: c.terminate(change.on)


async def change_cover_status(command: ChangeCoverStatus, uow: AdjudicationUnitOfWork) -> None:
    d = command.change
    async with uow:
        current = await uow.coverage.get(d.psn_no, d.insutype, d.year)
        if current is None:
            raise LookupError(f"{command.event_type} for {d.psn_no}/{d.insutype}/{d.year} before its "
                              "coverage.activated")
        await uow.coverage.save(_status_change(d)(current))
        await uow.commit()


async def credit_retiree_account(command: CreditRetireeAccount, uow: AdjudicationUnitOfWork) -> None:
    """Only retirees get this credit (``source`` retiree_pension): it is how we learn someone is retired."""
    d = command.credit
    async with uow:
        await uow.coverage.credit(command.credit_id, d.psn_no, d.amount)
        await uow.coverage.record_employment(d.psn_no, d.period, retired=True)
        await uow.commit()


async def declare_contribution(command: DeclareContribution, uow: AdjudicationUnitOfWork) -> None:
    """A declared contribution is for an employee in service."""
    d = command.declaration
    async with uow:
        await uow.coverage.record_employment(d.psn_no, d.period, retired=False)
        if d.account_amount != Money(0):
            await uow.coverage.credit(command.credit_id, d.psn_no, d.account_amount)
        await uow.commit()


async def withdraw_contribution(command: WithdrawContribution, uow: AdjudicationUnitOfWork) -> None:
    """A flexible worker's month refunded: its account credit comes back out (the balance may go below zero when
    the money was already spent; the ledger's sub-ledger shows the same)."""
    d = command.withdrawal
    async with uow:
        if d.account_amount != Money(0):
            await uow.coverage.credit(command.credit_id, d.psn_no, Money(-d.account_amount.fen))
        await uow.commit()
