"""The cover lifecycle (payment, withdrawal, reinstatement, termination) and renewal against ``FakeUnitOfWork``.

Expected figures from the Shizhu 2026 pack by hand: the resident window for 2026 runs 2025-09-01..12-31, so a
premium paid in it buys 2026-01-01..12-31; the tier-1 adult premium is 140.00.
"""

from datetime import date, datetime

import pytest
from enrollment_fakes import FakeUnitOfWork, activate
from idnumbers import make_certno

from medfund_enrollment.app.lifecycle import (
    ChangeCoverage,
    RecordFullPayment,
    WithdrawCover,
    record_full_payment,
    reinstate,
    terminate,
    withdraw_cover,
)
from medfund_enrollment.app.registration import RegisterHousehold, register_household
from medfund_enrollment.app.renewal import Renew, renew
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication
from medfund_enrollment.domain.lifecycle import Status
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.enrollment import (
    CoverageActivated,
    CoverageRefused,
    CoverageReinstated,
    CoverageSuspended,
    CoverageTerminated,
    PersonRegistered,
)
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Kind, Refusal

PACK_SET = PackSet.load()
ADULT = MemberApplication(make_certno(date(1975, 2, 3), 51, region="500240"), "李四", "1", date(1975, 2, 3),
                          ("adult",))


async def registered(uow: FakeUnitOfWork) -> str:
    """Register the adult for 2026 (Shizhu, tier 1) and return the person's number."""
    app = HouseholdApplication("500240", "390", 2026, "tier1", (ADULT,), date(2025, 10, 10))
    reply = await register_household(RegisterHousehold(app, "operator-7"), uow, PACK_SET)
    return reply["members"][0]["psn_no"]


def paid(psn_no: str, on: datetime) -> RecordFullPayment:
    return RecordFullPayment(psn_no, "390", 2026, on, on_behalf=False)


async def test_a_premium_paid_in_the_window_activates_the_whole_year_once():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    paid_at = datetime(2025, 11, 20, 9, 30, tzinfo=CHINA_TIME)
    assert await record_full_payment(paid(psn_no, paid_at), uow, PACK_SET) is Status.ACTIVE
    assert await record_full_payment(paid(psn_no, paid_at), uow, PACK_SET) is Status.ACTIVE
    assert [(p["starts"], p["ends"], p["status"]) for p in uow.repo.periods] == [
        (date(2026, 1, 1), date(2026, 12, 31), "active")]
    event, at = uow.events[-1]
    assert isinstance(event, CoverageActivated) and (event.coverage_from, event.coverage_to, event.trigger) == (
        date(2026, 1, 1), date(2026, 12, 31), "payment")
    assert at == paid_at
    assert len(uow.events) == 2 and [a["action"] for a in uow.repo.audit_trail] == ["activated"]


async def test_a_premium_paid_before_the_window_is_kept_without_cover_and_the_refusal_published():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    paid_at = datetime(2025, 8, 15, tzinfo=CHINA_TIME)
    assert await record_full_payment(paid(psn_no, paid_at), uow, PACK_SET) is Status.REGISTERED
    [enrollment] = uow.repo.enrollments
    assert (enrollment["status"], enrollment["refusal_reason"], enrollment["paid_at"]) == (
        "registered", "paid_before_window", paid_at)
    event, _ = uow.events[-1]
    assert isinstance(event, CoverageRefused) and (event.reason, event.trigger) == ("paid_before_window", "payment")
    assert uow.repo.periods == []


async def test_a_payment_for_a_person_not_enrolled_is_refused_and_commits_nothing():
    uow = FakeUnitOfWork()
    with pytest.raises(Refusal) as refused:
        await record_full_payment(paid("P99999999", datetime(2025, 11, 20, tzinfo=CHINA_TIME)), uow, PACK_SET)
    assert (refused.value.code, refused.value.status) == ("not_enrolled", 404)
    assert (uow.events, uow.commits) == ([], 0)


