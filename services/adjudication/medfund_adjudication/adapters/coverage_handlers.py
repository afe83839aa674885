"""Kafka handlers for ``medfund.enrollment.v1`` and ``medfund.billing.v1``: each turns the event's data, as the
consumer runner validated it against the shared event model (:mod:`medfund_shared.events.types`), into a command of
:mod:`medfund_adjudication.app.coverage_projection` and runs its use case on a unit of work joined to the runner's
batch transaction. Types this consumer has no handler for are skipped by the runner.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.app import coverage_projection as projection
from medfund_shared.china_time import business_date
from medfund_shared.consumer import ConsumerSpec, Handler
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types import billing, enrollment

CONSUMER = "adjudication-coverage"


def _credit_id(event: CloudEvent) -> str:
    """An account credit is made once per event."""
    return f"event:{event.id}"


async def on_activated(session: AsyncSession, _event: CloudEvent, d: enrollment.CoverageActivated) -> None:
    await projection.activate_coverage(projection.ActivateCoverage(d), UnitOfWork.joined_to(session))


async def on_category_changed(session: AsyncSession, event: CloudEvent, d: enrollment.CategoryChanged) -> None:
    await projection.change_category(projection.ChangeCategory(d, business_date(event.effectivetime)),
                                     UnitOfWork.joined_to(session))


async def on_registered(session: AsyncSession, event: CloudEvent, d: enrollment.PersonRegistered) -> None:
    await projection.register_person(projection.RegisterPerson(d, business_date(event.effectivetime)),
                                     UnitOfWork.joined_to(session))


async def on_cover_status_changed(
        session: AsyncSession, event: CloudEvent,
        d: enrollment.CoverageSuspended | enrollment.CoverageReinstated | enrollment.CoverageTerminated) -> None:
    await projection.change_cover_status(projection.ChangeCoverStatus(d, event.type), UnitOfWork.joined_to(session))


async def on_account_credited(session: AsyncSession, event: CloudEvent, d: billing.EmployeeAccountCredited) -> None:
    await projection.credit_retiree_account(projection.CreditRetireeAccount(d, _credit_id(event)),
                                            UnitOfWork.joined_to(session))


async def on_contribution_declared(session: AsyncSession, event: CloudEvent,
                                   d: billing.EmployeeContributionDeclared) -> None:
    await projection.declare_contribution(projection.DeclareContribution(d, _credit_id(event)),
                                          UnitOfWork.joined_to(session))


async def on_contribution_withdrawn(session: AsyncSession, event: CloudEvent,
                                    d: billing.EmployeeContributionWithdrawn) -> None:
    await projection.withdraw_contribution(projection.WithdrawContribution(d, _credit_id(event)),
                                           UnitOfWork.joined_to(session))


def consumers() -> list[ConsumerSpec]:
    handlers: dict[str, Handler] = {
        enrollment.CoverageActivated.event_type: on_activated,
        enrollment.CategoryChanged.event_type: on_category_changed,
        enrollment.PersonRegistered.event_type: on_registered,
        enrollment.CoverageSuspended.event_type: on_cover_status_changed,
        enrollment.CoverageReinstated.event_type: on_cover_status_changed,
        enrollment.CoverageTerminated.event_type: on_cover_status_changed,
        billing.EmployeeAccountCredited.event_type: on_account_credited,
        billing.EmployeeContributionDeclared.event_type: on_contribution_declared,
        billing.EmployeeContributionWithdrawn.event_type: on_contribution_withdrawn}
    return [ConsumerSpec(CONSUMER, [enrollment.TOPIC, billing.TOPIC], handlers)]
