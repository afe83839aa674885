"""The eligible population of a region and year: the denominator of 参保率."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.events.types.enrollment import EligiblePopulationSet


@dataclass(frozen=True)
class SetEligiblePopulation:
    admdvs: str
    year: int
    eligible: int
    actor: str
    set_at: datetime


async def set_eligible_population(cmd: SetEligiblePopulation, uow: UnitOfWork) -> dict:
    async with uow:
        if cmd.eligible < 0:
            raise InvalidRequest("invalid_eligible", "eligible must not be negative", "eligible")
        await uow.repo.set_eligible(cmd.admdvs, cmd.year, cmd.eligible, cmd.actor)
        await uow.emit(EligiblePopulationSet(admdvs=cmd.admdvs, year=cmd.year, eligible=cmd.eligible, actor=cmd.actor),
                       cmd.set_at)
        await uow.commit()
        return {"admdvs": cmd.admdvs, "year": cmd.year, "eligible": cmd.eligible}
