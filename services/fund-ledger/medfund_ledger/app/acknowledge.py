"""Use case: an operator acknowledges an alert (who, when, note); the change is stored and published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.domain.alerts import check_acknowledgement
from medfund_shared.refusal import Refusal


@dataclass(frozen=True)
class AcknowledgeAlert:
    alert_id: str
    who: str
    note: str
    at: datetime


def alert_not_found() -> Refusal:
    return Refusal.not_found("not_found", "alert not found", "alert_id")


async def acknowledge(cmd: AcknowledgeAlert, uow: LedgerUnitOfWork):
    """Returns the alert row; a retry with the same note returns it unchanged."""
    async with uow:
        row = await uow.ledger.alert(cmd.alert_id, lock=True)
        if row is None:
            raise alert_not_found()
        if check_acknowledgement(row.state, row.ack_note, cmd.note):
            await uow.ledger.acknowledge_alert(cmd.alert_id, cmd.who, cmd.note, cmd.at)
            await uow.commit()
            row = await uow.ledger.alert(cmd.alert_id)
    return row
