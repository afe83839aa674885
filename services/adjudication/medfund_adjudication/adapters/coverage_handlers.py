"""Enrollment and billing events into the coverage read model and the account balances.

Each handler takes the event's data as the consumer runner validated it against the shared event model
(:mod:`medfund_shared.events.types`). Handlers run inside the consumer's transaction; never commit.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.domain.coverage import CategoryChange, Coverage
from medfund_shared.china_time import business_date
from medfund_shared.consumer import ConsumerSpec
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types import billing, enrollment
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


async def on_activated(session: AsyncSession, _event: CloudEvent, d: CoverageActivated) -> None:
    await coverage_repo.save(session, Coverage(d.psn_no, d.insutype, d.year, d.admdvs, d.certno, d.psn_name, d.gend,
                                               d.brdy, d.category, d.tier or None, d.coverage_from, d.coverage_to,
                                               d.pack_id))


async def on_category_changed(session: AsyncSession, event: CloudEvent, d: CategoryChanged) -> None:
    """The new category holds for admissions from the change date (the event's business time) on.

    Enrollment changes categories on resident enrollments only, so ``category_changed`` names no scheme.
    Enrollment keys this and ``coverage.activated`` by ``psn_no``, so both reach us in its order on one
    partition, and we rely on that: a change made after the activation arrives after it and is recorded
    here; a change made before it finds no cover yet and is skipped, because the activation carries the
    category as changed (which is also why an activation starts the year's changes afresh).
    """
    current = await coverage_repo.get(session, d.psn_no, RESIDENT_SCHEME, d.year)
    if current is not None:
        change = CategoryChange(business_date(event.effectivetime), d.category, d.tier or None)
        await coverage_repo.save(session, current.change_category(change))


async def on_registered(session: AsyncSession, event: CloudEvent, d: PersonRegistered) -> None:
    """The social security card number (1101 finds a person by it, ``mdtrt_cert_type`` 03) and, under 310,
    whether the person is retired: a retiree covered by contribution years has the retiree uplift from the
    first settlement, before any account credit (billing's later events still win by period)."""
    if d.ssc_no:
        await coverage_repo.record_card(session, d.psn_no, d.ssc_no)
    if d.insutype == EMPLOYEE_SCHEME and d.employee_kind is not None:
        await coverage_repo.record_employment(session, d.psn_no, f"{business_date(event.effectivetime):%Y-%m}",
                                              retired=d.employee_kind == RETIRED)


async def _change(session: AsyncSession, event: CloudEvent, d: CoverageSuspended | CoverageReinstated
                  | CoverageTerminated, apply) -> None:
    current = await coverage_repo.get(session, d.psn_no, d.insutype, d.year)
    if current is None:
        raise LookupError(f"{event.type} for {d.psn_no}/{d.insutype}/{d.year} before its coverage.activated")
    await coverage_repo.save(session, apply(current))


async def on_suspended(session: AsyncSession, event: CloudEvent, d: CoverageSuspended) -> None:
    await _change(session, event, d, lambda c: c.suspend(d.since))


async def on_reinstated(session: AsyncSession, event: CloudEvent, d: CoverageReinstated) -> None:
    await _change(session, event, d, lambda c: c.reinstate(d.since))


async def on_terminated(session: AsyncSession, event: CloudEvent, d: CoverageTerminated) -> None:
    await _change(session, event, d, lambda c: c.terminate(d.on))


async def on_account_credited(session: AsyncSession, event: CloudEvent, d: EmployeeAccountCredited) -> None:
    """Only retirees get this credit (``source`` retiree_pension): it is how we learn someone is retired."""
    await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, d.amount)
    await coverage_repo.record_employment(session, d.psn_no, d.period, retired=True)


async def on_contribution_declared(session: AsyncSession, event: CloudEvent,
                                   d: EmployeeContributionDeclared) -> None:
    """A declared contribution is for an employee in service."""
    await coverage_repo.record_employment(session, d.psn_no, d.period, retired=False)
    if d.account_amount != Money(0):
        await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, d.account_amount)


async def on_contribution_withdrawn(session: AsyncSession, event: CloudEvent,
                                    d: EmployeeContributionWithdrawn) -> None:
    """A flexible worker's month refunded: its account credit comes back out (the balance may go below zero when
    the money was already spent; the ledger's sub-ledger shows the same)."""
    if d.account_amount != Money(0):
        await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, Money(-d.account_amount.fen))


def consumers() -> list[ConsumerSpec]:
    return [ConsumerSpec("adjudication-coverage", [enrollment.TOPIC, billing.TOPIC], {
        CoverageActivated.event_type: on_activated, CategoryChanged.event_type: on_category_changed,
        PersonRegistered.event_type: on_registered, CoverageSuspended.event_type: on_suspended,
        CoverageReinstated.event_type: on_reinstated, CoverageTerminated.event_type: on_terminated,
        EmployeeAccountCredited.event_type: on_account_credited,
        EmployeeContributionDeclared.event_type: on_contribution_declared,
        EmployeeContributionWithdrawn.event_type: on_contribution_withdrawn})]
