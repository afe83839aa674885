"""Routes every service has: liveness, readiness, a detailed health view, metrics, the dead-letter view and the
operations view (dead-letter backlog and consumer lag)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, text

from medfund_shared.auth import AdminPrincipal, StaffPrincipal
from medfund_shared.context import ContextDep, SessionDep
from medfund_shared.db import dead_letters_table
from medfund_shared.errors import RETRY_AFTER_SECONDS
from medfund_shared.metrics import metrics_response
from medfund_shared.operations import OperationsView, operations_view

router = APIRouter()


class Liveness(BaseModel):
    status: str = Field(examples=["alive"])


class Readiness(BaseModel):
    status: str = Field(description="`ready`, or `unavailable` (a 503)")
    down: list[str] = Field(description="what is not ready: `database` and the service's own checks")


class DatabaseState(BaseModel):
    up: bool


class KafkaState(BaseModel):
    up: bool
    since: str | None = Field(description="when the background probe last saw the state change (ISO 8601)")


class RelayState(BaseModel):
    holds_lock: bool = Field(description="this instance's outbox relay is the one publishing")


class CheckState(BaseModel):
    ok: bool
    reason: str | None


class HealthDetails(BaseModel):
    ready: bool = Field(description="what `/readyz` answers")
    database: DatabaseState
    kafka: KafkaState
    outbox_relay: RelayState
    checks: dict[str, CheckState]


@router.get("/healthz", tags=["platform"])
async def healthz() -> Liveness:
    """Alive: the process answers."""
    return Liveness(status="alive")


@router.get("/readyz", tags=["platform"], responses={200: {"model": Readiness}})
async def readyz(context: ContextDep) -> JSONResponse:
    """Ready to serve its traffic: the database answers ``SELECT 1`` and the service's own checks pass; 503 names
    what is down, with the reason each of the service's own checks gives.

    Kafka is not part of it: with the broker down, writes still succeed (the outbox keeps their events), and a
    load balancer dropping every instance would turn a broker outage into a full one. The broker's state is in
    ``GET /healthz/details`` and the ``medfund_kafka_up`` gauge."""
    down = [] if await _database_ok(context) else ["database"]
    reasons = {name: reason for name, check in context.readiness.items() if (reason := check(context))}
    down += list(reasons)
    if down:
        details = [f"{name} ({reasons[name]})" if name in reasons else name for name in down]
        return JSONResponse({"status": "unavailable", "down": down, "reasons": reasons,
                             "error": {"code": "unavailable", "message": f"down: {', '.join(details)}",
                                       "field": None}},
                            status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return JSONResponse({"status": "ready", "down": []})


@router.get("/healthz/details", tags=["platform"])
async def health_details(context: ContextDep) -> HealthDetails:
    """Each dependency's state, for an operator (unauthenticated like ``/readyz``: states only, no address, no
    error text): the database now, the broker as the background probe last saw it, the outbox relay, the
    service's own checks. ``ready`` is what ``/readyz`` answers."""
    database = await _database_ok(context)
    reasons = {name: reason for name, check in context.readiness.items() if (reason := check(context))}
    probe = context.kafka_probe
    return HealthDetails.model_validate({
        "ready": database and not reasons,
        "database": {"up": database},
        "kafka": {"up": probe.up, "since": _iso(probe.last_change)},
        "outbox_relay": {"holds_lock": context.relay.holds_lock},
        "checks": {name: {"ok": name not in reasons, "reason": reasons.get(name)} for name in context.readiness}})


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


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


@router.get("/v1/operations", tags=["platform"])
async def get_operations(_: AdminPrincipal, session: SessionDep, context: ContextDep) -> OperationsView:
    """This service's unresolved dead letters per consumer (the events: ``GET /v1/dead-letters``) and, per topic
    partition, how many records each of its consumers has still to read (admin); the lag is null when the broker
    did not answer within 3 s."""
    return await operations_view(session, context.settings)
