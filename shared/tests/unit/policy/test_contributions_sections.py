"""The contribution and coverage sections refuse a wrong pack with the field named."""

from __future__ import annotations

import ast
import sys
from decimal import Decimal
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import (
    ContributionRules,
    CoverageRules,
    EmployeeContributions,
    EnrollmentWindow,
    MonthDay,
    ResidentContributions,
    Subsidy,
)
from medfund_shared.policy.contributions import split_subsidy
from medfund_shared.policy.loader import PolicyPackError, load_pack, parse_pack

PACKS = Path(str(resources.files("medfund_shared.policy") / "packs"))
RESIDENT_SCHEME = "390"
BANDS = {"adult": "190.00", "minor": "50.00", "student": "50.00"}
RESIDENT = {"minor_below_age": 18, "premiums": BANDS, "subsidy": {"per_capita": "380.00"}}
EMPLOYEE = {
    "provincial_average_annual_wage": "72000.00", "base_floor": "0.60", "base_ceiling": "3.00",
    "employer_rate": "0.09", "employee_rate": "0.02",
    "account_credit_by_age": [{"from_age": 0, "rate": "0.04"}, {"from_age": 45, "rate": "0.05"}],
    "retiree_account_credit_of_pension": "0.06",
}


def test_a_valid_resident_section_holds_money_and_exact_ratios():
    rules = ResidentContributions.model_validate(
        {**RESIDENT, "on_behalf": {"dibao": {"share": "0.60"}}})
    assert rules.bands(None).adult == Money(19000)
    assert rules.on_behalf["dibao"].share == Decimal("0.60")


@pytest.mark.parametrize(("change", "message"), [
    ({"premiums_by_tier": {"tier1": BANDS}}, "exactly one of premiums or premiums_by_tier"),
    ({"premiums": {"adult": "190.00", "minor": "50.00"}}, "student"),
    ({"premiums": {**BANDS, "adult": "190.001"}}, "more than two decimals"),
    ({"premiums": {**BANDS, "adult": "-1.00"}}, "must not be negative"),
    ({"on_behalf": {"dibao": {"share": 0.6}}}, "not binary floats"),
    ({"on_behalf": {"dibao": {"share": "1.20"}}}, "less than or equal to 1"),
    ({"on_behalf": {"minor": {"share": "1"}}}, "a premium band"),
    ({"on_behalf": {"dibao": {"share": "1", "of_tier": "tier1"}}}, "no such tier"),
    ({"on_behalf": {"veteran": {"share": "1"}}}, "veteran"),
    ({"subsidy": {"per_capita": "420.00", "shares": {"central": "0.80", "county": "0.10"}}}, "add up"),
    ({"newborn": {"payer": "parents"}}, "payer"),
    ({"surcharge": "10.00"}, "Extra inputs"),
])
def test_a_wrong_resident_section_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        ResidentContributions.model_validate({**RESIDENT, **change})


@pytest.mark.parametrize(("change", "message"), [
    ({"base_floor": "3.10"}, "must not exceed base_ceiling"),
    ({"account_credit_by_age": [{"from_age": 18, "rate": "0.04"}]}, "starts at 0"),
    ({"account_credit_by_age": [{"from_age": 0, "rate": "0.04"}, {"from_age": 0, "rate": "0.05"}]},
     "strictly increases"),
    ({"account_credit_by_age": [{"from_age": 0, "rate": "0.12"}]}, "cannot exceed the contribution"),
    ({"employer_rate": "9%"}, "decimal"),
])
def test_a_wrong_employee_section_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        EmployeeContributions.model_validate({**EMPLOYEE, **change})


@pytest.mark.parametrize("document", [{}, {"resident": RESIDENT, "employee": EMPLOYEE}])
def test_a_pack_gives_exactly_one_scheme_of_contributions(document):
    with pytest.raises(ValidationError, match="exactly one of resident or employee"):
        ContributionRules.model_validate(document)


@pytest.mark.parametrize("document", [{}, {"resident": {}, "employee": {"wait_months": 1}}])
def test_a_pack_gives_exactly_one_scheme_of_coverage(document):
    with pytest.raises(ValidationError):
        CoverageRules.model_validate(document)


@pytest.mark.parametrize(("opens", "closes", "message"), [
    ("12-31", "10-01", "must open before it closes"),
    ("10-1", "12-31", "MM-DD"),
    ("02-29", "12-31", "end of February as a month"),
    ("13-01", "12-31", "not a day of every year"),
])
def test_a_wrong_window_is_refused(opens, closes, message):
    with pytest.raises(ValidationError, match=message):
        EnrollmentWindow.model_validate({"opens": opens, "closes": closes})


def test_a_window_reads_month_and_day():
    assert EnrollmentWindow.model_validate({"opens": "09-01", "closes": "12-31"}).opens == MonthDay(9, 1)


def test_a_wrong_value_in_a_shipped_pack_is_refused_naming_the_field():
    text = (PACKS / "211302-390-2015-01-01.yaml").read_text(encoding="utf-8")
    broken = text.replace("lapse_days: 365", "lapse_days: -1")
    with pytest.raises(PolicyPackError, match="coverage.resident.lapse_days"):
        parse_pack(broken, "broken.yaml")


@given(per_capita=st.integers(0, 10_000_000), cuts=st.lists(st.integers(1, 9_999), min_size=1, max_size=3))
def test_the_subsidy_split_adds_up_to_the_per_capita_amount(per_capita, cuts):
    bounds = [0, *sorted(set(cuts)), 10_000]
    shares = [Decimal(high - low) / 10_000 for low, high in pairwise(bounds)]
    levels = ["central", "provincial", "city", "county"][:len(shares)]
    subsidy = Subsidy(per_capita=Money(per_capita), shares=dict(zip(levels, shares, strict=True)))
    lines = split_subsidy(subsidy)
    assert [line.level for line in lines] == levels
    assert sum((line.amount for line in lines), Money.zero()) == Money(per_capita)
    assert all(line.amount >= Money.zero() for line in lines)


def test_tiny_shares_never_make_a_negative_subsidy_line():
    subsidy = Subsidy(per_capita=Money(1), shares={"central": Decimal("0.5"), "provincial": Decimal("0.5"),
                                                   "county": Decimal(0)})
    assert [line.amount for line in split_subsidy(subsidy)] == [Money(1), Money(0), Money(0)]


@pytest.mark.parametrize("path", sorted(PACKS.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_shipped_pack_agrees_with_itself_on_scheme_and_tiers(path):
    pack = load_pack(path)
    resident = pack.insutype == RESIDENT_SCHEME
    assert (pack.contributions.resident is not None, pack.coverage.resident is not None) == (resident, resident)
    if resident:
        assert pack.contributions.resident.tiers == tuple(pack.tiers)


@pytest.mark.parametrize("module", ["contributions", "coverage"])
def test_the_rules_import_nothing_but_the_standard_library_money_and_the_pack(module):
    source = (PACKS.parent / f"{module}.py").read_text(encoding="utf-8")
    imported = {node.module or "" for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import)
                 for alias in node.names}
    outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names
               and not name.startswith(("medfund_shared.money", "medfund_shared.policy"))}
    assert outside == set()
