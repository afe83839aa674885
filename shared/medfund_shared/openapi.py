"""The OpenAPI document every service publishes, with the error answers it really gives.

FastAPI documents a 422 as its own ``{"detail": [...]}`` and no other error; the services answer every error as
``{"error": {"code", "message", "field"}}`` (:mod:`medfund_shared.errors`). :func:`document_errors` installs, once
per app, a generator that documents each route's error statuses with :class:`ErrorResponse`, read from what the
route depends on:

- a request parameter or body, or a write method: 422 (invalid input, a refused rule);
- the bearer token (``current_principal``): 401, and 429 (the token's and the institution's rate);
- a role (``require_roles``): 403;
- a path parameter: 404;
- an ``Idempotency-Key`` header: 409 (the key reused with another request, or still being answered);
- the database (the session or the service context): 503 with ``Retry-After``.

A success model a route declares with ``responses={200: {"model": X}}`` (it answers a dict, so that the body
is not validated a second time) is documented as ``X`` alone.

A status a route declares itself (``responses=`` on its decorator, e.g. ``{409: {"description": "…"}}`` for a
conflict its use case can refuse) is kept as declared, with :class:`ErrorResponse` as its body when it names none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, ValidationError

from medfund_shared.auth import current_principal
from medfund_shared.context import get_context, get_session, get_session_factory
from medfund_shared.errors import ErrorResponse

IDEMPOTENCY_HEADER = "idempotency-key"
ERRORS_IN_ANSWER = "x-errors-in-answer"
"""``openapi_extra`` key of a route that answers its refusals in its own 200 body (the NHSA gateway's envelope,
``infcode`` -1), its value saying how: no error status is documented for it."""
_DATABASE = frozenset({get_context, get_session, get_session_factory})
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_REF = "#/components/schemas/{model}"


_STATUS_DESCRIPTIONS = {
    "401": "no bearer token, or an invalid or expired one (`unauthorized`)",
    "403": "the caller's role or institution may not do this (`forbidden`)",
    "404": "what the path names does not exist",
    "409": "the request contradicts what is recorded, or its `Idempotency-Key` was used with another request "
           "(`idempotency_key_reused`) or is still being answered (`request_in_progress`: retry unchanged)",
    "422": "invalid input or a refused rule; `field` names the input at fault",
    "429": "too many requests for this credential or institution; retry after `Retry-After` seconds",
    "503": "a dependency (the database) is unavailable; nothing was done, retry after `Retry-After` seconds",
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorResponse")}}}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _header_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.header_params:
        yield (param.alias or param.name).lower()
    for dependency in dependant.dependencies:
        yield from _header_names(dependency)


def error_statuses(route: APIRoute | RouteContext) -> list[str]:
    """The error statuses ``route`` can answer, from its parameters and dependencies (see the module doc); none
    for a route whose ``openapi_extra`` says it answers errors in its own body (:data:`ERRORS_IN_ANSWER`)."""
    if ERRORS_IN_ANSWER in (route.openapi_extra or {}):
        return []
    dependant = route.dependant
    calls = set(_calls(dependant))
    statuses = set()
    if (dependant.query_params or dependant.path_params or dependant.header_params or dependant.body_params
            or route.body_field is not None or route.methods & _WRITES):
        statuses.add("422")
    if current_principal in calls:
        statuses |= {"401", "429"}
    if any(getattr(call, "__qualname__", "").startswith("require_roles.") for call in calls):
        statuses.add("403")
    if "{" in route.path_format:
        statuses.add("404")
    if IDEMPOTENCY_HEADER in set(_header_names(dependant)):
        statuses.add("409")
    if calls & _DATABASE:
        statuses.add("503")
    return sorted(statuses)


def _error_answer(status: str) -> dict:
    answer: dict[str, Any] = {
        "description": _STATUS_DESCRIPTIONS[status],
        "content": _ERROR_CONTENT,
    }
    if status in ("429", "503"):
        answer["headers"] = _RETRY_AFTER
    return answer


def api_routes(app: FastAPI) -> list[RouteContext]:
    """The documented API routes of ``app``, as mounted (prefixes of included routers applied)."""
    return [r for r in iter_route_contexts(app.routes)
            if isinstance(r.original_route, APIRoute) and r.include_in_schema]


def _with_errors(document: dict, routes: list[RouteContext]) -> dict:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    error_schema = ErrorResponse.model_json_schema(ref_template=_REF)
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorResponse"] = error_schema
    for route in routes:
        path_item = document["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            declared = {str(status) for status in route.responses}
            for status in error_statuses(route):
                if status not in declared:
                    answers[status] = _error_answer(status)
            for status in declared:
                if status[0] in "45":
                    answers.setdefault(status, {}).setdefault("content", _ERROR_CONTENT)
    return document


def _declared_only(schema: dict) -> dict:
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    if isinstance(schema.get("items"), dict):
        return {"type": "array", "items": _declared_only(schema["items"])}
    return schema


def _with_declared_successes(document: dict, routes: list[RouteContext]) -> dict:
    """A route that answers a dict and declares its success model (``responses={200: {"model": X}}``, so that the
    body is not validated again) gets FastAPI's inferred "any object" merged into ``X``'s reference: keep ``X``."""
    for route in routes:
        declared = [str(status) for status, answer in route.responses.items()
                    if str(status).startswith("2") and "model" in answer]
        for method in route.methods:
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            for status in declared if operation is not None else ():
                for content in operation["responses"].get(status, {}).get("content", {}).values():
                    content["schema"] = _declared_only(content.get("schema", {}))
    return document


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every route's error answers as :class:`ErrorResponse`."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                                   description=app.description, routes=app.routes, tags=app.openapi_tags,
                                   servers=app.servers)
            routes = api_routes(app)
            app.openapi_schema = _with_declared_successes(_with_errors(document, routes), routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def file_body(formats: dict[str, str]) -> dict:
    """``openapi_extra`` for a route that reads its body as a file: media type -> what the file holds.

    Such a route reads ``request.stream()`` itself, so FastAPI knows no body to document."""
    return {"requestBody": {"required": True, "content": {
        media_type: {"schema": {"type": "string", "format": "binary", "description": description}}
        for media_type, description in formats.items()}}}


def departures(model: type[BaseModel], body: Any) -> list[str]:
    """Where an answer ``body`` departs from the response ``model`` its route documents: a field of another type
    (validated strictly, as JSON: ``"5"`` is not an integer, an ISO text is a date-time), or a field missing or
    added at any depth. Empty when the model describes the body."""
    try:
        read_back = model.model_validate_json(json.dumps(body), strict=True).model_dump(mode="json", by_alias=True)
    except ValidationError as exc:
        return [f".{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()]
    return _fields_apart(read_back, body, "")


def _fields_apart(read_back: Any, body: Any, path: str) -> list[str]:
    if isinstance(body, dict) and isinstance(read_back, dict):
        return [f"{path}.{key}: answered but not documented" for key in body.keys() - read_back.keys()] + \
            [f"{path}.{key}: documented but not answered" for key in read_back.keys() - body.keys()] + \
            [d for key in body.keys() & read_back.keys()
             for d in _fields_apart(read_back[key], body[key], f"{path}.{key}")]
    if isinstance(body, list) and isinstance(read_back, list):
        return [d for i, (again, item) in enumerate(zip(read_back, body, strict=True))
                for d in _fields_apart(again, item, f"{path}[{i}]")]
    return []
