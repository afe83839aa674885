"""One error shape for every HTTP API: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import errno

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medfund_shared.rate_limit import Throttled
from medfund_shared.refusal import Refusal, kind_of_status

log = structlog.get_logger(__name__)
RETRY_AFTER_SECONDS = "1"
"""What an outage answer tells the client to wait before retrying (the ``Retry-After`` header)."""


class ApiError(Refusal):
    """A refusal with an exact HTTP status and headers, for the HTTP edge (a route, a request parser).

    ``app/`` and ``domain/`` raise :class:`~medfund_shared.refusal.Refusal` instead, which names its kind."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message, field, kind_of_status(status))
        self._status, self.headers = status, headers

    @property
    def status(self) -> int:
        return self._status


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable (e.g. `invalid`, `no_policy_pack`, `unauthorized`)")
    message: str = Field(description="readable explanation")
    field: str | None = Field(description="the input at fault (a dotted path, a header or a parameter), or null")


class ErrorResponse(BaseModel):
    """The body of every error answer of every medfund service."""

    error: ErrorDetail


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def _field_path(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def _refusal(_: Request, exc: Refusal) -> JSONResponse:
    """Every refusal, :class:`ApiError` included: its status (from its kind), the error shape, its headers."""
    return error_response(exc.status, exc.code, exc.message, exc.field, getattr(exc, "headers", None))


async def _throttled(_: Request, exc: Throttled) -> JSONResponse:
    return error_response(429, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)})


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    return error_response(422, "invalid", str(first.get("msg")), _field_path(tuple(first.get("loc", ()))))


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
        exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


OUTAGE_SQLSTATE_CLASSES = ("08", "53", "57P")
"""Class 08: a lost or refused connection; 53: the server is out of connections, memory or disk; 57P: the
server is shutting down, crashed or still starting."""
LOCK_NOT_AVAILABLE = "55P03"
UNIQUE_VIOLATION = "23505"
_OUTAGE_ERRNOS = frozenset({errno.ENOENT, errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                            errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT})
"""Socket errors of a database (or broker) that is not there: ``ENOENT`` is PostgreSQL's Unix socket missing."""


def is_unavailable(exc: BaseException) -> bool:
    """The database (or a socket) is down or going down: the request did nothing and may be retried.

    The one place that tells an outage from a bug. Through SQLAlchemy the driver's error is wrapped (or, when
    connecting, not wrapped at all: asyncpg raises ``FileNotFoundError`` for a missing Unix socket and
    ``ConnectionRefusedError`` for a closed port); on a hot path that runs on the driver it is never wrapped."""
    for error in _chain(exc):
        if sqlstate(error).startswith(OUTAGE_SQLSTATE_CLASSES):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (SQLAlchemyPoolTimeout, TimeoutError, asyncpg.InterfaceError)):
            return True
        if isinstance(error, ConnectionError) or (isinstance(error, OSError) and error.errno in _OUTAGE_ERRNOS):
            return True
    return False


def is_transient(exc: BaseException) -> bool:
    """Worth running again unchanged (a consumer retries its batch): an outage, a lost race, a lock another
    transaction holds, or any error of the connection or the network."""
    return (is_unavailable(exc) or is_lost_race(exc) or sqlstate(exc) == LOCK_NOT_AVAILABLE
            or isinstance(exc, (OperationalError, InterfaceError, DisconnectionError, OSError)))


def is_bad_data(exc: BaseException) -> bool:
    """PostgreSQL refused a value (SQLSTATE class 22: a NUL character, a number out of range, …):
    the input was wrong, and the transaction that tried to store it was rolled back."""
    return sqlstate(exc).startswith("22")


def is_conflict(exc: BaseException) -> bool:
    """A constraint refused the change (SQLSTATE class 23): a concurrent request got there first."""
    return sqlstate(exc).startswith("23")


def is_lost_race(exc: BaseException) -> bool:
    """PostgreSQL rolled the transaction back (SQLSTATE class 40: a serialization failure or a deadlock):
    it changed nothing, and running it again sees what the other transaction did."""
    return sqlstate(exc).startswith("40")


def sqlstate(exc: BaseException) -> str:
    """PostgreSQL's five-character error code of ``exc``, wrapped by SQLAlchemy or not; empty when none."""
    driver_error = exc.orig if isinstance(exc, DBAPIError) else exc
    return str(getattr(driver_error, "sqlstate", "") or "")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error SQLAlchemy wrapped, and their causes: bounded, cycles cut."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending and len(seen) < 8:
        error = pending.pop(0)
        if error is None or any(error is s for s in seen):
            continue
        seen.append(error)
        pending += [getattr(error, "orig", None), error.__cause__]
    return seen


def unexpected_error_response(path: str, exc: Exception) -> JSONResponse:
    """What no handler answered: 422 for a value the database refused, 503 for an outage, else a logged 500."""
    if is_bad_data(exc):
        log.info("input_refused_by_database", path=path, sqlstate=sqlstate(exc))
        return error_response(422, "invalid_value", "a value in the request cannot be stored (e.g. a NUL "
                                                    "character or a number out of range)")
    if is_unavailable(exc):
        log.warning("dependency_unavailable", path=path, error_type=type(exc).__name__)
        return error_response(503, "unavailable", "a dependency is unavailable; retry shortly",
                              headers={"Retry-After": RETRY_AFTER_SECONDS})
    log.exception("unhandled_error", path=path, error_type=type(exc).__name__)
    return error_response(500, "internal_error", "internal error; see the server log with the correlation id")


class UnhandledErrorMiddleware:
    """Answers an exception no handler took, inside the other middleware.

    Starlette's own last resort sits outside every middleware: its 500 had no ``x-correlation-id``, and it
    re-raised the exception to uvicorn, which printed a second, plain-text traceback with the SQL parameters.
    Here the error is logged once (``unhandled_error``, JSON, correlation id, ID numbers masked) and never
    reaches the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception as exc:
            response = unexpected_error_response(scope["path"], exc)
            if not started:
                await response(scope, receive, send)


def register_error_handlers(app: FastAPI) -> None:
    """The error shape for every exception; call before adding other middleware (this one must be innermost)."""
    app.add_exception_handler(Refusal, _refusal)
    app.add_exception_handler(Throttled, _throttled)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(UnhandledErrorMiddleware)
