"""Kafka handlers for ``medfund.enrollment.v1``: thin wrappers turning events into projection calls."""

from __future__ import annotations

from medfund_billing.app import enrollment_projection as projection
from medfund_shared.consumer import ConsumerSpec, Handler
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.policy.catalogue import PolicyCatalogue

CATEGORY_CHANGED = "medfund.enrollment.person.category_changed.v1"
COVERAGE_TERMINATED = "medfund.enrollment.coverage.terminated.v1"
"""Types named by string: their models live in enrollment's module; until registered there the
runner skips them (an unknown type), and from then on these handlers apply them."""


def enrollment_consumer(catalogue: PolicyCatalogue) -> ConsumerSpec:
    async def on_registered(session, event, data) -> None:
        await projection.person_registered(session, catalogue, data, event.effectivetime)

    async def on_category_changed(session, event, data) -> None:
        await projection.category_changed(session, catalogue, data, event.effectivetime)

    async def on_terminated(session, event, data) -> None:
        await projection.coverage_terminated(session, data)

    handlers: dict[str, Handler] = {PersonRegistered.event_type: on_registered,
                                    CATEGORY_CHANGED: on_category_changed, COVERAGE_TERMINATED: on_terminated}
    return ConsumerSpec("billing-enrollment", ["medfund.enrollment.v1"], handlers)
