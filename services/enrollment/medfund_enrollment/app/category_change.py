"""Change a resident's categories for a year: the most favourable wins and the premium is recomputed.

Billing consumes ``person.category_changed`` to move what is due (and pays any new government share);
cover follows from billing's ``premium.paid_in_full`` as for any payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.domain.categories import parse_categories
from medfund_enrollment.domain.errors import InvalidRequest, NotFound
from medfund_enrollment.domain.household import price_member
from medfund_shared.china_time import start_of
from medfund_shared.events.types.enrollment import CategoryChanged
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.schemes import RESIDENT_SCHEME


@dataclass(frozen=True)
class ChangeCategory:
    psn_no: str
    year: int
    categories: tuple[str, ...]
    reason: str
    actor: str
    changed_on: date
    """The business date of the change (the event's effective time)."""
    idempotency: IdempotentRequest | None = None


async def change_category(cmd: ChangeCategory, uow: UnitOfWork, pack_set: PackSet) -> dict:
    """The new primary category and dues; the same categories again change nothing and emit nothing."""
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        enrollment = await uow.repo.enrollment_for_update(cmd.psn_no, cmd.year, RESIDENT_SCHEME)
        if enrollment is None:
            raise NotFound("not_enrolled", f"{cmd.psn_no} has no live resident enrollment for {cmd.year}", "psn_no")
        pack = pack_set.get(enrollment.pack_id)
        _check_date(cmd.changed_on, enrollment.enrolled_on, pack.coverage.resident.insurance_year(cmd.year)[1])
        person = await uow.repo.person(cmd.psn_no)
        priced = price_member(pack, person.brdy, parse_categories(cmd.categories, "categories"), enrollment.tier,
                              cmd.year, enrollment.enrolled_on, "categories")
        changed = (priced.category, list(priced.categories), priced.premium_due.fen, priced.on_behalf_due.fen) != (
            enrollment.category, list(enrollment.categories), enrollment.premium_due_fen, enrollment.on_behalf_due_fen)
        if changed:
            await uow.repo.set_enrollment(enrollment.id, category=priced.category, categories=list(priced.categories),
                                          premium_due_fen=priced.premium_due.fen,
                                          on_behalf_due_fen=priced.on_behalf_due.fen)
            await uow.repo.audit(psn_no=cmd.psn_no, enrollment_id=enrollment.id, action="category_changed",
                                 actor=cmd.actor, effective_on=cmd.changed_on, reason=cmd.reason,
                                 note=f"{enrollment.category} → {priced.category}")
            await uow.emit(CategoryChanged(
                psn_no=cmd.psn_no, year=cmd.year, category=priced.category, tier=enrollment.tier,
                premium_due=priced.premium_due, on_behalf_due=priced.on_behalf_due, reason=cmd.reason, actor=cmd.actor),
                start_of(cmd.changed_on))
        reply = {"psn_no": cmd.psn_no, "year": cmd.year, "changed": changed, "previous_category": enrollment.category,
                 "category": priced.category, "categories": list(priced.categories), "tier": enrollment.tier,
                 "premium_due": priced.premium_due.to_yuan(), "on_behalf_due": priced.on_behalf_due.to_yuan(),
                 "previous_premium_due": Money(enrollment.premium_due_fen).to_yuan(), "status": enrollment.status,
                 "changed_on": cmd.changed_on.isoformat(), "reason": cmd.reason, "actor": cmd.actor}
        await uow.idempotency.remember(cmd.idempotency, reply)
        await uow.commit()
        return reply


def _check_date(changed_on: date, enrolled_on: date, year_ends: date) -> None:
    if not enrolled_on <= changed_on <= year_ends:
        raise InvalidRequest("invalid_date", f"changed_on must fall between the registration on {enrolled_on} "
                                             f"and the end of the insurance year on {year_ends}", "changed_on")
