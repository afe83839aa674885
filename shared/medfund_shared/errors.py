"""One error shape for every HTTP API: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class ApiError(Exception):
    """Raise from a route or use case mapping to say exactly what the client got wrong."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def _field_path(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    return error_response(422, "invalid", str(first.get("msg")), _field_path(tuple(first.get("loc", ()))))


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
        exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


def is_unavailable(exc: BaseException) -> bool:
    """The database (or a socket) is down or going down: the request did nothing and may be retried.

    Through SQLAlchemy the driver's error is wrapped; on a hot path that runs on the driver it is not.
    SQLSTATE class 08 is a lost connection, 57P a server shutting down, crashed or still starting."""
    if _sqlstate(exc).startswith(("08", "57P")):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc.orig, OSError) or "connection" in str(exc.orig).lower()
    return isinstance(exc, (ConnectionError, TimeoutError, asyncpg.InterfaceError))


def is_bad_data(exc: BaseException) -> bool:
    """PostgreSQL refused a value (SQLSTATE class 22: a NUL character, a number out of range, …):
    the input was wrong, and the transaction that tried to store it was rolled back."""
    return _sqlstate(exc).startswith("22")


def is_conflict(exc: BaseException) -> bool:
    """A constraint refused the change (SQLSTATE class 23): a concurrent request got there first."""
    return _sqlstate(exc).startswith("23")


def is_lost_race(exc: BaseException) -> bool:
    """PostgreSQL rolled the transaction back (SQLSTATE class 40: a serialization failure or a deadlock):
    it changed nothing, and running it again sees what the other transaction did."""
    return _sqlstate(exc).startswith("40")


def _sqlstate(exc: BaseException) -> str:
    driver_error = exc.orig if isinstance(exc, DBAPIError) else exc
    return str(getattr(driver_error, "sqlstate", "") or "")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_bad_data(exc):
        log.info("input_refused_by_database", path=request.url.path, sqlstate=exc.orig.sqlstate)
        return error_response(422, "invalid_value", "a value in the request cannot be stored (e.g. a NUL "
                                                    "character or a number out of range)")
    if is_unavailable(exc):
        log.warning("dependency_unavailable", path=request.url.path, error_type=type(exc).__name__)
        return error_response(503, "unavailable", "a dependency is unavailable; retry shortly",
                              headers={"Retry-After": "1"})
    log.exception("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
    return error_response(500, "internal_error", "internal error; see the server log with the correlation id")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
