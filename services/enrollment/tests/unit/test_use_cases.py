"""Enrollment's ``app/`` use cases against ``FakeUnitOfWork``: state, events, idempotency and refusals."""

from datetime import date, datetime

import pytest
from enrollment_fakes import FakeUnitOfWork, activate
from idnumbers import make_certno

from medfund_enrollment.app.lifecycle import ChangeCoverage, suspend
from medfund_enrollment.app.population import SetEligiblePopulation, set_eligible_population
from medfund_enrollment.app.registration import RegisterHousehold, register_household
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.enrollment import CoverageSuspended, PersonRegistered
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Kind, Refusal

PACK_SET = PackSet.load()
ADULT = MemberApplication(make_certno(date(1980, 4, 4), 31, region="500240"), "王五", "1", date(1980, 4, 4),
                          ("adult",))


def application(admdvs: str = "500240", member: MemberApplication = ADULT) -> HouseholdApplication:
    return HouseholdApplication(admdvs, "390", 2026, "tier1", (member,), date(2025, 10, 10))


def keyed(app: HouseholdApplication, key: str = "k-1") -> RegisterHousehold:
    request = IdempotentRequest.of("enrollments", key, {"admdvs": app.admdvs, "members": [app.members[0].certno]},
                                   success_status=201)
    return RegisterHousehold(app, "operator-7", request)


async def test_a_registration_stores_the_member_and_commits_its_event_once():
    uow = FakeUnitOfWork()
    reply = await register_household(keyed(application()), uow, PACK_SET)
    # Shizhu 2026, tier 1, adult: the pack's individual premium 140.00; nothing paid yet, so no cover
    assert [(m["premium_due"], m["status"]) for m in reply["members"]] == [("140.00", "registered")]
    assert uow.commits == 1
    [(event, at)] = uow.events
    assert isinstance(event, PersonRegistered) and event.certno == ADULT.certno and event.household_id == reply[
        "household_id"]
    assert at == datetime(2025, 10, 10, tzinfo=CHINA_TIME)


async def test_a_retry_with_the_key_replays_the_first_answer_and_changes_nothing():
    uow = FakeUnitOfWork()
    first = await register_household(keyed(application()), uow, PACK_SET)
    again = await register_household(keyed(application()), uow, PACK_SET)
    assert again == first
    assert (len(uow.events), len(uow.repo.enrollments), uow.commits) == (1, 1, 1)


async def test_the_key_with_other_content_is_refused_as_a_conflict():
    uow = FakeUnitOfWork()
    await register_household(keyed(application()), uow, PACK_SET)
    other = MemberApplication(make_certno(date(1981, 4, 4), 33, region="500240"), "赵六", "1", date(1981, 4, 4),
                              ("adult",))
    with pytest.raises(Refusal) as refused:
        await register_household(keyed(application(member=other)), uow, PACK_SET)
    assert (refused.value.code, refused.value.kind) == ("idempotency_key_reused", Kind.CONFLICT)
    assert len(uow.events) == 1


async def test_no_pack_in_force_is_no_policy_pack_and_leaves_the_key_free():
    uow = FakeUnitOfWork()
    with pytest.raises(Refusal) as refused:
        await register_household(keyed(application(admdvs="999999")), uow, PACK_SET)
    assert (refused.value.code, refused.value.field, refused.value.status) == ("no_policy_pack", "admdvs", 422)
    assert (uow.events, uow.repo.enrollments, uow.commits) == ([], [], 0)
    assert await uow.idempotency.claim(keyed(application(admdvs="999999")).idempotency) is None


async def test_the_same_person_twice_in_a_year_is_a_duplicate():
    uow = FakeUnitOfWork()
    await register_household(keyed(application(), "k-1"), uow, PACK_SET)
    with pytest.raises(Refusal) as refused:
        await register_household(keyed(application(), "k-2"), uow, PACK_SET)
    assert (refused.value.code, refused.value.status) == ("duplicate_enrollment", 409)
    assert len(uow.events) == 1


async def test_a_suspension_cuts_the_active_period_and_emits_its_event():
    uow = FakeUnitOfWork()
    reply = await register_household(keyed(application()), uow, PACK_SET)
    psn_no = reply["members"][0]["psn_no"]
    activate(uow.repo, 1, date(2026, 1, 1), date(2026, 12, 31))
    answer = await suspend(ChangeCoverage(psn_no, "390", 2026, date(2026, 6, 1), "operator-7", "moved_away"), uow)
    assert answer["status"] == "suspended"
    assert [(p["starts"], p["ends"], p["status"]) for p in uow.repo.periods] == [
        (date(2026, 1, 1), date(2026, 5, 31), "active"), (date(2026, 6, 1), date(2026, 12, 31), "suspended")]
    event, at = uow.events[-1]
    assert isinstance(event, CoverageSuspended) and (event.since, event.reason) == (date(2026, 6, 1), "moved_away")
    assert at == datetime(2026, 6, 1, tzinfo=CHINA_TIME)


async def test_a_negative_population_is_refused_and_nothing_is_committed():
    uow = FakeUnitOfWork()
    with pytest.raises(Refusal) as refused:
        await set_eligible_population(SetEligiblePopulation("500240", 2026, -1, "operator-7",
                                                            datetime(2026, 1, 1, tzinfo=CHINA_TIME)), uow)
    assert refused.value.field == "eligible"
    assert (uow.repo.eligible_population, uow.commits) == ({}, 0)
