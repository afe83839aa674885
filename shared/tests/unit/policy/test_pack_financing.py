"""The financing parameters every pack gains (policy-packs.md): catastrophic per person, reserve share,
who pays a category's premium on behalf; a flow whose fund the pack does not name is refused."""

from decimal import Decimal
from pathlib import Path

import pytest

from medfund_shared.money import Money
from medfund_shared.policy.loader import PolicyPackError, load_pack
from medfund_shared.policy.pack_set import shipped_packs_dir

PACKS = shipped_packs_dir()
SHIZHU = PACKS / "500240-390-2026-01-01.yaml"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIZHU.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / SHIZHU.name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(("pack_id", "per_person"), [("211302-390-2015-01-01", "25.00"),
                                                     ("330326-390-2019-01-01", "29.00"),
                                                     ("500240-390-2026-01-01", "30.00")])
def test_each_resident_pack_finances_catastrophic_insurance_per_person_and_no_reserve(pack_id, per_person):
    pack = load_pack(PACKS / f"{pack_id}.yaml")
    assert pack.financing.catastrophic_per_person == Money.from_yuan(per_person)
    assert pack.financing.risk_reserve_share == Decimal(0)


def test_the_employee_pack_finances_nothing():
    pack = load_pack(PACKS / "321100-310-2013-01-01.yaml")
    assert (pack.financing.catastrophic_per_person, pack.financing.risk_reserve_share) == (None, Decimal(0))


def test_medical_assistance_pays_the_premium_of_the_people_it_sponsors_in_shizhu():
    on_behalf = load_pack(SHIZHU).contributions.resident.on_behalf
    assert sorted(c.value for c, rule in on_behalf.items() if rule.payer == "medical_assistance") == [
        "dibao", "disabled_moderate", "disabled_severe", "tekun"]
    assert sorted(c.value for c, rule in on_behalf.items() if rule.payer == "government") == [
        "entitled", "family_planning", "poverty_registered"]


def test_a_reserve_share_needs_a_reserve_fund(tmp_path):
    path = _variant(tmp_path, '  risk_reserve: {code: "999901", name: 风险调剂金}\n', "")
    path.write_text(path.read_text(encoding="utf-8").replace('risk_reserve_share: "0"', 'risk_reserve_share: "0.05"'),
                    encoding="utf-8")
    with pytest.raises(PolicyPackError, match="funds.risk_reserve"):
        load_pack(path)


def test_sponsorship_by_medical_assistance_needs_the_assistance_fund(tmp_path):
    text = SHIZHU.read_text(encoding="utf-8")
    for section in ('  assistance: {code: "610100", name: 医疗救助基金}\n',
                    "assistance:  # assumed, as 211302\n  ratios: {tekun: 1.00, dibao: 0.70}\n  annual_cap: 30000\n"):
        assert section in text
        text = text.replace(section, "", 1)
    path = tmp_path / SHIZHU.name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyPackError, match="funds.assistance"):
        load_pack(path)


def test_a_negative_catastrophic_amount_is_refused(tmp_path):
    with pytest.raises(PolicyPackError, match="negative"):
        load_pack(_variant(tmp_path, 'catastrophic_per_person: "30.00"', 'catastrophic_per_person: "-30.00"'))
