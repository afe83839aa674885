"""`medfund policy check FILE` and `medfund policy show ADMDVS DATE`, through the real command."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from medfund_cli.main import app
from medfund_shared.policy.loader import load_pack
from medfund_shared.policy.pack_set import shipped_packs_dir

PACK_ID = "500240-390-2026-01-01"
SHIPPED = shipped_packs_dir() / f"{PACK_ID}.yaml"
runner = CliRunner()


def medfund(*args: str):
    return runner.invoke(app, list(args))


def variant(tmp_path, name: str, old: str, new: str):
    """A copy of the shipped pack with one line changed, saved as ``name``.yaml."""
    text = SHIPPED.read_text("utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    return path


def test_check_prints_the_id_version_and_content_hash_of_a_good_pack(tmp_path):
    copy = tmp_path / SHIPPED.name
    shutil.copy(SHIPPED, copy)
    result = medfund("policy", "check", str(copy))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"ok  {PACK_ID}  version 1  sha256 {load_pack(SHIPPED).content_hash}"
    assert re.fullmatch(r"[0-9a-f]{64}", result.stdout.split()[-1])


@pytest.mark.parametrize(("old", "new", "field", "problem"), [
    ("primary: {deductible: 100, ratio: 0.80}", "primary: {deductible: 100, ratio: 1.80}",
     "inpatient.schedule_by_tier.tier1.in_county.primary.ratio", "less than or equal to 1"),
    ("primary: {deductible: 100, ratio: 0.80}", "primary: {deductible: 100, ratio: .nan}",
     "inpatient.schedule_by_tier.tier1.in_county.primary.ratio", "not a ratio"),
    ('admdvs: "500240"', 'admdvs: "5002"', "admdvs", "should match pattern"),
    ("version: 1\n", "version: 1\nsurprise: true\n", "surprise", "Extra inputs are not permitted"),
])
def test_check_refuses_a_broken_pack_naming_the_field(tmp_path, old, new, field, problem):
    result = medfund("policy", "check", str(variant(tmp_path, PACK_ID, old, new)))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"refused: {tmp_path / PACK_ID}.yaml: {field}: ")
    assert problem in result.stderr


def test_check_refuses_a_pack_whose_file_name_is_not_its_id_and_a_missing_file(tmp_path):
    misnamed = tmp_path / "resident-pack.yaml"
    shutil.copy(SHIPPED, misnamed)
    result = medfund("policy", "check", str(misnamed))
    assert result.exit_code == 1 and f"file name must be the pack id {PACK_ID}.yaml" in result.stderr
    missing = medfund("policy", "check", str(tmp_path / "nowhere.yaml"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_show_prints_the_pack_in_force_on_the_date_as_yaml():
    result = medfund("policy", "show", "500240", "2026-07-01")
    assert result.exit_code == 0, result.output
    header, body = result.stdout.split("\n", 1)
    assert header == f"# {PACK_ID}  version 1  sha256 {load_pack(SHIPPED).content_hash}"
    shown = yaml.safe_load(body)
    assert (shown["admdvs"], shown["insutype"], shown["effective_from"]) == ("500240", "390", "2026-01-01")
    assert shown["funds"]["pooled"]["code"] == "390100"


def test_show_takes_a_later_pack_from_the_operators_folder_from_its_effective_date(tmp_path):
    later = "500240-390-2026-07-01"
    variant(tmp_path, later, "effective_from: 2026-01-01\nversion: 1", "effective_from: 2026-07-01\nversion: 2")
    before = medfund("policy", "show", "500240", "2026-06-30", "--packs-dir", str(tmp_path))
    after = medfund("policy", "show", "500240", "2026-07-01", "--packs-dir", str(tmp_path))
    assert before.stdout.startswith(f"# {PACK_ID}  version 1 ")
    assert after.stdout.startswith(f"# {later}  version 2 ")


def test_show_without_a_pack_in_force_or_with_a_bad_date_fails_clearly():
    none = medfund("policy", "show", "500240", "2025-12-31")
    assert none.exit_code == 1
    assert "no policy pack for region 500240, scheme 390 in force on 2025-12-31" in none.stderr
    employee = medfund("policy", "show", "500240", "2026-07-01", "--insutype", "310")
    assert employee.exit_code == 1 and "scheme 310" in employee.stderr
    bad = medfund("policy", "show", "500240", "2026-13-01")
    assert bad.exit_code == 2 and "not a date (YYYY-MM-DD)" in bad.stderr
