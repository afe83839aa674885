"""The operators' dashboard: one self-contained HTML page (no CDN; data through the bearer-token API)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["dashboard"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    """The page itself holds no data; it asks for a token and calls the API with it."""
    return HTMLResponse(resources.files("medfund_ledger.static").joinpath("dashboard.html").read_text("utf-8"))
