"""The shape of a policy pack: every benefit parameter, validated field by field and across fields.

Ratios are exact ``Decimal`` and amounts are ``Money``; a binary float is refused so that no
parameter is ever rounded on its way in.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import ContributionRules, CoverageRules
from medfund_shared.policy.pack_fields import Amount, Ratio

Area = Literal["in_county", "in_city", "out_of_city"]
Level = Literal["primary", "secondary", "tertiary"]
CatastrophicBasis = Literal["compliant_selfpay", "policy_scope_cost"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FundCode(_Section):
    code: str = Field(pattern=r"^\d{6}$")
    name: str


class Funds(_Section):
    """The NHSA ``fund_pay_type`` of each fund the settlement can draw on."""

    pooled: FundCode
    catastrophic: FundCode | None = None
    assistance: FundCode | None = None
    individual_account: FundCode | None = None
    risk_reserve: FundCode | None = None


class Financing(_Section):
    """How the pooled fund finances the pack's other pools (docs/funding.md).

    ``catastrophic_per_person`` is transferred from the pooled fund to the catastrophic pool once per
    covered person-year, when the cover is activated (seed 000 篇六: 25-29 yuan a person, about 5%).
    ``risk_reserve_share`` of every income of the pooled fund is transferred to the risk-adjustment
    reserve when the income is booked (seed 003 第7篇 sets the reserve's size, not the share).
    """

    catastrophic_per_person: Amount | None = None
    risk_reserve_share: Ratio = Decimal(0)


class Itemisation(_Section):
    class_b_preselfpay: Ratio


class InpatientTerms(_Section):
    deductible: Amount
    ratio: Ratio


class LevelSchedule(_Section):
    primary: InpatientTerms
    secondary: InpatientTerms
    tertiary: InpatientTerms

    def at(self, level: Level) -> InpatientTerms:
        return getattr(self, level)


class AreaSchedule(_Section):
    in_county: LevelSchedule
    in_city: LevelSchedule
    out_of_city: LevelSchedule

    def at(self, area: Area, level: Level) -> InpatientTerms:
        return getattr(self, area).at(level)


class AgeUplift(_Section):
    min_age: int = Field(ge=0)
    points: Ratio


class Inpatient(_Section):
    """Inpatient pooled-fund terms; a tiered pack gives the schedule and cap per tier."""

    schedule: AreaSchedule | None = None
    schedule_by_tier: dict[str, AreaSchedule] | None = None
    age_uplift: AgeUplift | None = None
    retiree_uplift: Ratio | None = None
    unreferred_penalty: Ratio = Decimal(0)
    annual_payment_cap: Amount | None = None
    annual_payment_cap_by_tier: dict[str, Amount] | None = None
    annual_cost_ceiling: Amount | None = None

    @model_validator(mode="after")
    def _one_schedule_form(self) -> Inpatient:
        if (self.schedule is None) == (self.schedule_by_tier is None):
            raise ValueError("give exactly one of schedule or schedule_by_tier")
        if self.annual_payment_cap is not None and self.annual_payment_cap_by_tier is not None:
            raise ValueError("give at most one of annual_payment_cap or annual_payment_cap_by_tier")
        return self

    def terms(self, tier: str | None, area: Area, level: Level) -> InpatientTerms:
        schedule = self.schedule if self.schedule is not None else self.schedule_by_tier[tier]
        return schedule.at(area, level)

    def payment_cap(self, tier: str | None) -> Money | None:
        if self.annual_payment_cap_by_tier is not None:
            return self.annual_payment_cap_by_tier[tier]
        return self.annual_payment_cap


class LevelRatios(_Section):
    primary: Ratio
    secondary: Ratio
    tertiary: Ratio

    def at(self, level: Level) -> Ratio:
        return getattr(self, level)


class Outpatient(_Section):
    """Outpatient pooling (门诊统筹): ratios by level in county, deductibles and annual limits."""

    ratios: LevelRatios
    out_of_county_ratio: Ratio
    unreferred_ratio: dict[Level, Ratio] = Field(default_factory=dict)
    first_visit_deductible: Amount = Money(0)
    later_visit_deductible: Amount = Money(0)
    annual_deductible_cap: Amount | None = None
    visit_eligible_max: Amount | None = None
    annual_eligible_max: Amount | None = None
    annual_payment_cap: Amount | None = None


class Maternity(_Section):
    flat_amount: Amount


def _icd10_pattern(value: str) -> str:
    bounds = value.split("-")
    if len(bounds) > 2 or not all(b and b[0].isalpha() and b[0].isupper() for b in bounds):
        raise ValueError(f"not an ICD-10 prefix or range: {value!r}")
    if len(bounds) == 2 and not (len(bounds[0]) == len(bounds[1]) == 3 and bounds[0] <= bounds[1]):
        raise ValueError(f"a range runs between two three-character categories, low to high: {value!r}")
    return value


Icd10Pattern = Annotated[str, AfterValidator(_icd10_pattern)]
"""An ICD-10 prefix (``Z94``, ``N18.5``) or a range of three-character categories (``C00-C97``)."""


class SpecialDisease(_Section):
    name: str
    icd10: list[Icd10Pattern] = Field(min_length=1)


class SpecialDiseases(_Section):
    """Outpatient care for these diseases is paid as inpatient care (门诊特殊病)."""

    diseases: list[SpecialDisease] = Field(min_length=1)

    def covers(self, disease_code: str) -> bool:
        code = disease_code.strip().upper()
        return any(_matches(pattern, code) for d in self.diseases for pattern in d.icd10)


def _matches(pattern: str, code: str) -> bool:
    if "-" in pattern:
        low, high = pattern.split("-")
        return low <= code[:3] <= high
    return code.startswith(pattern)


class CatastrophicTier(_Section):
    up_to: Amount | None = None
    """Upper bound of the tier on the amount above the threshold; ``None`` for the open last tier."""
    ratio: Ratio


class Catastrophic(_Section):
    """Catastrophic insurance (大病保险): progressive tiers above a threshold, optional annual cap."""

    basis: CatastrophicBasis
    threshold: Amount
    tiers: list[CatastrophicTier] = Field(min_length=1)
    annual_cap: Amount | None = None

    @model_validator(mode="after")
    def _tiers_progressive(self) -> Catastrophic:
        bounds = [t.up_to for t in self.tiers]
        if bounds[-1] is not None:
            raise ValueError("tiers: the last tier must be open (no up_to)")
        if any(b is None for b in bounds[:-1]):
            raise ValueError("tiers: only the last tier may be open")
        closed = [b.fen for b in bounds[:-1]]
        if any(low >= high for low, high in pairwise([0, *closed])):
            raise ValueError("tiers: up_to bounds must be positive and strictly increasing")
        ratios = [t.ratio for t in self.tiers]
        if any(a > b for a, b in pairwise(ratios)):
            raise ValueError("tiers: ratios must not decrease from one tier to the next")
        return self


class Assistance(_Section):
    """Medical assistance (医疗救助) by person category, with one annual cap per person."""

    ratios: dict[str, Ratio] = Field(min_length=1)
    annual_cap: Amount | None = None


class IndividualAccount(_Section):
    """Employee individual account (个人账户): pays the personal share when the person asks."""

    pays_outpatient_without_pooling: bool = False


PsnTypeCode = Annotated[str, Field(pattern=r"^\d{2,6}$")]
"""A person-type code of the national platform (``psn_type``): digits."""


class PersonTypes(_Section):
    """The platform's person-type code (``psn_type``) on the wire for each of our person categories.

    ``retired`` is the code of a retired member of the employee scheme (the category stays ``employee``)."""

    by_category: dict[str, PsnTypeCode] = Field(min_length=1)
    retired: PsnTypeCode | None = None

    def code_for(self, category: str, retired: bool = False) -> str:
        if retired and self.retired is not None:
            return self.retired
        code = self.by_category.get(category)
        if code is None:
            raise ValueError(f"person_types.by_category has no code for category {category!r}")
        return code


class PolicyPack(_Section):
    """One region's scheme from one effective date: every benefit, contribution and coverage rule."""

    admdvs: str = Field(pattern=r"^\d{6}$")
    insutype: Literal["390", "310"]
    effective_from: date
    version: int = Field(ge=1)
    name: str
    sources: list[str] = Field(default_factory=list)
    insurance_year: Literal["calendar"]
    tiers: list[str] = Field(default_factory=list)
    funds: Funds
    itemisation: Itemisation
    inpatient: Inpatient
    outpatient: Outpatient | None = None
    maternity: Maternity | None = None
    special_diseases: SpecialDiseases | None = None
    catastrophic: Catastrophic | None = None
    assistance: Assistance | None = None
    individual_account: IndividualAccount | None = None
    person_types: PersonTypes
    financing: Financing = Financing()
    contributions: ContributionRules
    coverage: CoverageRules
    _content_hash: str | None = PrivateAttr(default=None)

    @property
    def pack_id(self) -> str:
        return f"{self.admdvs}-{self.insutype}-{self.effective_from.isoformat()}"

    @property
    def content_hash(self) -> str:
        """sha256 of the pack file's canonical content, set when the pack is loaded."""
        if self._content_hash is None:
            raise ValueError(f"pack {self.pack_id} was not loaded from a file and has no content hash")
        return self._content_hash

    def attach_content_hash(self, digest: str) -> None:
        self._content_hash = digest

    def insurance_year_of(self, day: date) -> int:
        return day.year

    @model_validator(mode="after")
    def _tiers_defined_everywhere(self) -> PolicyPack:
        tiers = set(self.tiers)
        by_tier = {
            "inpatient.schedule_by_tier": self.inpatient.schedule_by_tier,
            "inpatient.annual_payment_cap_by_tier": self.inpatient.annual_payment_cap_by_tier,
        }
        for path, mapping in by_tier.items():
            if mapping is None:
                continue
            if not tiers:
                raise ValueError(f"{path}: the pack declares no tiers")
            if set(mapping) != tiers:
                raise ValueError(f"{path}: must define exactly the tiers {sorted(tiers)}, got {sorted(mapping)}")
        if tiers and self.inpatient.schedule is not None:
            raise ValueError("inpatient.schedule: a tiered pack gives schedule_by_tier")
        return self

    @model_validator(mode="after")
    def _catastrophic_above_the_pooled_ceiling(self) -> PolicyPack:
        """On the policy-scope basis both funds pay on the same cost, so their layers must not overlap."""
        if self.catastrophic is None or self.catastrophic.basis != "policy_scope_cost":
            return self
        ceiling = self.inpatient.annual_cost_ceiling
        if ceiling is None or self.catastrophic.threshold < ceiling:
            raise ValueError("catastrophic.threshold: on the policy_scope_cost basis it must be at least "
                             "inpatient.annual_cost_ceiling, which must be set")
        return self

    @model_validator(mode="after")
    def _funds_for_every_benefit(self) -> PolicyPack:
        needed = {"catastrophic": self.catastrophic, "assistance": self.assistance,
                  "individual_account": self.individual_account}
        for fund, section in needed.items():
            if section is not None and getattr(self.funds, fund) is None:
                raise ValueError(f"funds.{fund}: the pack pays {fund} benefits but names no fund for them")
        return self

    @model_validator(mode="after")
    def _funds_for_every_financing_flow(self) -> PolicyPack:
        """A pool the pack finances, or that pays premiums on behalf, must be named."""
        if self.financing.catastrophic_per_person is not None and self.funds.catastrophic is None:
            raise ValueError("funds.catastrophic: financing.catastrophic_per_person needs a catastrophic fund")
        if self.financing.risk_reserve_share and self.funds.risk_reserve is None:
            raise ValueError("funds.risk_reserve: financing.risk_reserve_share needs a risk-reserve fund")
        resident = self.contributions.resident
        sponsored = [c.value for c, rule in (resident.on_behalf if resident else {}).items()
                     if rule.payer == "medical_assistance"]
        if sponsored and self.funds.assistance is None:
            raise ValueError(f"funds.assistance: on_behalf of {', '.join(sponsored)} is paid by medical assistance, "
                             "which the pack does not name")
        return self
