"""Settlements listed for operators and auditors (``GET /v1/settlements``): newest first, a page at a time."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement_record import SettlementRecord


@dataclass(frozen=True)
class ListSettlements:
    limit: int
    cursor: str | None = None
    fixmedins_code: str | None = None
    psn_no: str | None = None
    begin: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class SettlementPage:
    records: list[SettlementRecord]
    next_cursor: str | None
    """Pass it back as ``cursor`` for the next page; None on the last page."""


def cursor_after(record: SettlementRecord) -> str:
    """Opaque to the caller: the position (``setl_time``, ``setl_id``) of a page's last settlement."""
    text = f"{record.setl_time.isoformat()}|{record.setl_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, setl_id = text.split("|", 1)
        at = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Refused("invalid", "cursor is not one a page of this listing gave", "cursor") from None
    if at.tzinfo is None or not setl_id:
        raise Refused("invalid", "cursor is not one a page of this listing gave", "cursor")
    return at, setl_id


async def list_settlements(query: ListSettlements, uow: AdjudicationUnitOfWork) -> SettlementPage:
    if query.begin is not None and query.end is not None and query.begin > query.end:
        raise Refused("invalid", f"from {query.begin} is after to {query.end}", "from")
    before = _position(query.cursor) if query.cursor is not None else None
    async with uow:
        records = await uow.settlements.newest_first(query.limit + 1, fixmedins_code=query.fixmedins_code,
                                                     psn_no=query.psn_no, begin=query.begin, end=query.end,
                                                     before=before)
    page = records[:query.limit]
    return SettlementPage(page, cursor_after(page[-1]) if len(records) > query.limit else None)
