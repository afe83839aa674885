"""Read views: a person with coverage periods, a household, statistics, the audit trail."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.domain.errors import NotFound
from medfund_shared.money import Money

RATE_PLACES = Decimal("0.0001")


async def person_view(uow: UnitOfWork, psn_no: str) -> dict:
    person = await uow.repo.person(psn_no)
    if person is None:
        raise NotFound("not_found", f"no person {psn_no}", "psn_no")
    enrollments = await uow.repo.enrollments_of_person(psn_no)
    latest = enrollments[-1] if enrollments else None
    return {
        "psn_no": person.psn_no, "certno": person.certno, "psn_name": person.psn_name, "gend": person.gend,
        "brdy": person.brdy.isoformat(), "ssc_no": person.ssc_no,
        "category": latest.category if latest else None, "tier": latest.tier if latest else None,
        "enrollments": [_enrollment(row) for row in enrollments],
        "coverage": [{"insutype": p.insutype, "year": p.year, "from": p.starts.isoformat(), "to": p.ends.isoformat(),
                      "status": p.status} for p in await uow.repo.periods_of_person(psn_no)],
    }


async def person_by_certno(uow: UnitOfWork, certno: str) -> dict:
    person = await uow.repo.person_by_certno(certno.strip().upper())
    if person is None:
        raise NotFound("not_found", "no person with this certno", "certno")
    return await person_view(uow, person.psn_no)


async def household_view(uow: UnitOfWork, household_id: str) -> dict:
    household = await uow.repo.household(household_id)
    if household is None:
        raise NotFound("not_found", f"no household {household_id}", "household_id")
    rows = await uow.repo.enrollments_of_household(household_id)
    return {"household_id": household_id, "admdvs": household.admdvs, "household_key": household.household_key,
            "members": [_enrollment(row) for row in rows]}


async def audit_view(uow: UnitOfWork, psn_no: str) -> dict:
    if await uow.repo.person(psn_no) is None:
        raise NotFound("not_found", f"no person {psn_no}", "psn_no")
    return {"psn_no": psn_no, "entries": [
        {"action": r.action, "actor": r.actor, "effective_on": r.effective_on.isoformat(), "reason": r.reason,
         "note": r.note, "recorded_at": r.recorded_at.isoformat()} for r in await uow.repo.audit_of_person(psn_no)]}


async def statistics(uow: UnitOfWork, admdvs: str, year: int) -> dict:
    """Enrolled (not terminated) and insured (cover active) by category; 参保率 = insured ÷ eligible."""
    counts = await uow.repo.counts_by_category(admdvs, year)
    by_category: dict[str, dict[str, int]] = {}
    for (category, status), count in sorted(counts.items()):
        entry = by_category.setdefault(category, {"enrolled": 0, "insured": 0})
        if status != "terminated":
            entry["enrolled"] += count
        if status == "active":
            entry["insured"] += count
    enrolled = sum(e["enrolled"] for e in by_category.values())
    insured = sum(e["insured"] for e in by_category.values())
    eligible = await uow.repo.eligible(admdvs, year)
    rate = (str((Decimal(insured) / Decimal(eligible)).quantize(RATE_PLACES, ROUND_HALF_UP))
            if eligible else None)
    return {"admdvs": admdvs, "year": year, "enrolled": enrolled, "insured": insured, "eligible": eligible,
            "coverage_rate": rate, "by_category": by_category}


def _enrollment(row) -> dict:
    return {"psn_no": row.psn_no, "certno": row.certno, "household_id": row.household_id, "admdvs": row.admdvs,
            "insutype": row.insutype, "year": row.year, "tier": row.tier, "category": row.category,
            "categories": row.categories, "enrollment_kind": row.kind, "status": row.status,
            "premium_due": Money(row.premium_due_fen).to_yuan(),
            "on_behalf_due": Money(row.on_behalf_due_fen).to_yuan(), "pack_id": row.pack_id,
            "paid_at": row.paid_at.isoformat() if row.paid_at else None, "refusal": _refusal(row),
            "employee": _employee(row)}


def _employee(row) -> dict | None:
    """Who the person is in the employee scheme (310); ``None`` in 390."""
    if row.employee_kind is None:
        return None
    pension = Money(row.monthly_pension_fen).to_yuan() if row.monthly_pension_fen is not None else None
    return {"kind": row.employee_kind, "employer_code": row.employer_code,
            "contribution_years": row.contribution_years, "monthly_pension": pension}


def _refusal(row) -> dict | None:
    """Why the payment recorded for this enrollment bought no cover (``coverage.refused.v1``)."""
    if row.refusal is None:
        return None
    return {"reason": row.refusal_reason, "message": row.refusal, "paid_at": row.paid_at.isoformat()}
