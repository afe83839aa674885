"""Every service's OpenAPI document shows the error answers the service really gives."""

import importlib
import json
from datetime import datetime

import pytest
from fastapi import APIRouter, FastAPI, Header
from pydantic import BaseModel

from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import SessionDep
from medfund_shared.errors import ErrorResponse
from medfund_shared.openapi import departures, document_errors

SERVICES = ["medfund_enrollment.main", "medfund_billing.main", "medfund_adjudication.main", "medfund_ledger.main"]


def _document(module: str) -> dict:
    return importlib.import_module(module).create_app().openapi()


@pytest.mark.parametrize("module", SERVICES)
def test_no_fastapi_validation_error_is_left(module):
    text = json.dumps(_document(module))
    assert "HTTPValidationError" not in text
    assert '"detail"' not in text


@pytest.mark.parametrize("module", SERVICES)
def test_every_error_status_has_the_error_schema(module):
    document = _document(module)
    assert document["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status[0] in "45":
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)


def test_statuses_follow_what_the_route_depends_on():
    router = APIRouter()

    @router.get("/v1/things/{thing_id}")
    async def get_thing(thing_id: str, _: StaffPrincipal, session: SessionDep) -> dict:
        return {}

    @router.post("/v1/things", responses={409: {"description": "the thing exists"}})
    async def post_thing(idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> dict:
        return {}

    @router.get("/open")
    async def open_route() -> dict:
        return {}

    app = FastAPI()
    app.include_router(router)
    document_errors(app)
    paths = app.openapi()["paths"]
    assert sorted(paths["/v1/things/{thing_id}"]["get"]["responses"]) == ["200", "401", "403", "404", "422",
                                                                          "429", "503"]
    assert sorted(paths["/v1/things"]["post"]["responses"]) == ["200", "409", "422"]
    assert paths["/v1/things"]["post"]["responses"]["409"]["description"] == "the thing exists"
    assert sorted(paths["/open"]["get"]["responses"]) == ["200"]
    assert paths["/v1/things/{thing_id}"]["get"]["responses"]["429"]["headers"]["Retry-After"]


def test_the_documented_schema_is_the_body_the_handlers_write():
    body = {"error": {"code": "invalid", "message": "amount must be positive", "field": "amount"}}
    assert ErrorResponse.model_validate(body).model_dump() == body


@pytest.mark.parametrize(("module", "path", "media_types"), [
    ("medfund_billing.main", "/v1/collections/batches", {"text/csv", "application/x-ndjson"}),
    ("medfund_enrollment.main", "/v1/enrollments/batches", {"text/csv"}),
])
def test_upload_bodies_are_described(module, path, media_types):
    body = _document(module)["paths"][path]["post"]["requestBody"]
    assert set(body["content"]) == media_types
    assert all("header row" in c["schema"]["description"] or "JSON object" in c["schema"]["description"]
               for c in body["content"].values())


@pytest.mark.parametrize("module", SERVICES)
def test_platform_routes_have_response_models(module):
    paths = _document(module)["paths"]
    for path in ("/healthz", "/readyz", "/healthz/details"):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/"), path


def test_the_nhsa_gateway_answers_its_errors_in_its_envelope_so_documents_none():
    operation = _document("medfund_adjudication.main")["paths"]["/fsi/api/rsfComIfsService/callService"]["post"]
    assert sorted(operation["responses"]) == ["200"]
    assert "infcode" in operation["x-errors-in-answer"]


def _names_a_schema(media_type: str, schema: dict) -> bool:
    if media_type != "application/json":
        return bool(schema)
    return "$ref" in schema or "$ref" in schema.get("items", {})


def _successes_without_schema(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method, operation in item.items()
            for status, answer in operation["responses"].items()
            if status.startswith("2") and status != "204"
            and (not answer.get("content") or not all(_names_a_schema(media_type, content.get("schema", {}))
                                                      for media_type, content in answer["content"].items()))}


@pytest.mark.parametrize("module", SERVICES)
def test_every_success_names_its_schema(module):
    """A JSON success names its model (or a list of it); another media type has a schema (issue 21)."""
    assert _successes_without_schema(_document(module)) == set()


def test_a_declared_success_model_is_documented_alone():
    router = APIRouter()

    class Thing(BaseModel):
        name: str

    @router.post("/v1/things", status_code=201, responses={201: {"model": Thing}})
    async def post_thing() -> dict:
        return {}

    @router.get("/v1/things", responses={200: {"model": list[Thing]}})
    async def list_things() -> list[dict]:
        return []

    app = FastAPI()
    app.include_router(router)
    document_errors(app)
    operations = app.openapi()["paths"]["/v1/things"]
    assert operations["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Thing"}
    assert operations["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/Thing"}}


def test_departures_name_what_an_answer_has_that_its_model_does_not_say():
    class Line(BaseModel):
        amount: str
        note: str | None

    class Page(BaseModel):
        lines: list[Line]

    class Stamp(BaseModel):
        at: datetime
        count: int

    assert departures(Page, {"lines": [{"amount": "1.00", "note": None}]}) == []
    assert departures(Page, {"lines": [{"amount": "1.00", "note": None, "extra": 1}]}) == [
        ".lines[0].extra: answered but not documented"]
    assert departures(Page, {"lines": [{"amount": 1, "note": None}]}) == [
        ".lines.0.amount: Input should be a valid string"]
    assert departures(Page, {"lines": [{"amount": "1.00"}]}) == [".lines.0.note: Field required"]
    assert departures(Stamp, {"at": "2026-12-04T20:38:32+00:00", "count": 1}) == []
    assert departures(Stamp, {"at": "2026-12-04T20:38:32+00:00", "count": "1"}) == [
        ".count: Input should be a valid integer"]
