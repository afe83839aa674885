"""The contribution and coverage sections of a policy pack, validated field by field.

Amounts are written in the pack as yuan strings and held as ``Money``; ratios are exact
``Decimal``; dates inside a year are ``"MM-DD"`` strings. Nothing here computes a premium or a
coverage period: the rules live in ``contributions.py`` and ``coverage.py``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from medfund_shared.money import Money
from medfund_shared.policy.pack_fields import Amount, Multiple, Ratio

GovernmentLevel = Literal["central", "provincial", "city", "county"]
GOVERNMENT_LEVELS: tuple[GovernmentLevel, ...] = ("central", "provincial", "city", "county")


class ResidentCategory(StrEnum):
    """A resident's category; ``adult``, ``minor`` and ``student`` choose the premium band."""

    ADULT = "adult"
    MINOR = "minor"
    STUDENT = "student"
    DIBAO = "dibao"
    TEKUN = "tekun"
    DISABLED_SEVERE = "disabled_severe"
    DISABLED_MODERATE = "disabled_moderate"
    POVERTY_REGISTERED = "poverty_registered"
    ENTITLED = "entitled"
    FAMILY_PLANNING = "family_planning"
    ORPHAN = "orphan"


BAND_CATEGORIES = frozenset({ResidentCategory.ADULT, ResidentCategory.MINOR, ResidentCategory.STUDENT})


Days = Annotated[int, Field(ge=0)]


class MonthDay(NamedTuple):
    """A day of the year without the year, e.g. the opening of the enrollment window."""

    month: int
    day: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)


def _month_day(value: Any) -> MonthDay:
    if isinstance(value, MonthDay):
        return value
    if not isinstance(value, str) or len(value) != 5 or value[2] != "-":
        raise ValueError(f"write a day of the year as \"MM-DD\", got {value!r}")
    try:
        month, day = int(value[:2]), int(value[3:])
        date(2001, month, day)
    except ValueError as exc:
        raise ValueError(f"not a day of every year (write the end of February as a month): {value!r}") from exc
    return MonthDay(month, day)


