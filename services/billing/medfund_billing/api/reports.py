"""Reconciliation with the tax bureau and collection statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from medfund_billing.api.answer_models import CollectionStatistics, Reconciliation
from medfund_billing.api.deps import TaxOrStaff, UowDep
from medfund_billing.app.reports import collection_statistics, reconciliation
from medfund_shared.auth import StaffPrincipal
from medfund_shared.business_range import BusinessYearParam

router = APIRouter(tags=["reports"])


@router.get("/v1/collections/reconciliation", responses={200: {"model": Reconciliation}})
async def get_reconciliation(tax_office_code: Annotated[str, Query(min_length=1)], date: date,
                             principal: TaxOrStaff, uow: UowDep) -> dict:
    """Count, amount and voucher digest of the payments accepted for a day (the tax office's local day)."""
    principal.ensure_tax_office(tax_office_code)
    return await reconciliation(uow, tax_office_code, date)


@router.get("/v1/statistics/collection", responses={200: {"model": CollectionStatistics}})
async def get_statistics(admdvs: Annotated[str, Query(pattern=r"^\d{6}$")],
                         year: Annotated[BusinessYearParam, Query()], _: StaffPrincipal, uow: UowDep) -> dict:
    """征缴率 (collected ÷ due) and payments by channel for a region and year."""
    return await collection_statistics(uow, admdvs, year)
