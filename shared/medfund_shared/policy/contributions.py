"""Who pays what for a year of cover: resident premiums and employee contributions.

Pure functions over a policy pack. Every amount is exact in fen; whenever an amount is split
(subsidy by level, contribution into account and pool) the parts add up to the whole exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from medfund_shared.money import Money
from medfund_shared.policy.ages import age_on
from medfund_shared.policy.contribution_rules import (
    GOVERNMENT_LEVELS,
    EmployeeContributions,
    ResidentCategory,
    ResidentContributions,
    Subsidy,
)

if TYPE_CHECKING:
    from medfund_shared.policy.schema import PolicyPack

NEWBORN = "newborn"
MONTHS_PER_YEAR = 12


class ContributionInputError(ValueError):
    """A question the pack cannot answer: wrong scheme, unknown tier or category."""


# --- resident premiums ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentPerson:
    birth_date: date
    categories: frozenset[str] = frozenset()
    tier: str | None = None
    """The household's tier in a tiered pack; ``None`` in a pack without tiers."""


@dataclass(frozen=True)
class SubsidyLine:
    level: str
    amount: Money


@dataclass(frozen=True)
class ResidentPremium:
    """One person's premium for one insurance year: ``standard = individual + on_behalf + waived``."""

    tier: str | None
    band: ResidentCategory
    standard: Money
    individual: Money
    """What the person pays; paying this much counts as paid in full."""
    on_behalf: Money
    """The individual share the government pays for the person (代缴)."""
    waived: Money
    applied: str
    """What decided the amount: the band, the winning category, or ``newborn``."""
    subsidy: tuple[SubsidyLine, ...]

    @property
    def subsidy_total(self) -> Money:
        return sum((line.amount for line in self.subsidy), Money.zero())

    def is_paid_in_full(self, paid: Money) -> bool:
        return paid >= self.individual


def resident_premium(pack: PolicyPack, person: ResidentPerson, insurance_year: int,
                     enrolled_on: date) -> ResidentPremium:
    """The premium due for ``person`` for ``insurance_year``, enrolling on ``enrolled_on``.

    Age is reckoned on the first day of the insurance year (a child born later in it is 0).
    When several categories apply, the one leaving the person least to pay wins (就高原则, 001 P3).
    """
    rules = _resident_rules(pack)
    tier = _checked_tier(rules, person.tier)
    categories = _checked_categories(person.categories)
    year = pack.coverage.resident.insurance_year(insurance_year)
    band = _band(rules, tier, categories, age_on(person.birth_date, max(year[0], person.birth_date)))
    standard = rules.bands(tier).of(band)
    zero = Money.zero()
    options = [(band.value, standard, zero, zero)]
    if _newborn_relief_applies(rules, person.birth_date, year, enrolled_on):
        government_pays = rules.newborn.payer == "government"
        options.append((NEWBORN, zero, standard if government_pays else zero, zero if government_pays else standard))
    for category in sorted(categories & rules.on_behalf.keys()):
        on_behalf = _on_behalf(rules, category, band, tier, standard)
        options.append((category.value, standard - on_behalf, on_behalf, zero))
    applied, individual, on_behalf, waived = min(options, key=lambda option: option[1])
    return ResidentPremium(tier=tier, band=band, standard=standard, individual=individual,
                           on_behalf=on_behalf, waived=waived, applied=applied,
                           subsidy=split_subsidy(rules.subsidy))


def split_subsidy(subsidy: Subsidy) -> tuple[SubsidyLine, ...]:
    """The per-capita subsidy by level of government.

    Each level gets the rounded running total minus the rounded total before it, so no line is
    negative and the lines add up to the per-capita amount exactly.
    """
    if not subsidy.shares:
        return (SubsidyLine("government", subsidy.per_capita),)
    lines, share_so_far, allocated = [], Decimal(0), Money.zero()
    for level in (level for level in GOVERNMENT_LEVELS if level in subsidy.shares):
        share_so_far += subsidy.shares[level]
        running_total = subsidy.per_capita.times(share_so_far)
        lines.append(SubsidyLine(level, running_total - allocated))
        allocated = running_total
    return tuple(lines)


def _resident_rules(pack: PolicyPack) -> ResidentContributions:
    if pack.contributions.resident is None or pack.coverage.resident is None:
        raise ContributionInputError(f"pack {pack.pack_id} is not a resident scheme")
    return pack.contributions.resident


def _checked_tier(rules: ResidentContributions, tier: str | None) -> str | None:
    if rules.tiers and tier not in rules.tiers:
        raise ContributionInputError(f"tier: the household must choose one of {list(rules.tiers)}, got {tier!r}")
    if not rules.tiers and tier is not None:
        raise ContributionInputError(f"tier: this pack has no tiers, got {tier!r}")
    return tier


def _checked_categories(codes: frozenset[str]) -> frozenset[ResidentCategory]:
    known = {category.value for category in ResidentCategory}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ContributionInputError(f"categories: unknown {unknown}")
    return frozenset(ResidentCategory(code) for code in codes)