MonthDayField = Annotated[MonthDay, BeforeValidator(_month_day)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- resident contributions ---------------------------------------------------------------


class PremiumBands(_Section):
    """The individual premium for a year by band; a band equal to ``adult`` is written anyway."""

    adult: Amount
    minor: Amount
    student: Amount

    def of(self, band: ResidentCategory) -> Money:
        return getattr(self, band.value)


class OnBehalf(_Section):
    """The government pays ``share`` of a premium on the person's behalf (代缴).

    ``of_tier`` names the tier whose premium the share applies to (001 P3: "60% of the tier-1
    premium"); without it the share applies to the premium of the tier the household chose.
    """

    share: Ratio
    of_tier: str | None = None
    payer: Literal["government", "medical_assistance"] = "government"
    """Who pays: the government's budget, or the medical-assistance fund (资助参保), whose payment is then
    expenditure of the assistance pool and income of the pooled fund."""


class NewbornPremium(_Section):
    """The premium of a newborn for the birth year: waived, or paid by the government."""

    payer: Literal["waived", "government"]
    within_days: Days | None = None
    """Only when enrolled within this many days of birth; ``None``: whenever in the birth year."""


class Subsidy(_Section):
    """The government's per-capita subsidy, optionally split by level of government."""

    per_capita: Amount
    shares: dict[GovernmentLevel, Ratio] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shares_add_up(self) -> Subsidy:
        if self.shares and sum(self.shares.values()) != 1:
            raise ValueError("shares: the levels' shares must add up to exactly 1")
        return self


class ResidentContributions(_Section):
    """Resident scheme (390): individual premiums, payments on behalf, newborns, subsidy."""

    minor_below_age: int = Field(ge=1)
    premiums: PremiumBands | None = None
    premiums_by_tier: dict[str, PremiumBands] | None = None
    on_behalf: dict[ResidentCategory, OnBehalf] = Field(default_factory=dict)
    newborn: NewbornPremium | None = None
    subsidy: Subsidy

    @model_validator(mode="after")
    def _consistent(self) -> ResidentContributions:
        if (self.premiums is None) == (self.premiums_by_tier is None):
            raise ValueError("give exactly one of premiums or premiums_by_tier")
        if self.premiums_by_tier is not None and not self.premiums_by_tier:
            raise ValueError("premiums_by_tier: name at least one tier")
        for category, rule in self.on_behalf.items():
            if category in BAND_CATEGORIES:
                raise ValueError(f"on_behalf.{category.value}: a premium band, not a category paid on behalf")
            if rule.of_tier is not None and rule.of_tier not in (self.premiums_by_tier or {}):
                raise ValueError(f"on_behalf.{category.value}.of_tier: no such tier {rule.of_tier!r}")
        return self

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(self.premiums_by_tier or ())

    def bands(self, tier: str | None) -> PremiumBands:
        return self.premiums if self.premiums is not None else self.premiums_by_tier[tier]


# --- employee contributions ---------------------------------------------------------------


class AccountCreditBand(_Section):
    """From this age on (in service), this share of the base is credited to the individual account."""

    from_age: int = Field(ge=0)
    rate: Ratio


class EmployeeContributions(_Section):
    """Employee scheme (310): contribution base, rates, individual-account credits."""

    provincial_average_annual_wage: Amount
    base_floor: Multiple
    base_ceiling: Multiple
    employer_rate: Ratio
    employee_rate: Ratio
    account_credit_by_age: list[AccountCreditBand] = Field(min_length=1)
    retiree_account_credit_of_pension: Ratio
    flexible_worker_rate: Ratio | None = None
    """A flexible worker (灵活就业) pays this share of a base of their choice, all personally;
    ``None``: the region takes no flexible workers."""

    @model_validator(mode="after")
    def _consistent(self) -> EmployeeContributions:
        if self.base_floor > self.base_ceiling:
            raise ValueError("base_floor: must not exceed base_ceiling")
        ages = [band.from_age for band in self.account_credit_by_age]
        if ages[0] != 0 or any(a >= b for a, b in pairwise(ages)):
            raise ValueError("account_credit_by_age: from_age starts at 0 and strictly increases")
        total_rate = self.employer_rate + self.employee_rate
        if any(band.rate > total_rate for band in self.account_credit_by_age):
            raise ValueError("account_credit_by_age: a credit cannot exceed the contribution it comes from")
        return self

    def account_credit_rate(self, age: int) -> Decimal:
        return [band.rate for band in self.account_credit_by_age if band.from_age <= age][-1]


class ContributionRules(_Section):
    """A pack's contribution rules: exactly one of the resident or the employee form."""

    resident: ResidentContributions | None = None
    employee: EmployeeContributions | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> ContributionRules:
        if (self.resident is None) == (self.employee is None):
            raise ValueError("give exactly one of resident or employee")
        return self


# --- coverage ------------------------------------------------------------------------------


class EnrollmentWindow(_Section):
    """The window for next year's premium, as days of the calendar year before the insurance year."""

    opens: MonthDayField
    closes: MonthDayField

    @model_validator(mode="after")
    def _ordered(self) -> EnrollmentWindow:
        if self.opens > self.closes:
            raise ValueError("opens: the window must open before it closes")
        return self


class LatePayment(_Section):
    """Payment after the window: a grace period through the end of a month, then a waiting period."""

    grace_through_month: int | None = Field(default=None, ge=1, le=12)
    """Paid by the end of this month of the insurance year: covered from the 1st of the next month."""
    wait_days: Days
    """Otherwise covered from this many days after payment."""


class MidYearJoiners(_Section):
    """People joining after a life event (discharge, marriage, graduation…) within a few months of it."""

    within_months: int = Field(ge=1)


class ResidentCoverage(_Section):
    """When a resident's paid premium turns into cover, and when it is refused."""

    insurance_year_starts: MonthDayField
    window: EnrollmentWindow
    new_enrollee_wait_days: Days | None = None
    """A new enrollee waits this long from payment even when paying within the window."""
    late_payment: LatePayment
    mid_year_joiners: MidYearJoiners | None = None
    newborn_days: Days | None = None
    """Enrolled within this many days of birth: covered from birth."""
    lapse_days: Days | None = None
    """A gap longer than this since the previous cover ended makes a renewal a new enrollment."""

    def insurance_year(self, year: int) -> tuple[date, date]:
        """First and last day of the insurance year ``year``."""
        starts = self.insurance_year_starts.in_year(year)
        return starts, self.insurance_year_starts.in_year(year + 1) - timedelta(days=1)


class RetireeMinimumYears(_Section):
    """Contribution years a retiree needs to be covered without contributing (最低缴费年限), by gender."""

    male: int = Field(ge=0)
    female: int = Field(ge=0)

    def for_gender(self, gend: str) -> int:
        """``gend`` as on the wire: ``1`` male, ``2`` female."""
        return self.male if gend == "1" else self.female


class EmployeeCoverage(_Section):
    """When an employee's paid months give cover, when unpaid months suspend it, and what lateness costs."""

    wait_months: int = Field(ge=0)
    """Benefits start this many calendar months after the first month paid (0: from that month)."""
    suspend_after_unpaid_months: int | None = Field(default=None, ge=1)
    """Cover is suspended after this many consecutive unpaid months; ``None``: never."""
    declaration_due_day: int | None = Field(default=None, ge=1, le=28)
    """A month's contribution is due by this day of the following month; later is late."""
    late_fee_daily_rate: Ratio | None = None
    """滞纳金: this share of a late month's contribution for every day after the due day."""
    retiree_minimum_years: RetireeMinimumYears | None = None
    """``None``: every retiree is covered without contributions."""

    @model_validator(mode="after")
    def _late_fee_needs_due_day(self) -> EmployeeCoverage:
        if (self.declaration_due_day is None) != (self.late_fee_daily_rate is None):
            raise ValueError("late_fee_daily_rate: give it together with declaration_due_day")
        return self


class CoverageRules(_Section):
    """A pack's coverage rules: exactly one of the resident or the employee form."""

    resident: ResidentCoverage | None = None
    employee: EmployeeCoverage | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> CoverageRules:
        if (self.resident is None) == (self.employee is None):
            raise ValueError("give exactly one of resident or employee")
        return self
