"""Register a household for an insurance year (and end a resident enrollment on joining 310)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from medfund_enrollment.adapters.uow import UnitOfWork, broke_a_rule
from medfund_enrollment.app.common import pack_for
from medfund_enrollment.app.lifecycle import activate, open_cover, terminate_enrollment
from medfund_enrollment.domain.employee import EmployeeKind
from medfund_enrollment.domain.errors import Conflict
from medfund_enrollment.domain.household import (
    HouseholdApplication,
    MemberPlan,
    plan_household,
)
from medfund_enrollment.domain.lifecycle import Status, TerminationReason, retiree_cover
from medfund_shared.china_time import start_of
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME

ONE_LIVE_PER_YEAR = "enrollments_one_live_per_year"


@dataclass(frozen=True)
class RegisterHousehold:
    application: HouseholdApplication
    actor: str
    idempotency: IdempotentRequest | None = None


async def register_household(cmd: RegisterHousehold, uow: UnitOfWork, pack_set: PackSet) -> dict:
    """``{"household_id", "members": [...]}``; a retry with the same key gets the first answer, even one sent to
    another instance while the first is still being registered (it waits for it)."""
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        app = cmd.application
        pack = pack_for(pack_set, app.admdvs, app.insutype, app.year)
        certnos = [m.certno.strip().upper() for m in app.members]
        renewing = await uow.repo.insured_in_year(certnos, app.year - 1, app.insutype)
        plans = plan_household(pack, app, frozenset(renewing))
        await _refuse_duplicates(uow, app, plans, cmd.actor)
        household_id = str(uuid.uuid4())
        try:
            await uow.repo.add_household(household_id, app.admdvs)
            members = [await enroll_member(uow, pack, app, plan, household_id) for plan in plans]
            reply = {"household_id": household_id, "members": members}
            await uow.idempotency.remember(cmd.idempotency, reply)
            await uow.commit()
        except Exception as error:
            if broke_a_rule(error, ONE_LIVE_PER_YEAR):
                raise Conflict("duplicate_enrollment", "already enrolled for this year (registered concurrently)",
                               "members") from None
            raise
        return reply


async def enroll_member(uow: UnitOfWork, pack: PolicyPack, app: HouseholdApplication, plan: MemberPlan,
                        household_id: str) -> dict:
    """Write one member's enrollment and its event; cover starts at once when nothing is to be paid."""
    psn_no = await uow.repo.ensure_person(plan.certno, plan.psn_name, plan.gend, plan.brdy, plan.ssc_no)
    tier = app.tier if app.insutype == RESIDENT_SCHEME else None
    await uow.repo.add_enrollment(
        psn_no=psn_no, certno=plan.certno, household_id=household_id, admdvs=app.admdvs, insutype=app.insutype,
        year=app.year, tier=tier, category=plan.category, categories=list(plan.categories), kind=plan.kind.value,
        premium_due_fen=plan.premium_due.fen, on_behalf_due_fen=plan.on_behalf_due.fen, pack_id=pack.pack_id,
        enrolled_on=app.enrolled_on, event_date=plan.event_date, status=Status.REGISTERED.value,
        **employee_columns(plan))
    await uow.emit(registered_event(psn_no, app, plan, household_id, pack.pack_id), start_of(app.enrolled_on))
    status = Status.REGISTERED
    if app.insutype == RESIDENT_SCHEME and not plan.premium_due and not plan.on_behalf_due:
        enrollment = await uow.repo.enrollment_for_update(psn_no, app.year, app.insutype)
        status = await activate(uow, pack, enrollment, app.enrolled_on, on_behalf=False, at_registration=True)
    elif plan.employee is not None and plan.employee.kind is EmployeeKind.RETIRED:
        enrollment = await uow.repo.enrollment_for_update(psn_no, app.year, app.insutype)
        cover = retiree_cover(pack, app.year, app.enrolled_on, plan.gend, plan.employee.contribution_years)
        status = await open_cover(uow, enrollment, cover, start_of(app.enrolled_on), "registration")
    return {"certno": plan.certno, "psn_no": psn_no, "status": status.value,
            "premium_due": plan.premium_due.to_yuan(), "on_behalf_due": plan.on_behalf_due.to_yuan(),
            "category": plan.category, "enrollment_kind": plan.kind.value}


def employee_columns(plan: MemberPlan) -> dict:
    """The enrollment's employee-scheme columns (all null in 390)."""
    e = plan.employee
    return {"employee_kind": e and e.kind.value, "employer_code": e and e.employer_code,
            "contribution_years": e and e.contribution_years,
            "monthly_pension_fen": e.monthly_pension.fen if e and e.monthly_pension is not None else None}


def registered_event(psn_no: str, app: HouseholdApplication, plan: MemberPlan, household_id: str,
                     pack_id: str) -> PersonRegistered:
    e = plan.employee
    return PersonRegistered(
        psn_no=psn_no, certno=plan.certno, psn_name=plan.psn_name, gend=plan.gend, brdy=plan.brdy,
        admdvs=app.admdvs, insutype=app.insutype, year=app.year, household_id=household_id,
        category=plan.category, tier=app.tier if app.insutype == RESIDENT_SCHEME else None,
        enrollment_kind=plan.kind.value, premium_due=plan.premium_due, on_behalf_due=plan.on_behalf_due,
        pack_id=pack_id, ssc_no=plan.ssc_no, employee_kind=e and e.kind.value, employer_code=e and e.employer_code,
        contribution_years=e and e.contribution_years, monthly_pension=e and e.monthly_pension)


async def _refuse_duplicates(uow: UnitOfWork, app: HouseholdApplication, plans: list[MemberPlan], actor: str) -> None:
    """One live scheme per person and year; joining the employee scheme ends the resident enrollment."""
    live = {row.certno: row for row in await uow.repo.live_enrollments([p.certno for p in plans], app.year)}
    for index, plan in enumerate(plans):
        existing = live.get(plan.certno)
        if existing is None:
            continue
        if app.insutype == EMPLOYEE_SCHEME and existing.insutype == RESIDENT_SCHEME:
            await terminate_enrollment(uow, existing, app.enrolled_on, TerminationReason.EMPLOYEE_SCHEME, actor,
                                       "joined the employee scheme")
            continue
        raise duplicate(index, existing.insutype)


def duplicate(index: int, insutype: str) -> Conflict:
    return Conflict("duplicate_enrollment", f"already enrolled for this year (scheme {insutype})",
                    f"members.{index}.certno")

