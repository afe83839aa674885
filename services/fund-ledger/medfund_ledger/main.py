"""Composition root of the fund-ledger service: `uvicorn medfund_ledger.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_ledger.adapters import fund_metrics
from medfund_ledger.adapters.handlers import BATCH_HANDLER, BATCH_RECORDS, HANDLERS, TOPICS
from medfund_ledger.api import (
    accounts,
    alerts,
    dashboard,
    institutions,
    names,
    operations,
    pool_stream,
    pools,
    settlements,
    simulations,
    statistics,
)
from medfund_ledger.app import drain_alert_queue
from medfund_shared.consumer import ConsumerSpec
from medfund_shared.service import ServiceDefinition, create_service_app

BATCH_WINDOW = 0.1
"""Seconds the broker may hold a fetch while events gather: settlements arrive hundreds a second, and a batch
of them costs the ledger little more than one. The alert follows its settlement by this wait plus the batch's
projection, which evaluates the warnings in the same transaction (issue 24: p50 at most 200 ms), so the window
is a fraction of that; under heavy traffic a fetch returns earlier anyway, once ``BATCH_BYTES`` have gathered."""


def definition() -> ServiceDefinition:
    """Routers; one consumer of the billing, claims and enrollment topics (money and coverage events a batch at a time,
    decoded without a pydantic model per event);
    the alert evaluator inside each batch's transaction, and on a timer for what a failed evaluation left queued."""
    return ServiceDefinition(
        name="fund-ledger", package="medfund_ledger",
        routers=[pool_stream.router, pools.router, alerts.router, institutions.router, statistics.router,
                 settlements.router, names.router, operations.router, simulations.router, dashboard.router,
                 accounts.router],
        consumers=[ConsumerSpec("fund-ledger", TOPICS, HANDLERS, in_batch=drain_alert_queue.within_batch,
                                batch_handler=BATCH_HANDLER, batch_window=BATCH_WINDOW, fast_decode=True,
                                max_records=BATCH_RECORDS)],
        background=[drain_alert_queue.run],
        readiness={"alert_evaluation": drain_alert_queue.readiness},
        metrics=[fund_metrics.pool_figures, fund_metrics.open_alerts],
    )


def create_app() -> FastAPI:
    return create_service_app(definition())
