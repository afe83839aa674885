"""Alert endpoints: list, acknowledge, and a server-sent stream of every change."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from medfund_ledger.adapters import alert_store
from medfund_ledger.api.deps import AsOf, ReadUowDep, UowDep
from medfund_ledger.api.presenters import (
    alert_as_of_json,
    alert_change_json,
    alert_json,
    change_json,
    entry_json,
    fact_json,
)
from medfund_ledger.api.read_models import AlertDetailOut, AlertOut
from medfund_ledger.api.schemas import AckIn
from medfund_ledger.app.acknowledge import AcknowledgeAlert, acknowledge
from medfund_ledger.app.alert_detail import AlertQuery, alert_detail
from medfund_ledger.domain.alerts import AlreadyAcknowledged, NotAcknowledgeable
from medfund_shared.auth import StaffPrincipal
from medfund_shared.china_time import start_of
from medfund_shared.context import SessionDep, SessionFactoryDep
from medfund_shared.errors import ApiError

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])
STREAM_POLL_SECONDS = 1.0
STREAM_PING_SECONDS = 15


@router.get("", responses={200: {"model": list[AlertOut]}})
async def list_alerts(_: StaffPrincipal, session: SessionDep,
                      state: Literal["firing", "acknowledged", "resolved"] | None = None,
                      as_of: AsOf = None) -> list[dict]:
    """Alerts, newest first; ``firing`` includes acknowledged ones that still fire. With ``as_of``, each alert as its
    last change evaluated before the end of that business date left it (alerts raised later are absent)."""
    if as_of is None:
        return [alert_json(row) for row in await alert_store.listing(session, state)]
    day_end = start_of(as_of + timedelta(days=1))
    alerts = [alert_as_of_json(p) for p in await alert_store.listing_as_of(session, day_end)]
    if state == "firing":
        return [a for a in alerts if a["state"] != "resolved"]
    return [a for a in alerts if state is None or a["state"] == state]


@router.get("/stream", response_class=EventSourceResponse, responses={200: {
    "description": "one event per alert change, `id` the change number, its data the change as JSON",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(request: Request, _: StaffPrincipal, sessions: SessionFactoryDep,
                 last_event_id: str | None = Header(default=None)) -> EventSourceResponse:
    """Server-sent events, one per alert change (``id`` = change number; resume with Last-Event-ID): the alert
    topic's payload, who acknowledged, and ``messages`` (the alert stated in Chinese and English)."""
    async with sessions() as session:
        start = int(last_event_id) if last_event_id and last_event_id.isdigit() \
            else await alert_store.last_change_id(session)
    return EventSourceResponse(_changes(request, sessions, start), ping=STREAM_PING_SECONDS)


async def _changes(request: Request, sessions, last_id: int):
    while not await request.is_disconnected():
        async with sessions() as session:
            rows = await alert_store.changes_after(session, last_id)
        for row in rows:
            last_id = row.id
            yield ServerSentEvent(data=json.dumps(alert_change_json(row.payload), ensure_ascii=False), event="alert",
                                  id=str(row.id))
        if not rows:
            await asyncio.sleep(STREAM_POLL_SECONDS)


@router.get("/{alert_id}")
async def get_alert(alert_id: str, _: StaffPrincipal, uow: ReadUowDep) -> AlertDetailOut:
    """One alert with its history (each change: state, severity, measure, who acknowledged and the note) and its
    evidence: the journal entries of the events that tipped it and the settlements among them."""
    detail = await alert_detail(AlertQuery(alert_id), uow)
    return AlertDetailOut(alert=alert_json(detail.alert), history=[change_json(c) for c in detail.changes],
                          evidence_entries=[entry_json(e, lines) for e, lines in detail.entries],
                          evidence_settlements=[fact_json(f) for f in detail.settlements],
                          evidence_not_in_journal=detail.missing)


@router.post("/{alert_id}/ack", responses={
    200: {"model": AlertOut},
    409: {"description": "already acknowledged with a different note (`conflict`), or resolved (`resolved`)"}})
async def ack(alert_id: str, body: AckIn, principal: StaffPrincipal, uow: UowDep) -> dict:
    """Acknowledge an alert (who and when are stored); a retry with the same note returns the same answer."""
    cmd = AcknowledgeAlert(alert_id, principal.subject or principal.role, body.note, datetime.now(UTC))
    try:
        return alert_json(await acknowledge(cmd, uow))
    except AlreadyAcknowledged as exc:
        raise ApiError(409, "conflict", str(exc), "note") from None
    except NotAcknowledgeable as exc:
        raise ApiError(409, "resolved", str(exc), "alert_id") from None
