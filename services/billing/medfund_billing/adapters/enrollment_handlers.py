"""Kafka handlers for ``medfund.enrollment.v1``: thin wrappers turning events into projection calls.

Enrollment's other types (activation, suspension, reinstatement, eligible population) move no money
and are skipped by the runner as types this consumer does not handle.
"""

from __future__ import annotations

from medfund_billing.app import enrollment_projection as projection
from medfund_shared.consumer import ConsumerSpec, Handler
from medfund_shared.events.types.enrollment import (
    CategoryChanged,
    CoverageRefused,
    CoverageTerminated,
    PersonRegistered,
)
from medfund_shared.policy.catalogue import PolicyCatalogue


def enrollment_consumer(catalogue: PolicyCatalogue) -> ConsumerSpec:
    async def on_registered(session, event, data: PersonRegistered) -> None:
        await projection.person_registered(session, catalogue, data, event.effectivetime)

    async def on_category_changed(session, event, data: CategoryChanged) -> None:
        await projection.category_changed(session, catalogue, data, event.effectivetime)

    async def on_terminated(session, event, data: CoverageTerminated) -> None:
        await projection.coverage_terminated(session, data)

    async def on_refused(session, event, data: CoverageRefused) -> None:
        await projection.coverage_refused(session, data)

    handlers: dict[str, Handler] = {
        PersonRegistered.event_type: on_registered, CategoryChanged.event_type: on_category_changed,
        CoverageTerminated.event_type: on_terminated, CoverageRefused.event_type: on_refused}
    return ConsumerSpec("billing-enrollment", ["medfund.enrollment.v1"], handlers)
