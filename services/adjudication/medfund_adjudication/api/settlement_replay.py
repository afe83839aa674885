"""``GET /v1/settlements/{setl_id}/replay``: a recorded settlement computed again from its stored inputs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.native import public
from medfund_adjudication.app.replay import ReplaySettlement, replay_settlement
from medfund_adjudication.domain.settlement.receipt import ENGINE_VERSION
from medfund_shared.auth import Principal, require_roles
from medfund_shared.context import ContextDep

router = APIRouter(prefix="/v1", tags=["settlement replay"])
Staff = Annotated[Principal, Depends(require_roles("admin", "operator"))]


@router.get("/settlements/{setl_id}/replay")
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
