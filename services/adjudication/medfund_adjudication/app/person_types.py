"""The platform's person-type code (``psn_type``) of a person: their category mapped by their pack."""

from __future__ import annotations

from datetime import date

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.refusal import NO_POLICY_PACK
from medfund_shared.schemes import EMPLOYEE_SCHEME


def code_of(pack: PolicyPack, category: str, retired: bool) -> str:
    """The pack's code for ``category``; a pack without one refuses the request (it changes nothing)."""
    try:
        return pack.person_types.code_for(category, retired)
    except ValueError as missing:
        raise Refused(NO_POLICY_PACK, f"pack {pack.pack_id}: {missing}") from None


async def person_type(uow: AdjudicationUnitOfWork, coverage: Coverage, day: date) -> str:
    """The code for the category in force on ``day`` under the pack of ``coverage``'s region and scheme (inside
    the cover's year); a retired employee has the pack's ``retired`` code."""
    retired = coverage.insutype == EMPLOYEE_SCHEME and await uow.coverage.retired(coverage.psn_no)
    on = min(max(day, coverage.coverage_from), coverage.coverage_to)
    return code_of(uow.pack(coverage.admdvs, coverage.insutype, on), coverage.category_on(day)[0], retired)
