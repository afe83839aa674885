"""Composition root of the enrollment service: `uvicorn medfund_enrollment.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_enrollment.adapters.batch_lease import enrollment_leases
from medfund_enrollment.adapters.handlers import consumers
from medfund_enrollment.adapters.uow import own_unit_of_work
from medfund_enrollment.api import enrollments, persons, statistics
from medfund_enrollment.api.deps import BATCH_LEASES, BATCH_WORKER, PACK_SET, today_in_china
from medfund_enrollment.app import batches
from medfund_shared.batch_ownership import BatchWorker, HeldBatch, Ownership
from medfund_shared.context import ServiceContext
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.service import ServiceDefinition, create_service_app
from medfund_shared.settings import Settings

BATCH_BODY_LIMIT = 64 << 20
"""A CSV of a county's households (one line per member) fits well within this."""


def batch_worker(context: ServiceContext, pack_set: PackSet) -> BatchWorker:
    """Finishes the bulk batches whose owner stopped, once their lease has run out: the lines staged are applied;
    a batch whose file had not wholly arrived is then ``interrupted`` (re-send the file to complete it)."""
    leases = enrollment_leases(context.session_factory, context.settings.batch_lease_seconds)
    context.extras[BATCH_LEASES] = leases

    async def finish(ownership: Ownership) -> None:
        await batches.apply_staged(HeldBatch(leases, ownership), lambda: own_unit_of_work(context), pack_set,
                                   today_in_china(), batches.BatchStatus.INTERRUPTED)

    return BatchWorker("enrollment-batches", leases, finish, context.settings)


def definition(pack_set: PackSet | None = None) -> ServiceDefinition:
    """Routers, consumers and hooks of this service (the shipped policy packs unless given others)."""
    pack_set = pack_set or PackSet.load()

    async def provide_pack_set(context: ServiceContext) -> None:
        context.extras[PACK_SET] = pack_set
        context.extras[BATCH_WORKER] = batch_worker(context, pack_set)

    async def finish_orphaned_batches(context: ServiceContext) -> None:
        await context.extras[BATCH_WORKER].run()

    return ServiceDefinition(
        name="enrollment", package="medfund_enrollment",
        routers=[enrollments.router, persons.router, statistics.router],
        consumers=consumers(pack_set), on_startup=[provide_pack_set], background=[finish_orphaned_batches],
        body_limits={"/v1/enrollments/batches": BATCH_BODY_LIMIT})


def create_app(settings: Settings | None = None, pack_set: PackSet | None = None) -> FastAPI:
    return create_service_app(definition(pack_set), settings)
