"""A household's registration for an insurance year: every member checked, priced and classified.

Everyone on one household register enrolls together and picks the same tier (001 P10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from medfund_enrollment.domain import certno as ids
from medfund_enrollment.domain.categories import EMPLOYEE, parse_categories, primary_category
from medfund_enrollment.domain.employee import (
    EmployeeDetails,
    EmployeeFacts,
    checked_employee,
    refuse_employee_details,
)
from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import ResidentCategory
from medfund_shared.policy.contributions import ContributionInputError, ResidentPerson, resident_premium
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME
from medfund_shared.text_rules import NAME_MAX_LENGTH, text_problem

SSC_NO = re.compile(r"[A-Z0-9]{1,20}")


class Kind(StrEnum):
    """How a person enters the year; the values are those of ``person.registered.v1``."""

    NEW = "new"
    RENEWAL = "renewal"
    NEWBORN = "newborn"
    MID_YEAR = "mid_year"


@dataclass(frozen=True)
class MemberApplication:
    certno: str
    psn_name: str
    gend: str
    brdy: date
    categories: tuple[str, ...] = ()
    event_date: date | None = None
    """A mid-year joiner's qualifying event (discharge, marriage, release, graduation)."""
    ssc_no: str | None = None
    """The social-security card number (社会保障卡号), when the applicant gives it."""
    employee: EmployeeDetails = EmployeeDetails()
    """The employee-scheme facts (310 only)."""


@dataclass(frozen=True)
class HouseholdApplication:
    admdvs: str
    insutype: str
    year: int
    tier: str | None
    members: tuple[MemberApplication, ...]
    enrolled_on: date
    """The business date of the registration (the day the household applied)."""


@dataclass(frozen=True)
class MemberPlan:
    """One member as they will be enrolled: the facts, the category and what is due."""

    certno: str
    psn_name: str
    gend: str
    brdy: date
    category: str
    categories: tuple[str, ...]
    kind: Kind
    premium_due: Money
    on_behalf_due: Money
    event_date: date | None = None
    ssc_no: str | None = None
    employee: EmployeeFacts | None = None
    """Who the member is in the employee scheme; ``None`` in 390."""


def check_tier(pack: PolicyPack, tier: str | None) -> str | None:
    """One tier per household, one the pack offers; a pack without tiers takes none."""
    offered = pack.contributions.resident.tiers if pack.contributions.resident else ()
    if offered and tier not in offered:
        raise InvalidRequest("unknown_tier", f"the household must choose one tier of {list(offered)}", "tier")
    if not offered and tier is not None:
        raise InvalidRequest("unknown_tier", f"region {pack.admdvs} has no tiers; leave tier out", "tier")
    return tier


def checked_member(member: MemberApplication, field: str) -> MemberApplication:
    """A member whose ID number, birth date and gender agree; name present."""
    try:
        certno = ids.normalise(member.certno)
        ids.check_consistent(certno, member.brdy, member.gend)
    except InvalidRequest as error:
        raise InvalidRequest(error.code, error.message, f"{field}.{error.field}") from None
    if not member.psn_name.strip():
        raise InvalidRequest("invalid_name", "psn_name must not be empty", f"{field}.psn_name")
    if problem := text_problem(member.psn_name.strip(), NAME_MAX_LENGTH):
        raise InvalidRequest("invalid_name", f"psn_name {problem}", f"{field}.psn_name")
    return replace(member, certno=certno, psn_name=member.psn_name.strip(),
                   ssc_no=checked_ssc_no(member.ssc_no, f"{field}.ssc_no"))


def checked_ssc_no(ssc_no: str | None, field: str) -> str | None:
    """A social-security card number is 1-20 ASCII letters or digits (upper-cased); absent stays absent."""
    if ssc_no is None or not ssc_no.strip():
        return None
    value = ssc_no.strip().upper()
    if not SSC_NO.fullmatch(value):
        raise InvalidRequest("invalid_ssc_no", "ssc_no must be 1-20 ASCII letters or digits", field)
    return value


def plan_household(pack: PolicyPack, application: HouseholdApplication,
                   renewing: frozenset[str] = frozenset()) -> list[MemberPlan]:
    """Every member checked and priced; ``renewing`` holds the certnos insured the year before."""
    if not application.members:
        raise InvalidRequest("no_members", "a household registers at least one member", "members")
    tier = check_tier(pack, application.tier) if application.insutype == RESIDENT_SCHEME else None
    plans, seen = [], set()
    for index, member in enumerate(application.members):
        field = f"members.{index}"
        checked = checked_member(member, field)
        if checked.certno in seen:
            raise InvalidRequest("duplicate_member", "the same certno appears twice in the household",
                                 f"{field}.certno")
        seen.add(checked.certno)
        plans.append(plan_member(pack, application, checked, tier, checked.certno in renewing, field))
    return plans


def plan_member(pack: PolicyPack, application: HouseholdApplication, member: MemberApplication,
                tier: str | None, renewing: bool, field: str) -> MemberPlan:
    """Category, kind and premium of one checked member."""
    if application.insutype == EMPLOYEE_SCHEME:
        return MemberPlan(member.certno, member.psn_name, member.gend, member.brdy, EMPLOYEE, (EMPLOYEE,),
                          Kind.RENEWAL if renewing else Kind.NEW, Money.zero(), Money.zero(), ssc_no=member.ssc_no,
                          employee=checked_employee(member.employee, field))
    refuse_employee_details(member.employee, field)
    categories = parse_categories(member.categories, f"{field}.category")
    if member.brdy > application.enrolled_on:
        raise InvalidRequest("invalid_brdy", "brdy is after the registration date", f"{field}.brdy")
    kind = enrollment_kind(pack, member, application.enrolled_on, renewing)
    priced = price_member(pack, member.brdy, categories, tier, application.year, application.enrolled_on, field)
    return MemberPlan(member.certno, member.psn_name, member.gend, member.brdy, priced.category, priced.categories,
                      kind, priced.premium_due, priced.on_behalf_due, member.event_date, member.ssc_no)


@dataclass(frozen=True)
class Priced:
    """A resident's primary category (the most favourable of those that apply) and what is due for it."""

    category: str
    categories: tuple[str, ...]
    premium_due: Money
    on_behalf_due: Money


def price_member(pack: PolicyPack, brdy: date, categories: frozenset[ResidentCategory], tier: str | None,
                 year: int, enrolled_on: date, field: str) -> Priced:
    """Primary category and premium under ``pack``; ``enrolled_on`` decides newborn relief."""
    try:
        primary = primary_category(pack, categories, brdy, tier, year, enrolled_on)
        person = ResidentPerson(birth_date=brdy, categories=frozenset(c.value for c in categories), tier=tier)
        premium = resident_premium(pack, person, year, enrolled_on)
    except ContributionInputError as error:
        raise InvalidRequest("invalid", str(error), field) from None
    return Priced(primary.value, tuple(sorted(c.value for c in categories)), premium.individual, premium.on_behalf)


def enrollment_kind(pack: PolicyPack, member: MemberApplication, enrolled_on: date, renewing: bool) -> Kind:
    """Newborn within the pack's days of birth, else mid-year joiner, renewal or new."""
    rules = pack.coverage.resident
    if rules.newborn_days is not None and (enrolled_on - member.brdy).days <= rules.newborn_days:
        return Kind.NEWBORN
    if member.event_date is not None:
        return Kind.MID_YEAR
    return Kind.RENEWAL if renewing else Kind.NEW

