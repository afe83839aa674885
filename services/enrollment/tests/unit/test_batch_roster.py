"""Accepting bulk lines in memory: the duplicate and household rules, as if each line were written alone."""

from datetime import date

import pytest

from medfund_enrollment.domain.batch_roster import DUPLICATE, Enrolled, LineAccepted, Roster
from medfund_enrollment.domain.errors import InvalidRequest

HOUSEHOLD = ("500240", "H1")


def ids():
    numbers = iter(range(1, 100))
    return lambda: f"h{next(numbers)}"


def test_the_first_line_of_a_household_creates_it_and_the_next_lines_join_it():
    roster, new_id = Roster(), ids()
    assert roster.accept_line("A", 2026, "390", "tier1", HOUSEHOLD, new_id) == LineAccepted("h1", new_household=True)
    assert roster.accept_line("B", 2026, "390", "tier1", HOUSEHOLD, new_id) == LineAccepted("h1", new_household=False)


def test_a_person_already_in_the_same_household_and_scheme_is_a_duplicate():
    roster = Roster(live={("A", 2026): Enrolled("A", 2026, "h9", "390", "tier1")}, households={HOUSEHOLD: "h9"})
    assert roster.accept_line("A", 2026, "390", "tier1", HOUSEHOLD, ids()) == DUPLICATE


def test_the_same_person_twice_in_one_chunk_is_a_duplicate_the_second_time():
    roster, new_id = Roster(), ids()
    roster.accept_line("A", 2026, "390", "tier1", HOUSEHOLD, new_id)
    assert roster.accept_line("A", 2026, "390", "tier1", HOUSEHOLD, new_id) == DUPLICATE


@pytest.mark.parametrize(("household", "insutype"), [(("500240", "H2"), "390"), (HOUSEHOLD, "310")])
def test_a_person_enrolled_elsewhere_that_year_is_refused(household, insutype):
    roster = Roster(live={("A", 2026): Enrolled("A", 2026, "h9", "390", "tier1")}, households={HOUSEHOLD: "h9"})
    with pytest.raises(InvalidRequest) as refused:
        roster.accept_line("A", 2026, insutype, "tier1", household, ids())
    assert (refused.value.code, refused.value.field) == ("duplicate_enrollment", "certno")


def test_a_household_keeps_the_tier_of_its_first_member_for_the_year():
    roster = Roster(households={HOUSEHOLD: "h9"}, heads={("h9", 2026): Enrolled("Z", 2026, "h9", "390", "tier2")})
    with pytest.raises(InvalidRequest) as refused:
        roster.accept_line("A", 2026, "390", "tier1", HOUSEHOLD, ids())
    assert refused.value.code == "tier_mismatch"
    assert roster.accept_line("A", 2027, "390", "tier1", HOUSEHOLD, ids()) == LineAccepted("h9", new_household=False)


def test_cover_granted_earlier_in_the_chunk_makes_a_later_line_a_renewal_with_a_previous_end():
    roster = Roster(cover_ends={("A", "390"): [(2024, date(2024, 12, 31))]})
    assert not roster.renewing("A", 2026, "390")
    roster.covered("A", 2025, "390", date(2025, 12, 31))
    assert roster.renewing("A", 2026, "390")
    assert roster.previous_cover_end("A", "390", 2026) == date(2025, 12, 31)
    assert roster.previous_cover_end("A", "390", 2025) == date(2024, 12, 31)
