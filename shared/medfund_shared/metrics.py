"""Prometheus metrics: the platform's counters and the HTTP request middleware.

Metric objects live in the default registry, defined once per process; labels carry the
service and consumer names so several apps in one test process do not collide.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter("medfund_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("medfund_http_request_seconds", "HTTP request duration", ["service", "method", "route"])
OUTBOX_PUBLISHED = Counter("medfund_outbox_published_total", "events published from the outbox", ["service"])
OUTBOX_PENDING = Gauge("medfund_outbox_pending", "outbox rows not yet published", ["service"])
EVENTS_APPLIED = Counter("medfund_events_applied_total", "events applied by a consumer", ["consumer", "type"])
EVENTS_DEAD_LETTERED = Counter("medfund_events_dead_lettered_total", "events parked in dead_letters", ["consumer"])
KAFKA_UP = Gauge("medfund_kafka_up", "1 when the last probe of the broker got its metadata, else 0", ["service"])
CONSUMER_LAG = Gauge("medfund_consumer_lag", "records behind the high watermark", ["consumer", "topic", "partition"])


def metrics_response(_: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


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
