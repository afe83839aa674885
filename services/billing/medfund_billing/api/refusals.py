"""Premiums that bought no cover: the payments an operator has to refund."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from medfund_billing.api.answer_models import CoverageRefusalPage
from medfund_billing.api.deps import UowDep
from medfund_billing.app.refusals import coverage_refusals
from medfund_shared.auth import StaffPrincipal

router = APIRouter(prefix="/v1/coverage-refusals", tags=["refunds"])


@router.get("", responses={200: {"model": CoverageRefusalPage}})
async def list_refusals(_: StaffPrincipal, uow: UowDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                        cursor: str | None = None) -> dict:
    """Person-years whose cover enrollment refused, each payment marked refundable until refunded or reversed."""
    return await coverage_refusals(uow, limit, cursor)
