"""Region statistics: 参保率, 征缴率, reimbursement ratios, payment per inpatient settlement, reserve, burn."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from medfund_ledger.adapters.statistics_query import statistics_inputs
from medfund_ledger.api.read_models import StatisticsOut
from medfund_ledger.domain.statistics import statistics
from medfund_shared.auth import StaffPrincipal
from medfund_shared.business_range import BusinessYearParam
from medfund_shared.context import SessionDep
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])


@router.get("", responses={200: {"model": StatisticsOut}})
async def get_statistics(_: StaffPrincipal, session: SessionDep, year: Annotated[BusinessYearParam, Query()],
                         admdvs: str = Query(pattern=r"^\d{6}$"),
                         insutype: str = Query(default=RESIDENT_SCHEME,
                                                pattern=f"^({RESIDENT_SCHEME}|{EMPLOYEE_SCHEME})$")) -> dict:
    """The scheme's pooled fund (resident ``390`` by default); under ``pools`` every fund of the region-year."""
    figures = statistics(await statistics_inputs(session, admdvs, year, insutype))
    return {"admdvs": admdvs, "year": year, "insutype": insutype, **figures}
