"""The staff's settlement reads: ``GET /v1/settlements`` (listed, newest first) and
``GET /v1/settlements/{setl_id}/replay`` (a recorded settlement computed again from its stored inputs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.answer_models import ReplayOut
from medfund_adjudication.api.native import public
from medfund_adjudication.app.replay import ReplaySettlement, replay_settlement
from medfund_adjudication.app.settlement_listing import ListSettlements, list_settlements
from medfund_adjudication.domain.settlement.receipt import ENGINE_VERSION
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.auth import Principal, require_roles
from medfund_shared.business_range import BusinessDate
from medfund_shared.context import ContextDep

router = APIRouter(prefix="/v1", tags=["settlement audit"])
Staff = Annotated[Principal, Depends(require_roles("admin", "operator"))]


def _listed(record: SettlementRecord) -> dict:
    r = record.result
    return {"setl_id": record.setl_id, "kind": record.kind, "original_setl_id": record.original_setl_id,
            "mdtrt_id": record.mdtrt_id, "medins_setl_id": record.medins_setl_id,
            "fixmedins_code": record.fixmedins_code, "psn_no": record.psn_no, "admdvs": record.admdvs,
            "insutype": record.insutype, "med_type": r.med_type, "setl_time": record.setl_time,
            "setl_date": record.setl_date, "medfee_sumamt": r.medfee_sumamt, "fund_pay_sumamt": r.fund_pay_sumamt,
            "acct_pay": r.acct_pay, "psn_cash_pay": r.psn_cash_pay, "pack_id": r.pack_id,
            "pack_version": r.pack_version, "receipt": record.receipt}


class ListedSettlement(BaseModel):
    """A settlement or reversal as listed; amounts are yuan decimal strings (a reversal's negated)."""

    setl_id: str
    kind: Literal["settlement", "reversal"]
    original_setl_id: str | None
    mdtrt_id: str
    medins_setl_id: str | None
    fixmedins_code: str
    psn_no: str
    admdvs: str
    insutype: str
    med_type: str
    setl_time: datetime
    setl_date: date
    medfee_sumamt: str
    fund_pay_sumamt: str
    acct_pay: str
    psn_cash_pay: str
    pack_id: str
    pack_version: int
    receipt: str | None


class SettlementPage(BaseModel):
    settlements: list[ListedSettlement]
    next_cursor: str | None = Field(description="pass back as ``cursor`` for the next page; null on the last")


@router.get("/settlements", responses={200: {"model": SettlementPage}})
async def settlements(_: Staff, context: ContextDep, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                      cursor: Annotated[str | None, Query(max_length=200)] = None,
                      fixmedins_code: Annotated[str | None, Query(min_length=1, max_length=30)] = None,
                      psn_no: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
                      begin: Annotated[BusinessDate | None, Query(alias="from")] = None,
                      end: Annotated[BusinessDate | None, Query(alias="to")] = None) -> dict:
    """Settlements and reversals, newest first; ``from``/``to`` bound the settlement's business date (inclusive);
    pass ``next_cursor`` back as ``cursor`` for the next page."""
    page = await list_settlements(ListSettlements(limit, cursor, fixmedins_code, psn_no, begin, end),
                                  UnitOfWork(context))
    return public({"settlements": [_listed(r) for r in page.records], "next_cursor": page.next_cursor})


@router.get("/settlements/{setl_id}/replay", responses={200: {"model": ReplayOut}})
async def replay(setl_id: str, _: Staff, context: ContextDep) -> dict:
    """EQUAL when the stored inputs give the recorded receipt and every field of the recorded result again."""
    replayed = await replay_settlement(ReplaySettlement(setl_id), UnitOfWork(context))
    outcome, record = replayed.outcome, replayed.record
    return public({
        "setl_id": record.setl_id, "verdict": outcome.verdict,
        "receipt": {"recorded": outcome.receipt_recorded, "replayed": outcome.receipt_replayed,
                    "equal": outcome.receipt_recorded == outcome.receipt_replayed},
        "pack_id": replayed.pack.pack_id, "pack_version": replayed.pack.version,
        "pack_hash": replayed.pack.content_hash, "engine_version": ENGINE_VERSION,
        "fields_compared": len(outcome.fields), "differences": len(outcome.differences),
        "fields": [{"field": f.field, "recorded": f.recorded, "replayed": f.replayed, "equal": f.equal}
                   for f in outcome.fields],
    })
