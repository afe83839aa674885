"""The pack in force is the latest whose effective date is on or before the business date."""

from datetime import date

import pytest

from medfund_shared.policy.loader import PolicyPackError
from medfund_shared.policy.pack_set import NoPackInForce, PackSet, shipped_packs_dir


@pytest.fixture
def operator_dir(tmp_path):
    text = (shipped_packs_dir() / "211302-390-2015-01-01.yaml").read_text(encoding="utf-8")
    newer = text.replace("effective_from: 2015-01-01", "effective_from: 2027-01-01").replace("version: 1", "version: 2")
    (tmp_path / "211302-390-2027-01-01.yaml").write_text(newer, encoding="utf-8")
    return tmp_path


def test_the_four_shipped_packs_are_in_the_pack_set():
    assert [p.pack_id for p in PackSet.load()] == [
        "211302-390-2015-01-01", "321100-310-2013-01-01", "330326-390-2019-01-01", "500240-390-2026-01-01"]


def test_a_pack_is_in_force_from_its_effective_date():
    pack_set = PackSet.load()
    assert pack_set.in_force("500240", "390", date(2026, 1, 1)).pack_id == "500240-390-2026-01-01"


def test_no_pack_is_in_force_the_day_before_the_first_effective_date():
    with pytest.raises(NoPackInForce, match="500240.*390.*2025-12-31"):
        PackSet.load().in_force("500240", "390", date(2025, 12, 31))


def test_an_unknown_region_or_scheme_has_no_pack_in_force():
    pack_set = PackSet.load()
    with pytest.raises(NoPackInForce):
        pack_set.in_force("110101", "390", date(2026, 1, 1))
    with pytest.raises(NoPackInForce):
        pack_set.in_force("211302", "310", date(2026, 1, 1))


def test_an_operator_pack_takes_over_on_its_effective_date(operator_dir):
    pack_set = PackSet.load(operator_dir)
    assert pack_set.in_force("211302", "390", date(2026, 12, 31)).version == 1
    assert pack_set.in_force("211302", "390", date(2027, 1, 1)).version == 2


def test_a_broken_operator_pack_refuses_the_whole_pack_set(operator_dir):
    broken = operator_dir / "211302-390-2027-01-01.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("threshold: 8000", "threshold: lots"), encoding="utf-8")
    with pytest.raises(PolicyPackError, match="catastrophic.threshold"):
        PackSet.load(operator_dir)


def test_two_packs_with_the_same_id_are_refused(operator_dir):
    (operator_dir / "211302-390-2015-01-01.yaml").write_text(
        (shipped_packs_dir() / "211302-390-2015-01-01.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PolicyPackError, match="two packs share this id"):
        PackSet.load(operator_dir)
