"""Whether a person is covered on a day, and the reason given when not."""

from datetime import date

import pytest

from medfund_adjudication.domain.coverage import ACTIVE, SUSPENDED, TERMINATED, CategoryChange, Coverage, covered_on
from medfund_adjudication.domain.refusal import Refused

COVER = Coverage("P1", "390", 2026, "211302", "110101197601011234", "张三", "1", date(1976, 1, 1), "adult",
                 "tier1", date(2026, 2, 1), date(2026, 12, 31), "211302-390")


def _reason(coverage: Coverage | None, day: date) -> str:
    with pytest.raises(Refused) as refused:
        covered_on(coverage, "P1", "390", day)
    assert refused.value.code == "not_covered"
    return refused.value.message


def test_a_person_is_covered_inside_the_coverage_period():
    assert covered_on(COVER, "P1", "390", date(2026, 2, 1)) is COVER
    assert COVER.status_on(date(2026, 12, 31)) == ACTIVE


def test_before_the_waiting_period_ends_the_refusal_names_the_first_covered_day():
    assert "waiting period until 2026-02-01" in _reason(COVER, date(2026, 1, 31))


def test_after_the_coverage_period_the_refusal_names_its_end():
    assert "ended on 2026-12-31" in _reason(COVER, date(2027, 1, 1))


def test_no_coverage_record_means_not_insured():
    assert "not insured under scheme 390" in _reason(None, date(2026, 3, 1))


def test_a_suspension_refuses_from_its_start_until_reinstatement():
    suspended = COVER.suspend(date(2026, 5, 1))
    assert suspended.status_on(date(2026, 4, 30)) == ACTIVE
    assert "suspended since 2026-05-01" in _reason(suspended, date(2026, 9, 1))
    reinstated = suspended.reinstate(date(2026, 6, 1))
    assert reinstated.status_on(date(2026, 5, 31)) == SUSPENDED
    assert covered_on(reinstated, "P1", "390", date(2026, 6, 1)) is reinstated


def test_reinstatement_closes_only_the_open_suspension():
    twice = COVER.suspend(date(2026, 3, 1)).reinstate(date(2026, 4, 1)).suspend(date(2026, 7, 1))
    again = twice.reinstate(date(2026, 8, 1))
    assert [(s.since, s.until) for s in again.suspensions] == [
        (date(2026, 3, 1), date(2026, 4, 1)), (date(2026, 7, 1), date(2026, 8, 1))]


def test_termination_refuses_from_its_date_and_wins_over_a_suspension():
    ended = COVER.suspend(date(2026, 5, 1)).terminate(date(2026, 6, 1))
    assert ended.status_on(date(2026, 6, 1)) == TERMINATED
    assert "terminated on 2026-06-01" in _reason(ended, date(2026, 6, 1))
    assert "suspended" in _reason(ended, date(2026, 5, 15))


def test_a_category_change_holds_for_admissions_from_its_date():
    dibao = COVER.change_category(CategoryChange(date(2026, 6, 1), "dibao", "tier1"))
    assert dibao.category_on(date(2026, 5, 31)) == ("adult", "tier1")
    assert dibao.category_on(date(2026, 6, 1)) == ("dibao", "tier1")


def test_the_same_category_change_applied_twice_changes_nothing():
    change = CategoryChange(date(2026, 6, 1), "dibao", "tier1")
    once = COVER.change_category(change)
    assert once.change_category(change) == once


def test_a_later_change_replaces_those_dated_on_or_after_it():
    later = (COVER.change_category(CategoryChange(date(2026, 4, 1), "tekun", "tier1"))
             .change_category(CategoryChange(date(2026, 8, 1), "dibao", "tier1"))
             .change_category(CategoryChange(date(2026, 6, 1), "adult", "tier2")))
    assert [c.since for c in later.category_changes] == [date(2026, 4, 1), date(2026, 6, 1)]
    assert later.category_on(date(2026, 5, 1)) == ("tekun", "tier1")
    assert later.category_on(date(2026, 9, 1)) == ("adult", "tier2")
