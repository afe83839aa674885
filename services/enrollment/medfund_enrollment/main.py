"""Composition root of the enrollment service: `uvicorn medfund_enrollment.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_enrollment.adapters.batch_lease import enrollment_leases
from medfund_enrollment.adapters.handlers import consumers
from medfund_enrollment.adapters.uow import own_unit_of_work
from medfund_enrollment.api import enrollments, persons, statistics
from medfund_enrollment.api.deps import BATCH_LEASES, BATCH_WORKER, CATALOGUE, today_in_china
from medfund_enrollment.app import batches
from medfund_shared.batch_ownership import BatchWorker, HeldBatch, Ownership
from medfund_shared.context import ServiceContext
from medfund_shared.policy.catalogue import PolicyCatalogue
from medfund_shared.service import ServiceDefinition, create_service_app
from medfund_shared.settings import Settings

BATCH_BODY_LIMIT = 64 << 20
"""A CSV of a county's households (one line per member) fits well within this."""


def batch_worker(context: ServiceContext, catalogue: PolicyCatalogue) -> BatchWorker:
    """Finishes the bulk batches whose owner stopped, once their lease has run out: the lines staged are applied;
    a batch whose file had not wholly arrived is then ``interrupted`` (re-send the file to complete it)."""
    leases = enrollment_leases(context.session_factory, context.settings.batch_lease_seconds)
    context.extras[BATCH_LEASES] = leases

    async def finish(ownership: Ownership) -> None:
        await batches.apply_staged(HeldBatch(leases, ownership), lambda: own_unit_of_work(context), catalogue,
                                   today_in_china(), batches.BatchStatus.INTERRUPTED)

    return BatchWorker("enrollment-batches", leases, finish, context.settings)


def definition(catalogue: PolicyCatalogue | None = None) -> ServiceDefinition:
    """Routers, consumers and hooks of this service (the shipped policy packs unless given others)."""
    catalogue = catalogue or PolicyCatalogue.load()

    async def provide_catalogue(context: ServiceContext) -> None:
        context.extras[CATALOGUE] = catalogue
        context.extras[BATCH_WORKER] = batch_worker(context, catalogue)

    async def finish_orphaned_batches(context: ServiceContext) -> None:
        await context.extras[BATCH_WORKER].run()

    return ServiceDefinition(
        name="enrollment", package="medfund_enrollment",
        routers=[enrollments.router, persons.router, statistics.router],
        consumers=consumers(catalogue), on_startup=[provide_catalogue], background=[finish_orphaned_batches],
        body_limits={"/v1/enrollments/batches": BATCH_BODY_LIMIT})


def create_app(settings: Settings | None = None, catalogue: PolicyCatalogue | None = None) -> FastAPI:
    return create_service_app(definition(catalogue), settings)
