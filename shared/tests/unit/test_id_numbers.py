from datetime import date

from medfund_shared.id_numbers import FEMALE, MALE, birth_date, check_character, gender, with_check_character


def test_the_standards_worked_example_has_check_character_x():
    """GB 11643-1999's example number 11010519491231002X."""
    assert check_character("11010519491231002") == "X"
    assert with_check_character("11010519491231002") == "11010519491231002X"


def test_a_check_character_one_and_zero_by_hand():
    # weighted sum 1 × 7 = 7; 7 mod 11 = 7; "10X98765432"[7] = "5"
    assert check_character("10000000000000000") == "5"
    assert check_character("00000000000000000") == "1"


def test_birth_date_and_gender_are_read_from_the_number():
    assert birth_date("11010519491231002X") == date(1949, 12, 31)
    assert gender("11010519491231002X") == FEMALE
    assert gender("11010519491231001X") == MALE
