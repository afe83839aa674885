"""Writing the accepted lines of a chunk set-based: each table and the outbox in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.app.lifecycle import refused_event
from medfund_enrollment.app.registration import employee_columns, registered_event
from medfund_enrollment.domain.household import HouseholdApplication, MemberPlan
from medfund_enrollment.domain.lifecycle import Cover, Status
from medfund_shared.china_time import start_of
from medfund_shared.events.types.enrollment import CoverageActivated
from medfund_shared.events.types.enrollment import CoverageRefused as CoverageRefusedEvent
from medfund_shared.policy.coverage import CoverageRefused
from medfund_shared.schemes import RESIDENT_SCHEME


@dataclass(frozen=True)
class Registration:
    """An accepted line: the member as planned, their household, and the cover owed at once if nothing is due."""

    application: HouseholdApplication
    plan: MemberPlan
    household_id: str
    pack_id: str
    cover: Cover | CoverageRefused | None = None

    @property
    def key(self) -> tuple[str, int]:
        return self.plan.certno, self.application.year

    @property
    def tier(self) -> str | None:
        return self.application.tier if self.application.insutype == RESIDENT_SCHEME else None


@dataclass(frozen=True)
class NewHousehold:
    household_id: str
    admdvs: str
    household_key: str


async def write_registrations(uow: UnitOfWork, registrations: list[Registration],
                              new_households: list[NewHousehold]) -> None:
    """The same rows and events as registering each line on its own, in a few round trips."""
    await uow.bulk.add_households([vars(h) for h in new_households])
    psn_nos = await uow.bulk.ensure_persons([
        {"certno": r.plan.certno, "psn_name": r.plan.psn_name, "gend": r.plan.gend, "brdy": r.plan.brdy,
         "ssc_no": r.plan.ssc_no}
        for r in registrations])
    ids = await uow.bulk.add_enrollments([_enrollment_row(r, psn_nos[r.plan.certno]) for r in registrations])
    covered = [r for r in registrations if isinstance(r.cover, Cover)]
    refused = [r for r in registrations if isinstance(r.cover, CoverageRefused)]
    await uow.bulk.add_periods([
        {"enrollment_id": ids[r.key], "psn_no": psn_nos[r.plan.certno], "insutype": r.application.insutype,
         "year": r.application.year, "starts": r.cover.starts, "ends": r.cover.ends, "status": Status.ACTIVE.value}
        for r in covered])
    await uow.bulk.add_audit([
        {"psn_no": psn_nos[r.plan.certno], "enrollment_id": ids[r.key], "action": "activated",
         "actor": "billing", "effective_on": r.cover.starts, "reason": r.cover.rule} for r in covered]
        + [{"psn_no": psn_nos[r.plan.certno], "enrollment_id": ids[r.key], "action": "cover_refused",
            "actor": "billing", "effective_on": r.application.enrolled_on, "reason": r.cover.reason.value,
            "note": r.cover.message} for r in refused])
    await uow.emit_all(
        [(registered_event(psn_nos[r.plan.certno], r.application, r.plan, r.household_id, r.pack_id),
          start_of(r.application.enrolled_on)) for r in registrations]
        + [(_activated_event(r, psn_nos[r.plan.certno]), start_of(r.application.enrolled_on)) for r in covered]
        + [(_refused_event(r, psn_nos[r.plan.certno]), start_of(r.application.enrolled_on)) for r in refused])


def _enrollment_row(r: Registration, psn_no: str) -> dict:
    app, plan = r.application, r.plan
    row = {"psn_no": psn_no, "certno": plan.certno, "household_id": r.household_id, "admdvs": app.admdvs,
           "insutype": app.insutype, "year": app.year, "tier": r.tier, "category": plan.category,
           "categories": list(plan.categories), "kind": plan.kind.value, "premium_due_fen": plan.premium_due.fen,
           "on_behalf_due_fen": plan.on_behalf_due.fen, "pack_id": r.pack_id, "enrolled_on": app.enrolled_on,
           "event_date": plan.event_date, "status": Status.REGISTERED.value, "paid_at": None, "refusal": None,
           "refusal_reason": None, **employee_columns(plan)}
    if isinstance(r.cover, Cover):
        row |= {"status": Status.ACTIVE.value, "paid_at": start_of(app.enrolled_on)}
    elif isinstance(r.cover, CoverageRefused):
        row |= {"paid_at": start_of(app.enrolled_on), "refusal": r.cover.message,
                "refusal_reason": r.cover.reason.value}
    return row


def _activated_event(r: Registration, psn_no: str) -> CoverageActivated:
    app, plan = r.application, r.plan
    return CoverageActivated(
        psn_no=psn_no, certno=plan.certno, admdvs=app.admdvs, insutype=app.insutype, year=app.year,
        category=plan.category, tier=r.tier, coverage_from=r.cover.starts, coverage_to=r.cover.ends, brdy=plan.brdy,
        gend=plan.gend, psn_name=plan.psn_name, trigger=r.cover.trigger, pack_id=r.pack_id)


def _refused_event(r: Registration, psn_no: str) -> CoverageRefusedEvent:
    app = r.application
    return refused_event(psn_no, r.plan.certno, app.admdvs, app.insutype, app.year, r.pack_id, r.cover,
                         start_of(app.enrolled_on), "registration")
