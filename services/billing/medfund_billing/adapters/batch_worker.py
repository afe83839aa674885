"""The instance's worker for tax files: claims batches without a live owner and processes them (see
``medfund_shared.batch_ownership``), each chunk in a unit of work of its own."""

from __future__ import annotations

from datetime import timedelta

from medfund_billing.adapters.batch_files import PROCESSING
from medfund_billing.adapters.tables import batches
from medfund_billing.adapters.uow import own_unit_of_work
from medfund_billing.app.batches import process_batch
from medfund_billing.config import BillingSettings
from medfund_shared.batch_ownership import BatchWorker, HeldBatch, Ownership, SqlLeases
from medfund_shared.context import ServiceContext


def batch_worker(context: ServiceContext, settings: BillingSettings) -> BatchWorker:
    leases = SqlLeases(batches, batches.c.batch_id, batches.c.status == PROCESSING, context.session_factory,
                       timedelta(seconds=context.settings.batch_lease_seconds))

    async def process(ownership: Ownership) -> None:
        await process_batch(HeldBatch(leases, ownership), lambda: own_unit_of_work(context),
                            context.extras["pack_set"], settings.office_zone, settings.batch_chunk_lines)

    return BatchWorker("billing-batches", leases, process, context.settings)
