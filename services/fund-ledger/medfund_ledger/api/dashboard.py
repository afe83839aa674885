"""The operators' console: a static page, its script and style, and the vendored charting library (no CDN).

The page holds no data; it asks for a bearer token and reads the API with it (docs/console.md)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from medfund_ledger.api.errors import not_found

router = APIRouter(tags=["dashboard"])
ASSETS = {"console.js": "text/javascript", "console.css": "text/css",
          "vendor/chart.umd.min.js": "text/javascript"}
"""The files the page loads, by path under ``static/``; nothing else is served."""


def _static(path: str) -> str:
    return resources.files("medfund_ledger.static").joinpath(path).read_text("utf-8")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def console() -> HTMLResponse:
    return HTMLResponse(_static("console.html"))


@router.get("/console/{path:path}", include_in_schema=False)
async def asset(path: str) -> Response:
    if path not in ASSETS:
        raise not_found("file", "path")
    return Response(_static(path), media_type=ASSETS[path], headers={"Cache-Control": "no-cache"})
