"""Prometheus metrics: the platform's counters, the HTTP request middleware and the ``/metrics`` exposition.

Metric objects live in the default registry, defined once per process; labels carry the service and consumer
names so several apps in one test process do not collide.

A service run under uvicorn with several workers writes its counters, histograms and gauges to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode; the launcher gives each service its own
folder, emptied before the service starts), and every worker's ``/metrics`` answers the sum over all workers:
one consistent view whichever worker a scrape reaches. Without that variable (a service in a test process)
the process's own registry is exposed. Figures that live in the database (pool balances, open alerts, dead
letters) are read on each scrape by the service's :data:`MetricReader` functions, so they agree across
workers and instances by construction.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from medfund_shared.context import ServiceContext

log = structlog.get_logger(__name__)
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
READ_TIMEOUT_SECONDS = 5.0
"""A scrape waits this long for the database figures; past it they are left out and the scrape still answers."""

HTTP_REQUESTS = Counter("medfund_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("medfund_http_request_seconds", "HTTP request duration", ["service", "method", "route"])
OUTBOX_PUBLISHED = Counter("medfund_outbox_published_total", "events published from the outbox", ["service"])
OUTBOX_PENDING = Gauge("medfund_outbox_pending", "outbox rows not yet published", ["service"],
                       multiprocess_mode="livemostrecent")
EVENTS_APPLIED = Counter("medfund_events_applied_total", "events applied by a consumer", ["consumer", "type"])
EVENTS_DEAD_LETTERED = Counter("medfund_events_dead_lettered_total", "events parked in dead_letters", ["consumer"])
KAFKA_UP = Gauge("medfund_kafka_up", "1 when the last probe of the broker got its metadata, else 0", ["service"],
                 multiprocess_mode="livemostrecent")
CONSUMER_LAG = Gauge("medfund_consumer_lag", "records behind the high watermark", ["consumer", "topic", "partition"],
                     multiprocess_mode="livemostrecent")
"""The gauges keep the value last set by any live worker: each worker sets them for what it holds (its partitions,
the relay's lock), and a worker that lost a partition stops setting it."""

MetricReader = Callable[["ServiceContext"], Awaitable[Iterable[Metric]]]
"""Reads figures from the service's database at scrape time and returns them as metric families."""


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_ENV) or None


def _process_registry() -> CollectorRegistry:
    """The workers' metrics summed from their files in multiprocess mode, else this process's registry."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


class _Families:
    """A collector handing out families already read, for one scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


async def _read_all(context: ServiceContext) -> list[Metric]:
    """Every reader's families; a reader that fails or is too slow is left out (logged), and
    ``medfund_metrics_read_up`` says which."""
    up = GaugeMetricFamily("medfund_metrics_read_up", "1 when the database figures of this scrape were read, else 0",
                           labels=["service", "reader"])
    families: list[Metric] = [up]
    for reader in context.metric_readers:
        name = reader.__name__
        try:
            families += await asyncio.wait_for(reader(context), READ_TIMEOUT_SECONDS)
            up.add_metric([context.settings.service_name, name], 1)
        except Exception as error:
            log.warning("metrics_read_failed", reader=name, error=type(error).__name__)
            up.add_metric([context.settings.service_name, name], 0)
    return families


async def metrics_response(request: Request) -> Response:
    context = getattr(request.app.state, "context", None)
    text = generate_latest(_process_registry())
    if context is not None:
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(_Families(await _read_all(context)))
        text += generate_latest(scrape)
    return Response(text, media_type=CONTENT_TYPE_LATEST)


def process_stopped() -> None:
    """Drop this worker's live gauges from the shared folder (its counters stay: they are part of the totals)."""
    if (directory := multiprocess_dir()) is not None:
        multiprocess.mark_process_dead(os.getpid(), directory)


class HttpMetricsMiddleware:
    """Counts and times requests by route template (not raw path, to bound label cardinality)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status["code"])).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], route).observe(time.perf_counter() - started)
