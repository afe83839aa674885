"""Enrollment statistics and the eligible population behind 参保率."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Query

from medfund_enrollment.api.answer_models import EligiblePopulation, EnrollmentStatistics
from medfund_enrollment.api.deps import UowDep
from medfund_enrollment.api.schemas import EligiblePopulationIn
from medfund_enrollment.app import queries
from medfund_enrollment.app.population import SetEligiblePopulation, set_eligible_population
from medfund_shared.auth import StaffPrincipal
from medfund_shared.business_range import BusinessYearParam
from medfund_shared.china_time import CHINA_TIME

router = APIRouter(tags=["statistics"])


@router.get("/v1/statistics/enrollment", responses={200: {"model": EnrollmentStatistics}})
async def enrollment_statistics(principal: StaffPrincipal, uow: UowDep, year: BusinessYearParam,
                                admdvs: str = Query(pattern=r"^[0-9]{6}$")) -> dict:
    """Enrolled and insured counts by category; 参保率 when the eligible population is set."""
    return await queries.statistics(uow, admdvs, year)


@router.put("/v1/regions/{admdvs}/years/{year}/eligible-population",
            responses={200: {"model": EligiblePopulation}})
async def put_eligible_population(body: EligiblePopulationIn, principal: StaffPrincipal, uow: UowDep,
                                  year: BusinessYearParam, admdvs: str = Path(pattern=r"^[0-9]{6}$")) -> dict:
    """Set the region's eligible population for the year (emits ``population.eligible_set``)."""
    return await set_eligible_population(SetEligiblePopulation(
        admdvs, year, body.eligible, principal.subject, datetime.now(CHINA_TIME)), uow)
