"""Renew a person or a household for the next year without re-entering the household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_enrollment.adapters.uow import UnitOfWork, broke_a_rule
from medfund_enrollment.app.common import pack_for
from medfund_enrollment.app.registration import duplicate, enroll_member
from medfund_enrollment.domain.errors import Conflict, InvalidRequest, NotFound
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication, plan_household
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.pack_set import PackSet


@dataclass(frozen=True)
class Renew:
    """Renew ``psn_no`` alone, or every member of ``household_id``, for ``year``."""

    year: int
    enrolled_on: date
    actor: str
    psn_no: str | None = None
    household_id: str | None = None
    tier: str | None = None
    """A new tier for the household; by default the one it had the year before."""
    idempotency: IdempotentRequest | None = None


async def renew(cmd: Renew, uow: UnitOfWork, pack_set: PackSet) -> dict:
    """Premiums recomputed from the new year's pack; the household keeps its id."""
    async with uow:
        if (first := await uow.idempotency.claim(cmd.idempotency)) is not None:
            return first.body
        previous = await _previous_enrollments(cmd, uow)
        head = previous[0]
        current = await uow.repo.enrollments_of_household(head.household_id, cmd.year)
        tier = cmd.tier or (current[0].tier if current else head.tier)
        app = HouseholdApplication(head.admdvs, head.insutype, cmd.year, tier, tuple(
            [await _member(uow, row) for row in previous]), cmd.enrolled_on)
        pack = pack_for(pack_set, app.admdvs, app.insutype, app.year)
        plans = plan_household(pack, app, frozenset(row.certno for row in previous))
        live = {row.certno for row in await uow.repo.live_enrollments([p.certno for p in plans], cmd.year)}
        for index, plan in enumerate(plans):
            if plan.certno in live:
                raise duplicate(index, app.insutype)
        try:
            members = [await enroll_member(uow, pack, app, plan, head.household_id) for plan in plans]
            reply = {"household_id": head.household_id, "year": cmd.year, "members": members}
            await uow.idempotency.remember(cmd.idempotency, reply)
            await uow.commit()
        except Exception as error:
            if not broke_a_rule(error):
                raise
            raise Conflict("duplicate_enrollment", "already enrolled for this year (renewed concurrently)",
                           "year") from None
        return reply


async def _previous_enrollments(cmd: Renew, uow: UnitOfWork):
    if cmd.psn_no is not None:
        rows = [r for r in await uow.repo.enrollments_of_person(cmd.psn_no)
                if r.year == cmd.year - 1 and r.status != "terminated"]
    else:
        rows = await uow.repo.enrollments_of_household(cmd.household_id, cmd.year - 1)
    if not rows:
        raise NotFound("nothing_to_renew", f"no live enrollment in {cmd.year - 1} to renew", "year")
    if len({row.insutype for row in rows}) != 1:
        raise InvalidRequest("mixed_schemes", "renew one scheme at a time", "year")
    return rows


async def _member(uow: UnitOfWork, row) -> MemberApplication:
    person = await uow.repo.person(row.psn_no)
    return MemberApplication(person.certno, person.psn_name, person.gend, person.brdy, tuple(row.categories),
                             ssc_no=person.ssc_no)
