"""Pack files are validated field by field and across fields; a bad one is refused naming the field."""

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from medfund_shared.money import Money
from medfund_shared.policy.loader import PolicyPackError, load_pack, parse_pack
from medfund_shared.policy.pack_set import shipped_packs_dir
from medfund_shared.policy.schema import Itemisation

SHIPPED = sorted(shipped_packs_dir().glob("*.yaml"))
CHAOYANG = shipped_packs_dir() / "211302-390-2015-01-01.yaml"
SHIZHU = shipped_packs_dir() / "500240-390-2026-01-01.yaml"


def _write_variant(tmp_path: Path, original: Path, old: str, new: str) -> Path:
    text = original.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / original.name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _refusal(path: Path) -> PolicyPackError:
    with pytest.raises(PolicyPackError) as refused:
        load_pack(path)
    return refused.value


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_pack_loads_with_its_id_version_and_hash(path):
    pack = load_pack(path)
    assert pack.pack_id == path.stem and pack.version >= 1 and len(pack.content_hash) == 64


def test_ratios_and_amounts_are_exact_decimals_and_fen():
    pack = load_pack(CHAOYANG)
    assert pack.inpatient.terms(None, "in_county", "tertiary").ratio == Decimal("0.65")
    assert pack.inpatient.annual_payment_cap == Money(6_000_000)
    assert pack.catastrophic.tiers[1].ratio == Decimal("0.70")


def test_a_ratio_above_one_is_refused_naming_the_file_and_field(tmp_path):
    bad = _write_variant(tmp_path, CHAOYANG, "secondary: {deductible: 500, ratio: 0.70}",
                         "secondary: {deductible: 500, ratio: 1.70}")
    error = _refusal(bad)
    assert error.field == "inpatient.schedule.in_county.secondary.ratio"
    assert str(bad) in str(error) and "less than or equal to 1" in str(error)


def test_a_negative_deductible_is_refused(tmp_path):
    error = _refusal(_write_variant(tmp_path, CHAOYANG, "deductible: 800", "deductible: -800"))
    assert error.field == "inpatient.schedule.in_county.tertiary.deductible"
    assert "negative" in error.problem


def test_a_missing_level_is_refused(tmp_path):
    tertiary = "      tertiary: {deductible: 1000, ratio: 0.55}  # deductible assumed\n"
    error = _refusal(_write_variant(tmp_path, CHAOYANG, tertiary, ""))
    assert error.field == "inpatient.schedule.out_of_city.tertiary"


def test_a_tiered_pack_must_define_every_tier(tmp_path):
    error = _refusal(_write_variant(tmp_path, SHIZHU, "{tier1: 70000, tier2: 110000}", "{tier1: 70000}"))
    assert "inpatient.annual_payment_cap_by_tier" in error.problem and "tier2" in error.problem


def test_catastrophic_tiers_must_be_progressive(tmp_path):
    error = _refusal(_write_variant(tmp_path, CHAOYANG, "{up_to: 70000, ratio: 0.70}", "{up_to: 10000, ratio: 0.70}"))
    assert error.field == "catastrophic" and "strictly increasing" in error.problem


def test_an_unknown_field_is_refused(tmp_path):
    error = _refusal(_write_variant(tmp_path, CHAOYANG, "  unreferred_penalty:", "  unrefered_penalty:"))
    assert error.field == "inpatient.unrefered_penalty"


def test_yaml_decimals_load_exactly_even_when_tagged_as_floats():
    text = CHAOYANG.read_text(encoding="utf-8").replace("class_b_preselfpay: 0.10", "class_b_preselfpay: !!float 0.1")
    assert parse_pack(text, "inline").itemisation.class_b_preselfpay == Decimal("0.1")


def test_a_binary_float_ratio_is_refused_by_the_schema():
    with pytest.raises(ValidationError, match="exact decimals"):
        Itemisation.model_validate({"class_b_preselfpay": 0.1})


def test_a_pack_file_must_be_named_after_its_id(tmp_path):
    renamed = tmp_path / "211302-390-2016-01-01.yaml"
    renamed.write_text(CHAOYANG.read_text(encoding="utf-8"), encoding="utf-8")
    assert "211302-390-2015-01-01.yaml" in _refusal(renamed).problem


def test_invalid_yaml_is_refused_naming_the_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("admdvs: [unclosed\n", encoding="utf-8")
    error = _refusal(broken)
    assert error.source == str(broken) and "not valid YAML" in error.problem


def test_the_content_hash_ignores_comments_but_not_values(tmp_path):
    original = load_pack(CHAOYANG).content_hash
    commented = load_pack(_write_variant(tmp_path, CHAOYANG, "# Chaoyang", "# a new comment\n# Chaoyang"))
    assert commented.content_hash == original
    changed = load_pack(_write_variant(tmp_path, CHAOYANG, "annual_payment_cap: 60000", "annual_payment_cap: 60001"))
    assert changed.content_hash != original
