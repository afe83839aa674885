"""The platform's person-type code (``psn_type``) of a person: their category mapped by their pack."""

from __future__ import annotations

from datetime import date

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.domain.coverage import Coverage

EMPLOYEE = "310"


async def person_type(uow: UnitOfWork, coverage: Coverage, day: date) -> str:
    """The code for the category in force on ``day`` under the pack of ``coverage``'s region and scheme (inside
    the cover's year); a retired employee has the pack's ``retired`` code."""
    retired = coverage.insutype == EMPLOYEE and await coverage_repo.retired(uow.session, coverage.psn_no)
    on = min(max(day, coverage.coverage_from), coverage.coverage_to)
    return uow.pack(coverage.admdvs, coverage.insutype, on).person_types.code_for(coverage.category_on(day)[0],
                                                                                  retired)
