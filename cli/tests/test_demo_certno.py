"""Generated resident IDs are valid GB 11643 numbers that agree with the person's birth date and gender."""

from datetime import date

from medfund_cli.demo import certno
from medfund_cli.demo.population import generate, persons
from medfund_cli.demo.scenario import Scenario


def test_check_character_of_a_published_example():
    assert certno.check_character("11010519491231002") == "X"
    assert certno.is_valid("11010519491231002X")


def test_a_wrong_check_character_or_date_is_invalid():
    assert not certno.is_valid("110105194912310021")
    assert not certno.is_valid("500240202602300011")


def test_sequence_parity_follows_gender():
    man = certno.make_certno("500240", date(1980, 5, 17), certno.MALE, 0)
    woman = certno.make_certno("500240", date(1980, 5, 17), certno.FEMALE, 0)
    assert int(man[16]) % 2 == 1 and int(woman[16]) % 2 == 0
    assert certno.is_valid(man) and certno.is_valid(woman)


def test_every_generated_person_has_a_distinct_valid_number_matching_birth_and_gender():
    people = persons(generate(Scenario(scale=5_000)))
    assert len({p.certno for p in people}) == len(people)
    for person in people:
        assert certno.is_valid(person.certno)
        assert person.certno[:6] == "500240"
        assert person.certno[6:14] == f"{person.brdy:%Y%m%d}"
        assert (int(person.certno[16]) % 2 == 1) == (person.gend == certno.MALE)