def _band(rules: ResidentContributions, tier: str | None, categories: frozenset[ResidentCategory],
          age: int) -> ResidentCategory:
    """Minor or adult by age, or student by category: the cheaper when both apply."""
    bands = [ResidentCategory.MINOR if age < rules.minor_below_age else ResidentCategory.ADULT]
    if ResidentCategory.STUDENT in categories:
        bands.append(ResidentCategory.STUDENT)
    premiums = rules.bands(tier)
    return min(bands, key=premiums.of)


def _newborn_relief_applies(rules: ResidentContributions, birth_date: date, year: tuple[date, date],
                            enrolled_on: date) -> bool:
    """Relief for the birth year only, and only when enrolled soon enough if the pack says so."""
    if rules.newborn is None or not year[0] <= birth_date <= year[1]:
        return False
    limit = rules.newborn.within_days
    return limit is None or (enrolled_on - birth_date).days <= limit


def _on_behalf(rules: ResidentContributions, category: ResidentCategory, band: ResidentCategory,
               tier: str | None, standard: Money) -> Money:
    """The government's share for a category, never more than the premium actually due."""
    rule = rules.on_behalf[category]
    basis = rules.bands(rule.of_tier).of(band) if rule.of_tier is not None else standard
    return min(basis.times(rule.share), standard)


# --- employee contributions -----------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeMember:
    birth_date: date
    retired: bool = False
    prior_year_average_monthly_wage: Money | None = None
    """In service: the own average monthly wage of the previous year."""
    monthly_pension: Money | None = None
    """Retired: the monthly pension the account credit is reckoned on."""


@dataclass(frozen=True)
class EmployeeContribution:
    """One month's contribution and where it goes; ``pooled_fund + account_credit == total``.

    For a retiree nothing is paid and ``pooled_fund`` is negative: the pool finances the credit.
    """

    base: Money
    employer: Money
    employee: Money
    account_credit: Money

    @property
    def total(self) -> Money:
        return self.employer + self.employee

    @property
    def pooled_fund(self) -> Money:
        return self.total - self.account_credit


def contribution_base(pack: PolicyPack, prior_year_average_monthly_wage: Money) -> Money:
    """Own prior-year average monthly wage, kept between the pack's floor and ceiling."""
    floor, ceiling = base_bounds(pack)
    return max(floor, min(prior_year_average_monthly_wage, ceiling))


def employee_contribution(pack: PolicyPack, member: EmployeeMember, month: date) -> EmployeeContribution:
    """The contribution for ``month``; age for the account credit is reckoned on its first day."""
    rules = _employee_rules(pack)
    if member.retired:
        return _retiree_credit(rules, member)
    if member.prior_year_average_monthly_wage is None:
        raise ContributionInputError("prior_year_average_monthly_wage: needed for a member in service")
    base = contribution_base(pack, member.prior_year_average_monthly_wage)
    credit_rate = rules.account_credit_rate(age_on(member.birth_date, month.replace(day=1)))
    return EmployeeContribution(base=base, employer=base.times(rules.employer_rate),
                                employee=base.times(rules.employee_rate), account_credit=base.times(credit_rate))


def base_bounds(pack: PolicyPack) -> tuple[Money, Money]:
    """The monthly contribution base's floor and ceiling (shares of the provincial average monthly wage)."""
    rules = _employee_rules(pack)
    average = rules.provincial_average_annual_wage.times(Fraction(1, MONTHS_PER_YEAR))
    return average.times(rules.base_floor), average.times(rules.base_ceiling)


def flexible_worker_contribution(pack: PolicyPack, birth_date: date, base: Money,
                                 month: date) -> EmployeeContribution:
    """A flexible worker's month (灵活就业): the pack's rate of a base they chose within the floor and
    ceiling, all paid personally, split between account and pool exactly as an employee's."""
    rules = _employee_rules(pack)
    if rules.flexible_worker_rate is None:
        raise ContributionInputError(f"base: pack {pack.pack_id} takes no flexible workers")
    floor, ceiling = base_bounds(pack)
    if not floor <= base <= ceiling:
        raise ContributionInputError(f"base: must lie between {floor.to_yuan()} and {ceiling.to_yuan()}")
    credit_rate = rules.account_credit_rate(age_on(birth_date, month.replace(day=1)))
    return EmployeeContribution(base=base, employer=Money.zero(), employee=base.times(rules.flexible_worker_rate),
                                account_credit=base.times(credit_rate))


def _retiree_credit(rules: EmployeeContributions, member: EmployeeMember) -> EmployeeContribution:
    if member.monthly_pension is None:
        raise ContributionInputError("monthly_pension: needed for a retiree")
    zero = Money.zero()
    credit = member.monthly_pension.times(rules.retiree_account_credit_of_pension)
    return EmployeeContribution(base=zero, employer=zero, employee=zero, account_credit=credit)


def _employee_rules(pack: PolicyPack) -> EmployeeContributions:
    if pack.contributions.employee is None:
        raise ContributionInputError(f"pack {pack.pack_id} is not an employee scheme")
    return pack.contributions.employee

