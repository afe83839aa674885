"""The names table the console shows instead of raw codes."""

from __future__ import annotations

from fastapi import APIRouter

from medfund_ledger.adapters.names import names
from medfund_ledger.api.read_models import NamesOut
from medfund_shared.auth import StaffPrincipal

router = APIRouter(prefix="/v1/names", tags=["console"])


@router.get("")
async def get_names(_: StaffPrincipal) -> NamesOut:
    """Region (admdvs) and fund (fund_pay_type) names in Chinese and English."""
    return NamesOut.model_validate(names())
