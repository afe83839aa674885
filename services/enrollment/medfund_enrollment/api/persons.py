"""``/v1/persons`` and ``/v1/households``: views, suspension, reinstatement, termination, categories, renewal."""

from __future__ import annotations

from fastapi import APIRouter, Query

from medfund_enrollment.api.answer_models import (
    AuditOut,
    CategoryChangeOut,
    CoverageChanged,
    HouseholdOut,
    PersonOut,
    Renewed,
)
from medfund_enrollment.api.deps import IdempotencyKey, PackSetDep, UowDep, idempotent, today_in_china
from medfund_enrollment.api.schemas import CategoryChangeIn, ReinstatementIn, RenewalIn, SuspensionIn, TerminationIn
from medfund_enrollment.app import category_change, lifecycle, queries
from medfund_enrollment.app.renewal import Renew, renew
from medfund_shared.auth import StaffPrincipal

router = APIRouter(tags=["persons"])


@router.get("/v1/persons", responses={200: {"model": PersonOut}})
async def find_person(principal: StaffPrincipal, uow: UowDep, certno: str = Query(min_length=1)) -> dict:
    """The person with this resident ID: category, tier and coverage periods."""
    return await queries.person_by_certno(uow, certno)


@router.get("/v1/persons/{psn_no}", responses={200: {"model": PersonOut}})
async def get_person(psn_no: str, principal: StaffPrincipal, uow: UowDep) -> dict:
    """The person, category, tier and coverage periods."""
    return await queries.person_view(uow, psn_no)


@router.get("/v1/persons/{psn_no}/audit", responses={200: {"model": AuditOut}})
async def get_audit(psn_no: str, principal: StaffPrincipal, uow: UowDep) -> dict:
    """Who changed the person's cover, when, and why."""
    return await queries.audit_view(uow, psn_no)


@router.post("/v1/persons/{psn_no}/suspensions", status_code=201, responses={201: {"model": CoverageChanged}})
async def suspend(psn_no: str, body: SuspensionIn, principal: StaffPrincipal, uow: UowDep,
                  idempotency_key: IdempotencyKey = None) -> dict:
    """Suspend cover from ``since`` (moved away, moved to the employee scheme)."""
    return await lifecycle.suspend(lifecycle.ChangeCoverage(
        psn_no, body.insutype, body.year, body.since, principal.subject, body.reason, body.note,
        idempotent(f"suspend:{psn_no}", idempotency_key, body.model_dump(mode="json"))), uow)


@router.post("/v1/persons/{psn_no}/reinstatements", status_code=201, responses={201: {"model": CoverageChanged}})
async def reinstate(psn_no: str, body: ReinstatementIn, principal: StaffPrincipal, uow: UowDep,
                    idempotency_key: IdempotencyKey = None) -> dict:
    """Resume suspended cover from ``since``."""
    return await lifecycle.reinstate(lifecycle.ChangeCoverage(
        psn_no, body.insutype, body.year, body.since, principal.subject, None, body.note,
        idempotent(f"reinstate:{psn_no}", idempotency_key, body.model_dump(mode="json"))), uow)


@router.post("/v1/persons/{psn_no}/terminations", status_code=201, responses={201: {"model": CoverageChanged}})
async def terminate(psn_no: str, body: TerminationIn, principal: StaffPrincipal, uow: UowDep,
                    idempotency_key: IdempotencyKey = None) -> dict:
    """End the enrollment (death with its date, employee scheme, moved away)."""
    return await lifecycle.terminate(lifecycle.ChangeCoverage(
        psn_no, body.insutype, body.year, body.on, principal.subject, body.reason, body.note,
        idempotent(f"terminate:{psn_no}", idempotency_key, body.model_dump(mode="json"))), uow)


@router.post("/v1/persons/{psn_no}/category-changes", status_code=201,
             responses={201: {"model": CategoryChangeOut}})
async def change_category(psn_no: str, body: CategoryChangeIn, principal: StaffPrincipal, uow: UowDep,
                          pack_set: PackSetDep, idempotency_key: IdempotencyKey = None) -> dict:
    """Set the person's categories for ``year`` (most favourable wins); the premium is recomputed."""
    return await category_change.change_category(category_change.ChangeCategory(
        psn_no, body.year, body.all_categories(), body.reason, principal.subject,
        body.changed_on or today_in_china(),
        idempotent(f"category:{psn_no}", idempotency_key, body.model_dump(mode="json"))), uow, pack_set)


@router.post("/v1/persons/{psn_no}/renewals", status_code=201, responses={201: {"model": Renewed}})
async def renew_person(psn_no: str, body: RenewalIn, principal: StaffPrincipal, uow: UowDep,
                       pack_set: PackSetDep, idempotency_key: IdempotencyKey = None) -> dict:
    """Enroll the person for ``year`` as the year before, premium from that year's pack."""
    return await renew(Renew(body.year, body.enrolled_on or today_in_china(), principal.subject, psn_no=psn_no,
                             tier=body.tier, idempotency=idempotent(f"renew:{psn_no}", idempotency_key,
                                                                        body.model_dump(mode="json"))),
                       uow, pack_set)


@router.get("/v1/households/{household_id}", responses={200: {"model": HouseholdOut}})
async def get_household(household_id: str, principal: StaffPrincipal, uow: UowDep) -> dict:
    """The household's members and their enrollments, every year."""
    return await queries.household_view(uow, household_id)


@router.post("/v1/households/{household_id}/renewals", status_code=201, responses={201: {"model": Renewed}})
async def renew_household(household_id: str, body: RenewalIn, principal: StaffPrincipal, uow: UowDep,
                          pack_set: PackSetDep, idempotency_key: IdempotencyKey = None) -> dict:
    """Enroll every member of the household for ``year`` without re-entering it."""
    return await renew(Renew(body.year, body.enrolled_on or today_in_china(), principal.subject,
                             household_id=household_id, tier=body.tier,
                             idempotency=idempotent(f"renew-household:{household_id}", idempotency_key,
                                                        body.model_dump(mode="json"))), uow, pack_set)
