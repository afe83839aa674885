"""A 500 is logged once, as one masked JSON line with the correlation id, and its answer carries the id;
an outage of the database is a 503 with Retry-After however the driver reports it."""

import errno
import json
import logging

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from medfund_shared.errors import is_transient, is_unavailable
from medfund_shared.logging import configure_logging
from medfund_shared.service import ServiceDefinition, create_service_app

CERTNO = "110101195403021234"


class _PoolExhausted(Exception):
    sqlstate = "53300"


def _app():
    router = APIRouter()

    @router.get("/bug")
    async def bug() -> dict:
        raise DBAPIError("SELECT * FROM people WHERE certno = $1", (CERTNO,), ValueError(f"bad row {CERTNO}"))

    @router.get("/socket-missing")
    async def socket_missing() -> dict:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    @router.get("/refused")
    async def refused() -> dict:
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")

    return create_service_app(ServiceDefinition(name="probe", package="medfund_shared", routers=[router]))


async def _get(path: str, **headers: str) -> httpx.Response:
    # raise_app_exceptions: an exception escaping the application is what uvicorn printed as a plain traceback
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


async def test_a_500_is_one_masked_json_line_with_the_correlation_id_of_the_answer(capsys):
    configure_logging("INFO", "probe")
    response = await _get("/bug", **{"x-correlation-id": "corr-500"})
    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == "corr-500"
    assert response.json()["error"]["code"] == "internal_error"
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines()]
    errors = [line for line in lines if line["event"] == "unhandled_error"]
    assert len(errors) == 1 and errors[0]["correlation_id"] == "corr-500" and errors[0]["level"] == "error"
    assert "Traceback" in errors[0]["exception"] and "110101********1234" in errors[0]["exception"]
    assert CERTNO not in err and "Exception in ASGI application" not in err


async def test_every_answer_carries_a_correlation_id_even_without_one_asked():
    response = await _get("/bug")
    assert len(response.headers["x-correlation-id"]) == 32


@pytest.mark.parametrize("path", ["/socket-missing", "/refused"])
async def test_a_database_that_is_not_there_is_a_503_with_retry_after(path: str):
    response = await _get(path)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers["x-correlation-id"]


@pytest.mark.parametrize("error", [
    FileNotFoundError(errno.ENOENT, "No such file or directory"),
    ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.TooManyConnectionsError("too many clients"),
    OperationalError("SELECT 1", {}, _PoolExhausted("too many connections")),
    InterfaceError("SELECT 1", {}, asyncpg.ConnectionDoesNotExistError("closed"), connection_invalidated=True),
])
def test_every_form_of_an_outage_is_classified_in_the_one_shared_place(error: Exception):
    assert is_unavailable(error) and is_transient(error)


def test_a_bug_is_not_an_outage():
    assert not is_unavailable(ValueError("bad")) and not is_unavailable(KeyError("x"))
    assert not is_unavailable(PermissionError(errno.EACCES, "denied"))


def test_access_lines_are_json_without_id_numbers_or_query_tokens(capsys):
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler())  # what uvicorn's own logging configuration installs
    access.propagate = False
    configure_logging("INFO", "probe")
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                f"/v1/persons/{CERTNO}/stream?token=eyJhbGciOi.secret.sig&x=1", "1.1", 200)
    err = capsys.readouterr().err
    line = json.loads(err.strip())
    assert "110101********1234" in line["event"] and "token=***&x=1" in line["event"]
    assert CERTNO not in err and "eyJhbGciOi" not in err
