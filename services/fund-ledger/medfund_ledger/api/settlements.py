"""A settlement as the ledger holds it, for the drill-down from an alert's evidence."""

from __future__ import annotations

from fastapi import APIRouter, Path

from medfund_ledger.api.deps import ReadUowDep
from medfund_ledger.api.errors import not_found
from medfund_ledger.api.presenters import entry_json, fact_json
from medfund_ledger.api.read_models import SettlementOut
from medfund_ledger.app.settlement_view import SettlementNotFound, SettlementQuery, settlement
from medfund_shared.auth import StaffPrincipal

router = APIRouter(prefix="/v1/settlements", tags=["settlements"])


@router.get("/{setl_id}")
async def get_settlement(_: StaffPrincipal, uow: ReadUowDep,
                         setl_id: str = Path(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")) -> SettlementOut:
    """The settlement's facts (and its reversal, if any) and the journal entries they booked, every line."""
    try:
        view = await settlement(SettlementQuery(setl_id), uow)
    except SettlementNotFound:
        raise not_found("settlement", "setl_id") from None
    return SettlementOut(setl_id=view.setl_id, facts=[fact_json(f) for f in view.facts],
                         entries=[entry_json(e, lines) for e, lines in view.entries])
