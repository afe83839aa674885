"""The instance's worker for tax files: claims batches without a live owner and processes them (see
``medfund_shared.batch_ownership``)."""

from __future__ import annotations

from datetime import timedelta

from medfund_billing.adapters.tables import batches
from medfund_billing.app.batches import open_batches, process_batch
from medfund_billing.config import BillingSettings
from medfund_shared.batch_ownership import BatchWorker, Ownership, SqlLeases
from medfund_shared.context import ServiceContext


def batch_worker(context: ServiceContext, settings: BillingSettings) -> BatchWorker:
    leases = SqlLeases(batches, batches.c.batch_id, open_batches(), context.session_factory,
                       timedelta(seconds=context.settings.batch_lease_seconds))

    async def process(ownership: Ownership) -> None:
        await process_batch(ownership, leases, context.session_factory, context.extras["catalogue"],
                            settings.office_zone, settings.batch_chunk_lines, on_commit=context.relay.notify)

    return BatchWorker("billing-batches", leases, process, context.settings)
