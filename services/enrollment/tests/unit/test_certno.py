from datetime import date

import pytest
from idnumbers import make_certno

from medfund_enrollment.domain import certno
from medfund_enrollment.domain.errors import InvalidRequest


def test_a_published_example_number_has_a_valid_check_character():
    assert certno.normalise("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("serial", range(40))
def test_changing_any_digit_breaks_the_check_character(serial):
    valid = make_certno(date(1980, 5, 17), serial)
    position = serial % 17
    wrong = valid[:position] + str((int(valid[position]) + 1) % 10) + valid[position + 1:]
    with pytest.raises(InvalidRequest) as refused:
        certno.normalise(wrong)
    assert refused.value.code == "invalid_certno"


@pytest.mark.parametrize("value", ["", "1234", "11010519491231002", "1101051949123100212", "1101051949123100AX"])
def test_a_number_of_the_wrong_shape_is_refused(value):
    with pytest.raises(InvalidRequest) as refused:
        certno.normalise(value)
    assert (refused.value.code, refused.value.field) == ("invalid_certno", "certno")


def test_an_impossible_birth_date_is_refused_even_with_the_right_check_character():
    first17 = "50024019810230011"
    with pytest.raises(InvalidRequest):
        certno.normalise(first17 + certno.check_character(first17))


def test_the_seventeenth_digit_gives_the_gender():
    assert certno.gender(make_certno(date(1990, 1, 1), male=True)) == "1"
    assert certno.gender(make_certno(date(1990, 1, 1), male=False)) == "2"


def test_declared_birth_date_and_gender_must_match_the_number():
    number = make_certno(date(1990, 1, 2), male=False)
    certno.check_consistent(number, date(1990, 1, 2), "2")
    with pytest.raises(InvalidRequest) as refused:
        certno.check_consistent(number, date(1990, 1, 3), "2")
    assert refused.value.field == "brdy"
    with pytest.raises(InvalidRequest) as refused:
        certno.check_consistent(number, date(1990, 1, 2), "1")
    assert refused.value.field == "gend"


def test_a_masked_number_keeps_region_and_last_four_only():
    assert certno.mask("110101195403021234") == "110101********1234"
