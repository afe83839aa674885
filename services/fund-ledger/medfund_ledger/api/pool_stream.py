"""Every pool, live: a server-sent event with the whole list after each change of their figures."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from medfund_ledger.adapters import pool_changes
from medfund_ledger.api.deps import read_uow
from medfund_ledger.api.presenters import pool_view_json
from medfund_ledger.app import pool_view
from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import SessionFactoryDep

router = APIRouter(prefix="/v1/pools", tags=["pools"])
STREAM_POLL_SECONDS = 0.5
"""How often the stream looks at the change mark (one small query): a change shows within a second."""
STREAM_PING_SECONDS = 15


@router.get("/stream", response_class=EventSourceResponse, responses={200: {
    "description": "events named `pools`, each one's data the JSON list `GET /v1/pools` answers",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(request: Request, _: StaffPrincipal, sessions: SessionFactoryDep) -> EventSourceResponse:
    """Server-sent events ``pools``: the list ``GET /v1/pools`` answers, at once and after every change of a
    journal, budget, threshold, alert or region clock."""
    return EventSourceResponse(_pools(request, sessions), ping=STREAM_PING_SECONDS)


async def _pools(request: Request, sessions):
    seen = None
    while not await request.is_disconnected():
        async with sessions() as session:
            mark = await pool_changes.mark(session)
            if mark != seen:
                seen = mark
                views = await pool_view.all_pools(pool_view.PoolsQuery(), read_uow(session))
                listing = [pool_view_json(view) for view in views]
                yield ServerSentEvent(data=json.dumps(listing, ensure_ascii=False), event="pools")
        await asyncio.sleep(STREAM_POLL_SECONDS)
