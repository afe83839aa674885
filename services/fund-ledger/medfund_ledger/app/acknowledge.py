"""Use case: an operator acknowledges an alert (who, when, note); the change is stored and published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store
from medfund_ledger.domain.alerts import check_acknowledgement


class AlertNotFound(LookupError):
    pass


@dataclass(frozen=True)
class AcknowledgeAlert:
    alert_id: str
    who: str
    note: str
    at: datetime


async def acknowledge(cmd: AcknowledgeAlert, session: AsyncSession):
    """Returns the alert row; a retry with the same note returns it unchanged."""
    row = await alert_store.get(session, cmd.alert_id, lock=True)
    if row is None:
        raise AlertNotFound(cmd.alert_id)
    if check_acknowledgement(row.state, row.ack_note, cmd.note):
        await alert_store.acknowledge(session, cmd.alert_id, cmd.who, cmd.note, cmd.at)
        await session.commit()
        row = await alert_store.get(session, cmd.alert_id)
    return row
