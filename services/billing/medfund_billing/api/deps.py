"""FastAPI dependencies of the billing routes: the request's unit of work and the objects the startup hook put in
the context."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.api.upload_slots import UploadSlots
from medfund_billing.config import BillingSettings
from medfund_shared.auth import Principal, require_roles
from medfund_shared.batch_ownership import BatchWorker
from medfund_shared.context import ContextDep, ServiceContext, SessionDep, get_context
from medfund_shared.errors import ApiError
from medfund_shared.json_body import NotJson, parse_json
from medfund_shared.policy.pack_set import PackSet


async def _uow(session: SessionDep, context: ContextDep) -> BillingUnitOfWork:
    """The request's unit of work; its commit wakes the outbox relay."""
    return BillingUnitOfWork(session, relay=context.relay,
                             idempotency_wait_seconds=context.settings.idempotency_wait_seconds)


async def _pack_set(context: Annotated[ServiceContext, Depends(get_context)]) -> PackSet:
    return context.extras["pack_set"]


async def _billing_settings(context: Annotated[ServiceContext, Depends(get_context)]) -> BillingSettings:
    return context.extras["billing_settings"]


async def _batch_worker(context: Annotated[ServiceContext, Depends(get_context)]) -> BatchWorker:
    return context.extras["batch_worker"]


async def exact_json(request: Request) -> Any:
    """The body as JSON with decimals kept exact (``12.50`` never becomes a float)."""
    try:
        return parse_json(await request.body())
    except NotJson as error:
        raise ApiError(422, "malformed", str(error)) from None


UowDep = Annotated[BillingUnitOfWork, Depends(_uow)]
PackSetDep = Annotated[PackSet, Depends(_pack_set)]
BillingSettingsDep = Annotated[BillingSettings, Depends(_billing_settings)]
BatchWorkerDep = Annotated[BatchWorker, Depends(_batch_worker)]


async def _upload_slots(context: Annotated[ServiceContext, Depends(get_context)]) -> UploadSlots:
    return context.extras["upload_slots"]


UploadSlotsDep = Annotated[UploadSlots, Depends(_upload_slots)]
JsonBody = Annotated[Any, Depends(exact_json)]
TaxOnly = Annotated[Principal, Depends(require_roles("tax"))]
TaxOrStaff = Annotated[Principal, Depends(require_roles("tax", "admin", "operator"))]


def office_region(tax_office_code: str) -> str:
    """The region a tax office serves: 税务机关代码 is ``1`` + the 6-digit division code + 4 digits."""
    return tax_office_code[1:7]


def ensure_region(principal: Principal, admdvs: str) -> None:
    """A tax token acts only for its own office's region (403); staff act for every region."""
    if principal.role == "tax" and office_region(principal.tax_office_code or "") != admdvs:
        raise ApiError(403, "forbidden", f"tax office {principal.tax_office_code} does not serve region {admdvs}",
                       "admdvs")


def office_filter(principal: Principal) -> str | None:
    """A tax token sees only its own office; staff see all."""
    return principal.tax_office_code if principal.role == "tax" else None
