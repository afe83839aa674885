"""Payments nobody could be matched to yet, and their resolution by an operator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from medfund_billing.api.answer_models import Resolved, SuspensePage
from medfund_billing.api.deps import PackSetDep, UowDep
from medfund_billing.app.reports import suspense_list
from medfund_billing.app.suspense import ResolveSuspense, resolve
from medfund_shared.auth import StaffPrincipal

router = APIRouter(prefix="/v1/suspense", tags=["suspense"])


@router.get("", responses={200: {"model": SuspensePage}})
async def list_suspense(_: StaffPrincipal, uow: UowDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                        cursor: str | None = None) -> dict:
    """Unmatched payments (never dropped), paginated by payment id."""
    return await suspense_list(uow, limit, cursor)


class ResolveRequest(BaseModel):
    psn_no: Annotated[str, Field(min_length=1, max_length=40)]


@router.post("/{payment_id}/resolve",
             responses={200: {"model": Resolved},
                        409: {"description": "the payment is matched already, or was refunded or reversed"}})
async def resolve_payment(payment_id: str, body: ResolveRequest, _: StaffPrincipal, uow: UowDep,
                          pack_set: PackSetDep) -> dict:
    """Match a suspended payment to a registered person."""
    return await resolve(ResolveSuspense(payment_id, body.psn_no), uow, pack_set)
