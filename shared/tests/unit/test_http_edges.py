"""The platform's HTTP edges: a chunked body too large is a 413, an unreachable database a 503."""

import httpx
from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError

from medfund_shared.body_limit import BodyLimitMiddleware
from medfund_shared.errors import register_error_handlers


class _DataError(Exception):
    sqlstate = "22021"


def _app() -> FastAPI:
    app = FastAPI()
    register_error_handlers(app)

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"size": len(await request.body())}

    @app.get("/database")
    async def database() -> dict:
        raise DBAPIError("SELECT 1", {}, ConnectionRefusedError(111, "connection refused"))

    @app.get("/nul")
    async def nul() -> dict:
        raise DBAPIError("INSERT", {}, _DataError("invalid byte sequence for encoding \"UTF8\": 0x00"))

    app.add_middleware(BodyLimitMiddleware, default=1024)
    return app


async def _chunks(size: int, chunk: int = 100):
    for start in range(0, size, chunk):
        yield b"x" * min(chunk, size - start)


async def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(), raise_app_exceptions=False), base_url="http://test")


async def test_a_chunked_body_over_the_limit_is_refused_with_413_in_the_error_shape():
    async with await _client() as client:
        response = await client.post("/echo", content=_chunks(5000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_a_chunked_body_within_the_limit_reaches_the_route_whole():
    async with await _client() as client:
        response = await client.post("/echo", content=_chunks(900))
    assert response.status_code == 200
    assert response.json() == {"size": 900}


async def test_an_unreachable_database_is_a_503_with_retry_after():
    async with await _client() as client:
        response = await client.get("/database")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers["retry-after"] == "1"


async def test_a_value_the_database_refuses_is_a_422_not_a_500():
    async with await _client() as client:
        response = await client.get("/nul")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_value"
