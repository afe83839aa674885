"""The trivial endpoint: the fastest a FastAPI app under one uvicorn worker answers a small JSON POST here.

FastAPI is configured as the services are (its OpenTelemetry off), so the limit is theirs."""

from fastapi import FastAPI

from medfund_shared.service import NO_OPENTELEMETRY


def create_app() -> FastAPI:
    app = FastAPI(telemetry=NO_OPENTELEMETRY)

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return {"infcode": 0, "output": body}

    return app
