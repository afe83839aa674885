from datetime import date

import pytest

from medfund_enrollment.domain.errors import Conflict
from medfund_enrollment.domain.household import Kind
from medfund_enrollment.domain.lifecycle import (
    Status,
    TerminationReason,
    check_can_reinstate,
    cover_for_payment,
    last_covered_day,
)
from medfund_shared.policy.coverage import CoverageRefused
from medfund_shared.policy.pack_set import PackSet

PACK_SET = PackSet.load()
SHIZHU = PACK_SET.in_force("500240", "390", date(2026, 1, 1))
CHAOYANG = PACK_SET.in_force("211302", "390", date(2026, 1, 1))
ADULT = date(1980, 1, 1)


def cover(pack, paid_on, kind=Kind.RENEWAL, brdy=ADULT, **extra):
    return cover_for_payment(pack, year=2026, kind=kind, brdy=brdy, paid_on=paid_on,
                             on_behalf=False, **extra)


@pytest.mark.parametrize(("pack", "paid_on", "kind", "starts"), [
    (SHIZHU, date(2025, 11, 3), Kind.NEW, date(2026, 1, 1)),
    (SHIZHU, date(2026, 1, 20), Kind.RENEWAL, date(2026, 2, 1)),
    (SHIZHU, date(2026, 2, 28), Kind.RENEWAL, date(2026, 3, 1)),
    (SHIZHU, date(2026, 3, 1), Kind.RENEWAL, date(2026, 5, 30)),
    (CHAOYANG, date(2025, 12, 1), Kind.RENEWAL, date(2026, 1, 1)),
    (CHAOYANG, date(2025, 12, 20), Kind.NEW, date(2026, 1, 19)),
    (CHAOYANG, date(2026, 2, 10), Kind.RENEWAL, date(2026, 3, 12)),
])
def test_the_first_day_of_cover_follows_the_regions_pack(pack, paid_on, kind, starts):
    result = cover(pack, paid_on, kind)
    assert (result.starts, result.ends, result.trigger) == (starts, date(2026, 12, 31), "payment")


@pytest.mark.parametrize("pack", [SHIZHU, CHAOYANG])
def test_a_newborn_enrolled_within_the_days_is_covered_from_birth(pack):
    result = cover(pack, date(2026, 6, 20), Kind.NEWBORN, brdy=date(2026, 4, 1))
    assert (result.starts, result.trigger) == (date(2026, 4, 1), "newborn")


def test_a_renewal_after_more_than_a_year_without_cover_waits_like_a_new_enrollee():
    result = cover(CHAOYANG, date(2025, 12, 20), previous_coverage_end=date(2024, 12, 15))
    assert (result.starts, result.rule) == (date(2026, 1, 19), "new_enrollee_wait")


def test_a_payment_after_the_year_ended_buys_nothing():
    assert isinstance(cover(SHIZHU, date(2027, 1, 2)), CoverageRefused)


def test_death_keeps_the_day_of_death_covered_and_a_move_does_not():
    assert last_covered_day(date(2026, 5, 5), TerminationReason.DEATH) == date(2026, 5, 5)
    assert last_covered_day(date(2026, 5, 5), TerminationReason.MOVED_AWAY) == date(2026, 5, 4)


def test_only_the_premium_paid_again_lifts_a_refunds_withdrawal_of_cover():
    with pytest.raises(Conflict) as refused:
        check_can_reinstate(Status.SUSPENDED, date(2029, 5, 1), date(2029, 3, 1), 2029, premium_withdrawn=True)
    assert refused.value.code == "premium_unpaid"
    check_can_reinstate(Status.SUSPENDED, date(2029, 5, 1), date(2029, 3, 1), 2029)
