"""W3C trace context: the ``traceparent`` a request brings (or a consumed event carries) goes on the events it
causes, so a trace follows a settlement from the HIS request through every service's consumer.

Each request or consumed event is one span: it continues the incoming trace with a new span id, or starts a new
trace when there is none (or a malformed one); a background job's run is a span of a new trace.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from medfund_shared.logging import correlation_scope, new_correlation_id

TRACEPARENT_HEADER = "traceparent"
_VERSION = "00"
_NOT_SAMPLED = "00"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_INVALID_TRACE, _INVALID_SPAN = "0" * 32, "0" * 16
_traceparent: ContextVar[str | None] = ContextVar("medfund_traceparent", default=None)


def child_of(parent: str | None) -> str:
    """A ``traceparent`` for a new span under ``parent``, or of a new trace when ``parent`` is not a valid one."""
    match = _TRACEPARENT.match((parent or "").strip())
    if match and match.group(1) != _INVALID_TRACE and match.group(2) != _INVALID_SPAN:
        trace_id, flags = match.group(1), match.group(3)
    else:
        trace_id, flags = secrets.token_hex(16), _NOT_SAMPLED
    return f"{_VERSION}-{trace_id}-{secrets.token_hex(8)}-{flags}"


@contextmanager
def trace_scope(parent: str | None) -> Iterator[str]:
    """The span of one request or consumed event, a child of ``parent``."""
    traceparent = child_of(parent)
    token = _traceparent.set(traceparent)
    try:
        yield traceparent
    finally:
        _traceparent.reset(token)


def current_traceparent() -> str | None:
    """The current span's ``traceparent`` (None outside a request, a consumed event or a job's run)."""
    return _traceparent.get()


@contextmanager
def job_scope() -> Iterator[str]:
    """One run of a background job (a slice of the fund ledger's alert evaluation): a correlation id and a trace
    of its own, which the events it emits carry, as a request's do."""
    correlation_id = new_correlation_id()
    with correlation_scope(correlation_id), trace_scope(None):
        yield correlation_id
