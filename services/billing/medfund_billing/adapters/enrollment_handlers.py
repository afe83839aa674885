"""Kafka handlers for ``medfund.enrollment.v1``: each turns its event into a command and runs the projection's use
case on a unit of work joined to the runner's batch transaction.

Enrollment's other types (activation, suspension, reinstatement, eligible population) move no money
and are skipped by the runner as types this consumer does not handle.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import enrollment_projection as projection
from medfund_shared.consumer import ConsumerSpec, Handler
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types import enrollment
from medfund_shared.events.types.enrollment import (
    CategoryChanged,
    CoverageRefused,
    CoverageTerminated,
    PersonRegistered,
)
from medfund_shared.policy.pack_set import PackSet

CONSUMER = "billing-enrollment"


def enrollment_consumer(pack_set: PackSet) -> ConsumerSpec:
    async def on_registered(session: AsyncSession, event: CloudEvent, data: PersonRegistered) -> None:
        await projection.person_registered(projection.RegisterPerson(data, event.effectivetime),
                                           BillingUnitOfWork(session, joined=True), pack_set)

    async def on_category_changed(session: AsyncSession, event: CloudEvent, data: CategoryChanged) -> None:
        await projection.category_changed(projection.ChangeCategory(data, event.effectivetime),
                                          BillingUnitOfWork(session, joined=True), pack_set)

    async def on_terminated(session: AsyncSession, event: CloudEvent, data: CoverageTerminated) -> None:
        await projection.coverage_terminated(projection.TerminateCover(data.psn_no, data.year, data.insutype, data.on),
                                             BillingUnitOfWork(session, joined=True))

    async def on_refused(session: AsyncSession, event: CloudEvent, data: CoverageRefused) -> None:
        command = projection.RefuseCover(data.psn_no, data.year, data.insutype, data.reason, data.message,
                                         data.paid_at)
        await projection.coverage_refused(command, BillingUnitOfWork(session, joined=True))

    handlers: dict[str, Handler] = {
        PersonRegistered.event_type: on_registered, CategoryChanged.event_type: on_category_changed,
        CoverageTerminated.event_type: on_terminated, CoverageRefused.event_type: on_refused}
    return ConsumerSpec(CONSUMER, [enrollment.TOPIC], handlers)
