"""Stored alerts: the open alert per (rule, subject), every change, and the outbox event for it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, func, insert, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import alert_changes, alerts
from medfund_ledger.domain.alerts import OpenAlert, Transition
from medfund_shared import bulk, outbox
from medfund_shared.events import sources
from medfund_shared.events.types.alerts import AlertChanged

EVIDENCE_LIMIT = 50


KEY_COLUMNS = {"rule": bulk.TEXT, "subject_id": bulk.TEXT}
ADD_LOCKS = bulk.statement("INSERT INTO alert_locks (rule, subject_id) SELECT * FROM unnest(:rule, :subject_id) "
                           "ON CONFLICT (rule, subject_id) DO NOTHING", KEY_COLUMNS)
TAKE_LOCKS = bulk.statement(
    "SELECT l.rule FROM alert_locks AS l JOIN unnest(:rule, :subject_id) AS k(rule, subject_id) "
    "ON l.rule = k.rule AND l.subject_id = k.subject_id ORDER BY l.rule, l.subject_id FOR UPDATE OF l", KEY_COLUMNS)
OPEN_ALERTS = bulk.statement(
    "SELECT a.rule, a.subject_id, a.alert_id, a.severity, a.state FROM alerts AS a "
    "JOIN unnest(:rule, :subject_id) AS k(rule, subject_id) ON a.rule = k.rule AND a.subject_id = k.subject_id "
    "WHERE a.state <> 'resolved' FOR UPDATE OF a", KEY_COLUMNS)


async def lock_subjects(session: AsyncSession, keys: list[tuple[str, str]]) -> None:
    """Row-lock every (rule, subject_id) before reading its figures or its alert.

    Concurrent evaluations of one subject (a batch, a budget change) take turns and each sees the
    other's committed alert; keys are locked in sorted order, so two evaluations never deadlock.
    """
    keys = sorted(set(keys))
    if not keys:
        return
    await bulk.execute(session, ADD_LOCKS, keys, tuple(KEY_COLUMNS))
    await bulk.execute(session, TAKE_LOCKS, keys, tuple(KEY_COLUMNS))


async def open_alerts(session: AsyncSession, keys: list[tuple[str, str]]) -> dict[tuple[str, str], OpenAlert]:
    """The open (not resolved) alert of each (rule, subject_id) that has one, in one query."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows = await bulk.execute(session, OPEN_ALERTS, keys, tuple(KEY_COLUMNS))
    return {(row.rule, row.subject_id): OpenAlert(row.alert_id, row.severity, row.state) for row in rows}


async def apply(session: AsyncSession, change: Transition, evidence: list[str],
                evaluated_at: datetime) -> AlertChanged | None:
    """Store the transition and queue its event in the caller's transaction; a refresh is stored only."""
    m = change.measurement
    measured = dict(measure=None if m.value is None else str(m.value), threshold=str(m.threshold),
                    message=m.message, evaluated_at=evaluated_at)
    if change.refresh:
        await session.execute(update(alerts).where(alerts.c.alert_id == change.alert_id).values(**measured))
        return None
    fields = dict(rule=m.rule, subject_type=m.subject_type, subject_id=m.subject_id, severity=change.severity,
                  state=change.state, evidence=evidence[-EVIDENCE_LIMIT:], **measured)
    if change.alert_id is None:
        alert_id = str(uuid.uuid4())
        await session.execute(insert(alerts).values(alert_id=alert_id, **fields))
    else:
        alert_id = change.alert_id
        await session.execute(update(alerts).where(alerts.c.alert_id == alert_id)
                              .values(**fields, acked_by=None, acked_at=None, ack_note=None))
    return await _publish(session, AlertChanged(alert_id=alert_id, **fields))


async def _publish(session: AsyncSession, event: AlertChanged, acknowledgement: dict | None = None) -> AlertChanged:
    """The change (the stream's payload: the event's data, with who acknowledged and the note for an
    acknowledgement, which a later change of the alert clears from the alert itself) and its outbox event."""
    payload = event.model_dump(mode="json") | (acknowledgement or {})
    await session.execute(insert(alert_changes).values(alert_id=event.alert_id, payload=payload))
    await outbox.add(session, event, source=sources.FUND_LEDGER, effective_time=event.evaluated_at)
    return event


async def get(session: AsyncSession, alert_id: str, *, lock: bool = False):
    query = select(alerts).where(alerts.c.alert_id == alert_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def acknowledge(session: AsyncSession, alert_id: str, who: str, note: str, at: datetime) -> AlertChanged:
    await session.execute(update(alerts).where(alerts.c.alert_id == alert_id)
                          .values(state="acknowledged", acked_by=who, acked_at=at, ack_note=note))
    acknowledgement = {"acked_by": who, "acked_at": at.isoformat(), "ack_note": note}
    return await _publish(session, to_event(await get(session, alert_id)), acknowledgement)


def to_event(row) -> AlertChanged:
    return AlertChanged(alert_id=row.alert_id, rule=row.rule, subject_type=row.subject_type, subject_id=row.subject_id,
                        severity=row.severity, state=row.state, measure=row.measure, threshold=row.threshold,
                        message=row.message, evaluated_at=row.evaluated_at, evidence=row.evidence,
                        acked_by=row.acked_by, ack_note=row.ack_note)


async def listing(session: AsyncSession, state: str | None):
    query = select(alerts).order_by(alerts.c.evaluated_at.desc(), alerts.c.alert_id)
    if state == "firing":
        query = query.where(alerts.c.state != "resolved")
    elif state is not None:
        query = query.where(alerts.c.state == state)
    return (await session.execute(query)).all()


async def listing_as_of(session: AsyncSession, until: datetime) -> list[dict]:
    """Each alert as its last published change before ``until`` (business time) left it: the change's payload
    (the alert topic's data, with who acknowledged), newest evaluation first. Alerts first raised later are absent."""
    evaluated = alert_changes.c.payload["evaluated_at"].astext.cast(DateTime(timezone=True))
    latest = (select(alert_changes.c.payload).ext(distinct_on(alert_changes.c.alert_id))
              .where(evaluated < until).order_by(alert_changes.c.alert_id, alert_changes.c.id.desc())).subquery()
    payloads = sorted(await session.scalars(select(latest.c.payload)), key=lambda p: p["alert_id"])
    return sorted(payloads, key=lambda p: datetime.fromisoformat(p["evaluated_at"]), reverse=True)


async def changes_after(session: AsyncSession, last_id: int, limit: int = 100):
    return (await session.execute(select(alert_changes.c.id, alert_changes.c.payload)
                                  .where(alert_changes.c.id > last_id).order_by(alert_changes.c.id).limit(limit))).all()


async def last_change_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(alert_changes.c.id), 0))))
