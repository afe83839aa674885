"""What each generated person owes and when their cover starts, by the county's policy pack.

The demo predicts these only to plan its story (who may visit a hospital when); the services
decide for real, and the summary reports what they decided.
"""

from __future__ import annotations

from datetime import date

from medfund_cli.demo.population import Household, Person
from medfund_shared.money import Money
from medfund_shared.policy.contributions import ResidentPerson, resident_premium
from medfund_shared.policy.coverage import CoveragePeriod, CoverageRequest, EnrollmentKind, resident_coverage
from medfund_shared.policy.schema import PolicyPack


def individual_due(pack: PolicyPack, household: Household, person: Person, year: int) -> Money:
    """The part of the premium the person pays themselves (the government pays the rest on behalf)."""
    resident = ResidentPerson(birth_date=person.brdy, categories=frozenset({person.category}), tier=household.tier)
    return resident_premium(pack, resident, year, household.enrolled_on).individual


def pooled_income(pack: PolicyPack, households: list[Household], year: int) -> Money:
    """The pooled fund's income for ``year`` by the pack: each person's premium (what they pay and what
    the government pays on their behalf; not what is waived) plus the per-capita government subsidy."""
    income = Money.zero()
    for household in households:
        for person in household.members:
            resident = ResidentPerson(birth_date=person.brdy, categories=frozenset({person.category}),
                                      tier=household.tier)
            premium = resident_premium(pack, resident, year, household.enrolled_on)
            income = income + premium.standard - premium.waived + premium.subsidy_total
    return income


def cover_from(pack: PolicyPack, person: Person, year: int, paid_on: date) -> date | None:
    """First day of cover for a renewal paid in full on ``paid_on``; ``None`` when refused."""
    decision = resident_coverage(pack, CoverageRequest(insurance_year=year, kind=EnrollmentKind.RENEWAL,
                                                       paid_at=paid_on, birth_date=person.brdy))
    return decision.starts if isinstance(decision, CoveragePeriod) else None
