"""The trivial endpoint: the fastest a FastAPI app under one uvicorn worker answers a small JSON POST here."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return {"infcode": 0, "output": body}

    return app
