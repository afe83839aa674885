"""Routes every service has: liveness, readiness, metrics and the dead-letter view for operators."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select, text

from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import ContextDep, SessionDep
from medfund_shared.db import dead_letters_table
from medfund_shared.metrics import metrics_response

router = APIRouter()


@router.get("/healthz", tags=["platform"])
async def healthz() -> dict:
    """Alive: the process answers."""
    return {"status": "alive"}


@router.get("/readyz", tags=["platform"])
async def readyz(context: ContextDep) -> JSONResponse:
    """Ready: the database answers ``SELECT 1``, Kafka serves metadata and the service's own checks pass;
    503 names what is down, with the reason each of the service's own checks gives."""
    database, kafka = await asyncio.gather(_database_ok(context), context.kafka_probe.check())
    down = [name for name, ok in (("database", database), ("kafka", kafka)) if not ok]
    reasons = {name: reason for name, check in context.readiness.items() if (reason := check(context))}
    down += list(reasons)
    if down:
        details = [f"{name} ({reasons[name]})" if name in reasons else name for name in down]
        return JSONResponse({"status": "unavailable", "down": down, "reasons": reasons,
                             "error": {"code": "unavailable", "message": f"down: {', '.join(details)}",
                                       "field": None}},
                            status_code=503)
    return JSONResponse({"status": "ready", "down": []})


async def _database_ok(context) -> bool:
    try:
        async with context.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), 2.0)
        return True
    except Exception:
        return False


router.add_api_route("/metrics", metrics_response, methods=["GET"], include_in_schema=False)


class DeadLetterPublic(BaseModel):
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    reason: str
    payload: Any
    created_at: datetime
    resolved_at: datetime | None


@router.get("/v1/dead-letters", tags=["platform"])
async def list_dead_letters(_: StaffPrincipal, session: SessionDep,
                            consumer: str | None = None, unresolved: bool = True,
                            limit: int = Query(100, ge=1, le=1000)) -> list[DeadLetterPublic]:
    """Events a consumer could not apply, oldest first (admin or operator)."""
    t = dead_letters_table
    query = select(t).order_by(t.c.id).limit(limit)
    if consumer is not None:
        query = query.where(t.c.consumer == consumer)
    if unresolved:
        query = query.where(t.c.resolved_at.is_(None))
    rows = (await session.execute(query)).mappings().all()
    return [DeadLetterPublic.model_validate(dict(r)) for r in rows]
