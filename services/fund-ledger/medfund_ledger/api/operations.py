"""The console's operations view for admins: every service's dead-letter backlog and consumer lag."""

from __future__ import annotations

from fastapi import APIRouter, Request

from medfund_ledger.adapters.peer_operations import ServiceOperations, every_service
from medfund_shared.auth import AdminPrincipal
from medfund_shared.context import ContextDep, SessionDep
from medfund_shared.operations import operations_view

router = APIRouter(prefix="/v1/operations", tags=["console"])


@router.get("/services")
async def get_every_service_operations(_: AdminPrincipal, request: Request, session: SessionDep,
                                       context: ContextDep) -> list[ServiceOperations]:
    """Per service (enrollment, billing, adjudication, ledger): its unresolved dead letters per consumer and its
    consumers' lag per topic partition, as its own ``GET /v1/operations`` answers; a service that does not answer
    within ``peer_timeout_seconds`` is listed with ``answered`` false and the reason."""
    own = await operations_view(session, context.settings)
    return await every_service(own, context.settings, request.headers["authorization"])
