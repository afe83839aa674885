"""Coverage periods of the shipped packs, with the edge dates of every rule."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medfund_shared.policy.coverage import (
    CoverageInputError,
    CoveragePeriod,
    CoverageRefused,
    CoverageRequest,
    CoverageRule,
    EnrollmentKind,
    Refusal,
    resident_coverage,
)
from medfund_shared.policy.loader import load_pack

PACKS = Path(str(resources.files("medfund_shared.policy") / "packs"))
CHAOYANG = load_pack(PACKS / "211302-390-2015-01-01.yaml")
PINGYANG = load_pack(PACKS / "330326-390-2019-01-01.yaml")
SHIZHU = load_pack(PACKS / "500240-390-2026-01-01.yaml")
ZHENJIANG = load_pack(PACKS / "321100-310-2013-01-01.yaml")

NEW, RENEWAL = EnrollmentKind.NEW, EnrollmentKind.RENEWAL
JOINER, NEWBORN = EnrollmentKind.MID_YEAR_JOINER, EnrollmentKind.NEWBORN
ADULT_BIRTH = date(1980, 5, 5)


def cover(pack, year, kind, paid, *, birth=ADULT_BIRTH, event=None, previous_end=None):
    return resident_coverage(pack, CoverageRequest(year, kind, paid, birth, event, previous_end))


def period(starts: date, rule: CoverageRule, kind: EnrollmentKind, ends: date) -> CoveragePeriod:
    return CoveragePeriod(starts=starts, ends=ends, rule=rule, treated_as=kind)


def refusal_of(decision) -> Refusal:
    assert isinstance(decision, CoverageRefused), decision
    return decision.reason


END_2015 = date(2015, 12, 31)


@pytest.mark.parametrize(("kind", "paid", "expected"), [
    (RENEWAL, date(2014, 10, 1), period(date(2015, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2015)),
    (RENEWAL, date(2014, 12, 31), period(date(2015, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2015)),
    (RENEWAL, date(2015, 1, 1), period(date(2015, 1, 31), CoverageRule.LATE_WAIT, RENEWAL, END_2015)),
    (RENEWAL, date(2015, 12, 1), period(date(2015, 12, 31), CoverageRule.LATE_WAIT, RENEWAL, END_2015)),
    (NEW, date(2014, 11, 1), period(date(2015, 1, 1), CoverageRule.NEW_ENROLLEE_WAIT, NEW, END_2015)),
    (NEW, date(2014, 12, 15), period(date(2015, 1, 14), CoverageRule.NEW_ENROLLEE_WAIT, NEW, END_2015)),
    (NEW, date(2015, 6, 1), period(date(2015, 7, 1), CoverageRule.NEW_ENROLLEE_WAIT, NEW, END_2015)),
])
def test_chaoyang_window_and_thirty_day_waits(kind, paid, expected):
    assert cover(CHAOYANG, 2015, kind, paid) == expected


@pytest.mark.parametrize(("kind", "paid", "reason"), [
    (RENEWAL, date(2014, 9, 30), Refusal.PAID_BEFORE_WINDOW),
    (RENEWAL, date(2016, 1, 1), Refusal.PAID_AFTER_YEAR_END),
    (RENEWAL, date(2015, 12, 2), Refusal.WAIT_ENDS_AFTER_YEAR_END),
    (NEW, date(2015, 12, 2), Refusal.WAIT_ENDS_AFTER_YEAR_END),
])
def test_chaoyang_refusals(kind, paid, reason):
    assert refusal_of(cover(CHAOYANG, 2015, kind, paid)) is reason


@pytest.mark.parametrize(("previous_end", "expected"), [
    (date(2013, 12, 15), period(date(2015, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2015)),
    (date(2013, 12, 14), period(date(2015, 1, 14), CoverageRule.NEW_ENROLLEE_WAIT, NEW, END_2015)),
])
def test_chaoyang_renewal_after_a_gap_of_more_than_365_days_is_a_new_enrollment(previous_end, expected):
    assert cover(CHAOYANG, 2015, RENEWAL, date(2014, 12, 15), previous_end=previous_end) == expected


@pytest.mark.parametrize(("days_after_birth", "expected"), [
    (0, period(date(2015, 3, 10), CoverageRule.NEWBORN, NEWBORN, END_2015)),
    (90, period(date(2015, 3, 10), CoverageRule.NEWBORN, NEWBORN, END_2015)),
    (91, period(date(2015, 7, 9), CoverageRule.NEW_ENROLLEE_WAIT, NEW, END_2015)),
])
def test_chaoyang_newborn_within_ninety_days_is_covered_from_birth(days_after_birth, expected):
    birth = date(2015, 3, 10)
    assert cover(CHAOYANG, 2015, NEWBORN, birth + timedelta(days=days_after_birth), birth=birth) == expected


def test_a_newborn_cannot_be_paid_for_before_birth():
    with pytest.raises(CoverageInputError, match="before the birth"):
        cover(CHAOYANG, 2015, NEWBORN, date(2015, 3, 9), birth=date(2015, 3, 10))


END_2026, END_2028 = date(2026, 12, 31), date(2028, 12, 31)


@pytest.mark.parametrize(("year", "paid", "expected"), [
    (2026, date(2025, 9, 1), period(date(2026, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2026)),
    (2026, date(2025, 12, 31), period(date(2026, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2026)),
    (2026, date(2026, 1, 1), period(date(2026, 2, 1), CoverageRule.GRACE_MONTH, RENEWAL, END_2026)),
    (2026, date(2026, 1, 31), period(date(2026, 2, 1), CoverageRule.GRACE_MONTH, RENEWAL, END_2026)),
    (2026, date(2026, 2, 28), period(date(2026, 3, 1), CoverageRule.GRACE_MONTH, RENEWAL, END_2026)),
    (2026, date(2026, 3, 1), period(date(2026, 5, 30), CoverageRule.LATE_WAIT, RENEWAL, END_2026)),
    (2026, date(2026, 10, 2), period(date(2026, 12, 31), CoverageRule.LATE_WAIT, RENEWAL, END_2026)),
    (2028, date(2028, 2, 28), period(date(2028, 3, 1), CoverageRule.GRACE_MONTH, RENEWAL, END_2028)),
    (2028, date(2028, 2, 29), period(date(2028, 3, 1), CoverageRule.GRACE_MONTH, RENEWAL, END_2028)),
    (2028, date(2028, 3, 1), period(date(2028, 5, 30), CoverageRule.LATE_WAIT, RENEWAL, END_2028)),
])
def test_shizhu_late_payment_through_the_end_of_february_then_ninety_days(year, paid, expected):
    assert cover(SHIZHU, year, RENEWAL, paid) == expected


@pytest.mark.parametrize(("paid", "reason"), [
    (date(2025, 8, 31), Refusal.PAID_BEFORE_WINDOW),
    (date(2026, 10, 3), Refusal.WAIT_ENDS_AFTER_YEAR_END),
    (date(2027, 1, 1), Refusal.PAID_AFTER_YEAR_END),
])
def test_shizhu_refusals(paid, reason):
    assert refusal_of(cover(SHIZHU, 2026, RENEWAL, paid)) is reason


def test_shizhu_new_enrollee_in_the_window_is_covered_from_the_first_day_of_the_year():
    assert cover(SHIZHU, 2026, NEW, date(2025, 12, 20)) == period(
        date(2026, 1, 1), CoverageRule.WINDOW, NEW, END_2026)


def test_shizhu_has_no_lapse_rule_so_a_renewal_stays_a_renewal():
    decision = cover(SHIZHU, 2026, RENEWAL, date(2025, 12, 1), previous_end=date(2020, 12, 31))
    assert decision == period(date(2026, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2026)


@pytest.mark.parametrize(("birth", "paid", "expected"), [
    (date(2026, 4, 1), date(2026, 6, 30), period(date(2026, 4, 1), CoverageRule.NEWBORN, NEWBORN, END_2026)),
    (date(2026, 4, 1), date(2026, 7, 1), period(date(2026, 9, 29), CoverageRule.LATE_WAIT, NEW, END_2026)),
    (date(2026, 1, 15), date(2026, 2, 20), period(date(2026, 1, 15), CoverageRule.NEWBORN, NEWBORN, END_2026)),
    (date(2025, 12, 20), date(2026, 1, 10), period(date(2026, 1, 1), CoverageRule.NEWBORN, NEWBORN, END_2026)),
])
def test_shizhu_newborn_day_90_is_covered_from_birth_and_day_91_follows_the_normal_rules(birth, paid, expected):
    assert cover(SHIZHU, 2026, NEWBORN, paid, birth=birth) == expected


def test_shizhu_newborn_after_ninety_days_in_february_gets_the_grace_month():
    decision = cover(SHIZHU, 2026, NEWBORN, date(2026, 2, 10), birth=date(2025, 11, 1))
    assert decision == period(date(2026, 3, 1), CoverageRule.GRACE_MONTH, NEW, END_2026)


END_2019 = date(2019, 12, 31)


@pytest.mark.parametrize(("event", "paid", "expected"), [
    (date(2019, 3, 15), date(2019, 6, 15), period(date(2019, 7, 1), CoverageRule.MID_YEAR_JOINER, JOINER, END_2019)),
    (date(2019, 3, 15), date(2019, 6, 16), period(date(2019, 9, 14), CoverageRule.LATE_WAIT, JOINER, END_2019)),
    (date(2018, 11, 30), date(2019, 2, 28), period(date(2019, 3, 1), CoverageRule.MID_YEAR_JOINER, JOINER, END_2019)),
    (date(2018, 11, 30), date(2019, 3, 1), period(date(2019, 5, 30), CoverageRule.LATE_WAIT, JOINER, END_2019)),
    (date(2019, 11, 20), date(2019, 11, 30), period(date(2019, 12, 1), CoverageRule.MID_YEAR_JOINER, JOINER, END_2019)),
    (date(2018, 10, 1), date(2018, 11, 1), period(date(2019, 1, 1), CoverageRule.WINDOW, JOINER, END_2019)),
])
def test_pingyang_mid_year_joiner_within_three_months_is_covered_from_the_next_month(event, paid, expected):
    assert cover(PINGYANG, 2019, JOINER, paid, event=event) == expected


@pytest.mark.parametrize(("kind", "paid", "expected"), [
    (RENEWAL, date(2018, 9, 1), period(date(2019, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2019)),
    (RENEWAL, date(2018, 12, 31), period(date(2019, 1, 1), CoverageRule.WINDOW, RENEWAL, END_2019)),
    (RENEWAL, date(2019, 1, 1), period(date(2019, 4, 1), CoverageRule.LATE_WAIT, RENEWAL, END_2019)),
    (NEW, date(2019, 2, 15), period(date(2019, 5, 16), CoverageRule.LATE_WAIT, NEW, END_2019)),
])
def test_pingyang_other_late_payers_wait_ninety_days(kind, paid, expected):
    assert cover(PINGYANG, 2019, kind, paid) == expected


def test_pingyang_newborn_within_ninety_days_is_covered_from_birth():
    decision = cover(PINGYANG, 2019, NEWBORN, date(2019, 8, 29), birth=date(2019, 5, 31))
    assert decision == period(date(2019, 5, 31), CoverageRule.NEWBORN, NEWBORN, END_2019)


def test_a_mid_year_joiner_needs_the_date_of_the_event():
    with pytest.raises(CoverageInputError, match="event_date"):
        cover(PINGYANG, 2019, JOINER, date(2019, 5, 1))


def test_a_pack_without_a_mid_year_rule_treats_joiners_as_late_payers():
    decision = cover(SHIZHU, 2026, JOINER, date(2026, 6, 1), event=date(2026, 5, 1))
    assert decision == period(date(2026, 8, 30), CoverageRule.LATE_WAIT, JOINER, END_2026)


def test_the_schemes_do_not_mix():
    with pytest.raises(CoverageInputError, match="not a resident scheme"):
        cover(ZHENJIANG, 2015, RENEWAL, date(2015, 1, 1))


@given(pack=st.sampled_from([CHAOYANG, PINGYANG, SHIZHU]), kind=st.sampled_from(list(EnrollmentKind)),
       paid_offset=st.integers(-500, 500), birth_offset=st.integers(0, 400), event_offset=st.integers(0, 200),
       gap=st.integers(0, 800))
def test_cover_always_lies_inside_the_insurance_year_and_never_before_payment_or_birth(
        pack, kind, paid_offset, birth_offset, event_offset, gap):
    year = pack.effective_from.year + 1
    first, last = pack.coverage.resident.insurance_year(year)
    paid = first + timedelta(days=paid_offset)
    birth = paid - timedelta(days=birth_offset)
    decision = cover(pack, year, kind, paid, birth=birth, event=paid - timedelta(days=event_offset),
                     previous_end=paid - timedelta(days=gap))
    if isinstance(decision, CoveragePeriod):
        assert first <= decision.starts <= decision.ends == last
        assert decision.starts >= birth
        assert decision.starts > paid or decision.rule is CoverageRule.NEWBORN or decision.starts == first
    else:
        assert paid > last or paid < first or decision.reason is Refusal.WAIT_ENDS_AFTER_YEAR_END