async def test_a_withdrawn_premium_suspends_and_only_paying_it_again_restores_the_cover():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    activate(uow.repo, 1, date(2026, 1, 1), date(2026, 12, 31))
    async with uow:
        assert await withdraw_cover(WithdrawCover(psn_no, "390", 2026, date(2026, 3, 1), "refund"), uow) \
            is Status.SUSPENDED
    suspended, _ = uow.events[-1]
    assert isinstance(suspended, CoverageSuspended) and (suspended.since, suspended.reason, suspended.actor) == (
        date(2026, 3, 1), "premium_withdrawn", "billing")
    with pytest.raises(Refusal) as refused:
        await reinstate(ChangeCoverage(psn_no, "390", 2026, date(2026, 3, 10), "operator-7"), uow)
    assert (refused.value.code, refused.value.kind) == ("premium_unpaid", Kind.CONFLICT)
    repaid_at = datetime(2026, 4, 2, 15, 0, tzinfo=CHINA_TIME)
    assert await record_full_payment(paid(psn_no, repaid_at), uow, PACK_SET) is Status.ACTIVE
    assert [(p["starts"], p["ends"], p["status"]) for p in uow.repo.periods] == [
        (date(2026, 1, 1), date(2026, 2, 28), "active"), (date(2026, 3, 1), date(2026, 4, 1), "suspended"),
        (date(2026, 4, 2), date(2026, 12, 31), "active")]
    reinstated, at = uow.events[-1]
    assert isinstance(reinstated, CoverageReinstated) and reinstated.since == date(2026, 4, 2)
    assert at == datetime(2026, 4, 2, tzinfo=CHINA_TIME)


async def test_a_termination_on_death_keeps_the_day_of_death_covered_and_replays_with_its_key():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    activate(uow.repo, 1, date(2026, 1, 1), date(2026, 12, 31))
    key = IdempotentRequest.of(f"terminate:{psn_no}", "t-1", {"on": "2026-08-15", "reason": "death"})
    cmd = ChangeCoverage(psn_no, "390", 2026, date(2026, 8, 15), "operator-7", "death", idempotency=key)
    first = await terminate(cmd, uow)
    assert await terminate(cmd, uow) == first
    assert (first["status"], first["action"], first["date"]) == ("terminated", "terminated", "2026-08-15")
    assert [(p["starts"], p["ends"], p["status"]) for p in uow.repo.periods] == [
        (date(2026, 1, 1), date(2026, 8, 15), "terminated")]
    assert [type(e) for e, _ in uow.events].count(CoverageTerminated) == 1


async def test_a_renewal_registers_the_next_year_in_the_same_household_as_a_renewal():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    activate(uow.repo, 1, date(2026, 1, 1), date(2026, 12, 31))
    household_id = uow.repo.enrollments[0]["household_id"]
    reply = await renew(Renew(2027, date(2026, 10, 1), "operator-7", psn_no=psn_no), uow, PACK_SET)
    assert reply["household_id"] == household_id and reply["year"] == 2027
    assert [(m["psn_no"], m["status"], m["premium_due"], m["enrollment_kind"]) for m in reply["members"]] == [
        (psn_no, "registered", "140.00", "renewal")]
    event, at = uow.events[-1]
    assert isinstance(event, PersonRegistered) and (event.year, event.tier) == (2027, "tier1")
    assert at == datetime(2026, 10, 1, tzinfo=CHINA_TIME)


async def test_a_second_renewal_of_the_year_is_a_duplicate_and_a_year_without_enrollment_has_nothing_to_renew():
    uow = FakeUnitOfWork()
    psn_no = await registered(uow)
    await renew(Renew(2027, date(2026, 10, 1), "operator-7", psn_no=psn_no), uow, PACK_SET)
    with pytest.raises(Refusal) as duplicate:
        await renew(Renew(2027, date(2026, 10, 2), "operator-7", psn_no=psn_no), uow, PACK_SET)
    assert (duplicate.value.code, duplicate.value.status) == ("duplicate_enrollment", 409)
    with pytest.raises(Refusal) as nothing:
        await renew(Renew(2029, date(2028, 10, 1), "operator-7", psn_no=psn_no), uow, PACK_SET)
    assert (nothing.value.code, nothing.value.field, nothing.value.status) == ("nothing_to_renew", "year", 404)
    assert len(uow.repo.enrollments) == 2
