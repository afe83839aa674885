"""Composition root of the billing service: `uvicorn medfund_billing.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_billing.adapters.batch_worker import batch_worker
from medfund_billing.adapters.enrollment_handlers import enrollment_consumer
from medfund_billing.api import appropriations, batches, collections, employers, refusals, reports, suspense
from medfund_billing.api.upload_slots import UploadSlots
from medfund_billing.config import BillingSettings
from medfund_shared.context import ServiceContext
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """Routers, consumers and hooks of this service."""
    settings = BillingSettings()
    pack_set = PackSet.load(settings.policy_dir)

    async def start(context: ServiceContext) -> None:
        context.extras.update(pack_set=pack_set, billing_settings=settings,
                              batch_worker=batch_worker(context, settings),
                              upload_slots=UploadSlots(settings.concurrent_uploads,
                                                       settings.upload_retry_after_seconds))

    async def work_on_batches(context: ServiceContext) -> None:
        await context.extras["batch_worker"].run()

    return ServiceDefinition(
        name="billing", package="medfund_billing",
        routers=[batches.router, reports.router, collections.router, suspense.router, employers.router,
                 refusals.router, appropriations.router],
        consumers=[enrollment_consumer(pack_set)], on_startup=[start], background=[work_on_batches],
        body_limits={"/v1/collections/batches": settings.upload_max_bytes},
    )


def create_app() -> FastAPI:
    return create_service_app(definition())
