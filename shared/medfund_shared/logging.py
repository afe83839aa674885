"""JSON logs with a correlation id on every line and resident ID numbers masked.

The correlation id lives in a contextvar: the HTTP middleware sets it per request
(``X-Correlation-ID`` or the trace id of ``traceparent``), the consumer runner per event, and
``outbox.add`` copies it into the events a request produces, so one id follows a case across
services.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

CORRELATION_HEADER = "x-correlation-id"
_correlation_id: ContextVar[str | None] = ContextVar("medfund_correlation_id", default=None)
_CERTNO = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_TOKEN_IN_QUERY = re.compile(r"([?&](?:access_)?token=)[^&\s\"]*", re.IGNORECASE)
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
"""uvicorn's loggers: their own plain-text handlers are replaced by the masked JSON one (access lines included),
and their own level (``uvicorn --log-level``, or an in-process server's) by the service's."""
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def mask_certno(text: str) -> str:
    """``110101195403021234`` -> ``110101********1234``: enough to tell people apart, not to identify them."""
    return _CERTNO.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


def redact(text: str) -> str:
    """ID numbers masked (:func:`mask_certno`) and a ``?token=`` query value (an event stream's) removed."""
    return _TOKEN_IN_QUERY.sub(r"\1***", mask_certno(text))


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_mask(v) for v in value]
    return value


def mask_processor(_: Any, __: str, event_dict: dict) -> dict:
    """structlog processor: masks ID numbers and query tokens in every string of the log line, tracebacks
    and uvicorn's access lines included."""
    return _mask(event_dict)


def _add_correlation_id(_: Any, __: str, event_dict: dict) -> dict:
    cid = _correlation_id.get()
    if cid is not None:
        event_dict.setdefault("correlation_id", cid)
    return event_dict


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def new_correlation_id() -> str:
    return secrets.token_hex(16)


@contextmanager
def correlation_scope(correlation_id: str | None) -> Iterator[str | None]:
    token = _correlation_id.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _correlation_id.reset(token)


def correlation_from_headers(headers: dict[str, str]) -> str:
    """Reuse the caller's id (``X-Correlation-ID``, else the W3C trace id); otherwise start one."""
    given = headers.get(CORRELATION_HEADER, "").strip()
    if given and len(given) <= 128:
        return given
    match = _TRACEPARENT.match(headers.get("traceparent", "").strip())
    return match.group(1) if match else new_correlation_id()


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        _add_correlation_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_processor,
    ]


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (test capture swaps it), not the one at configuration."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _):
        return None


def configure_logging(level: str = "INFO", service: str | None = None) -> None:
    """Route structlog and the standard library (uvicorn and its access log, aiokafka, alembic) to masked JSON
    on stderr."""
    shared = _shared_processors()
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer(ensure_ascii=False)],
    )
    handler = _CurrentStderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers[:] = []
        server_logger.setLevel(logging.NOTSET)
        server_logger.propagate = True
    if service:
        structlog.contextvars.bind_contextvars(service=service)
