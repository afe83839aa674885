"""The ledger's operations view for admins: dead-letter backlog and consumer lag."""

from __future__ import annotations

from fastapi import APIRouter

from medfund_ledger.api.read_models import OperationsOut
from medfund_ledger.app.operations_view import operations
from medfund_shared.auth import AdminPrincipal
from medfund_shared.context import ContextDep, SessionDep

router = APIRouter(prefix="/v1/operations", tags=["console"])


@router.get("")
async def get_operations(_: AdminPrincipal, session: SessionDep, context: ContextDep) -> OperationsOut:
    """Unresolved dead letters per consumer (details: ``GET /v1/dead-letters``) and, per topic partition, how many
    records the ledger's consumer has still to read."""
    view = await operations(session, context.settings)
    return OperationsOut(
        dead_letters=[{"consumer": d.consumer, "unresolved": d.unresolved, "oldest": d.oldest}
                      for d in view.dead_letters],
        consumer_lag=[vars(p) for p in view.lag], broker_answered=view.broker_answered)
