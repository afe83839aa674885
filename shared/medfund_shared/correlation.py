"""ASGI middleware: one correlation id per request, in every log line and echoed to the caller; and the request's
span of the caller's W3C trace (:mod:`medfund_shared.tracing`), which the events it emits carry."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medfund_shared.logging import CORRELATION_HEADER, correlation_from_headers, correlation_scope
from medfund_shared.tracing import TRACEPARENT_HEADER, trace_scope

_READ = frozenset({CORRELATION_HEADER.encode(), TRACEPARENT_HEADER.encode()})
"""The headers :func:`correlation_from_headers` looks at; the others are not decoded."""


def _read_headers(scope: Scope) -> dict[str, str]:
    read = {}
    for raw_name, value in scope["headers"]:
        name = raw_name.lower()
        if name in _READ:
            read[name.decode()] = value.decode("latin-1")
    return read


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _read_headers(scope)
        cid = correlation_from_headers(headers)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (CORRELATION_HEADER.encode(), cid.encode())]
            await send(message)

        with correlation_scope(cid), trace_scope(headers.get(TRACEPARENT_HEADER)):
            await self.app(scope, receive, send_with_id)
