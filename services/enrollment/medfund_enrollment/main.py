"""Composition root of the enrollment service: `uvicorn medfund_enrollment.main:create_app --factory`."""

import structlog
from fastapi import FastAPI

from medfund_enrollment.adapters import batch_owner
from medfund_enrollment.adapters.handlers import consumers
from medfund_enrollment.api import enrollments, persons, statistics
from medfund_enrollment.api.deps import CATALOGUE
from medfund_shared.context import ServiceContext
from medfund_shared.policy.catalogue import PolicyCatalogue
from medfund_shared.service import ServiceDefinition, create_service_app
from medfund_shared.settings import Settings

BATCH_BODY_LIMIT = 64 << 20
"""A CSV of a county's households (one line per member) fits well within this."""
log = structlog.get_logger(__name__)


async def mark_interrupted_batches(context: ServiceContext) -> None:
    """Bulk batches left ``processing`` by a stopped process become ``interrupted`` (re-send to complete)."""
    async with context.session_factory() as session:
        count = await batch_owner.mark_orphans_interrupted(session)
        await session.commit()
    if count:
        log.warning("enrollment_batches_interrupted", count=count)


def definition(catalogue: PolicyCatalogue | None = None) -> ServiceDefinition:
    """Routers, consumers and hooks of this service (the shipped policy packs unless given others)."""
    catalogue = catalogue or PolicyCatalogue.load()

    async def provide_catalogue(context: ServiceContext) -> None:
        context.extras[CATALOGUE] = catalogue

    return ServiceDefinition(
        name="enrollment", package="medfund_enrollment",
        routers=[enrollments.router, persons.router, statistics.router],
        consumers=consumers(catalogue), on_startup=[provide_catalogue, mark_interrupted_batches],
        body_limits={"/v1/enrollments/batches": BATCH_BODY_LIMIT})


def create_app(settings: Settings | None = None, catalogue: PolicyCatalogue | None = None) -> FastAPI:
    return create_service_app(definition(catalogue), settings)
