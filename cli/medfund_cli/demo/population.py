"""The county's insured residents: households of realistic sizes in seed 004's category mix."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from medfund_cli.demo import names
from medfund_cli.demo.certno import FEMALE, MALE, CertnoIssuer
from medfund_cli.demo.scenario import ADMDVS, POPULATION_MIX, Scenario
from medfund_shared.policy.ages import age_on


@dataclass
class Person:
    certno: str
    psn_name: str
    gend: str
    brdy: date
    category: str
    psn_no: str | None = None

    def age_on(self, day: date) -> int:
        return age_on(self.brdy, day)


@dataclass
class Household:
    ref: str
    tier: str
    enrolled_on: date
    members: list[Person] = field(default_factory=list)
    household_id: str | None = None


def apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder), summing to ``total``."""
    whole = sum(weights.values())
    quotas = {key: total * weight for key, weight in weights.items()}
    counts = {key: quota // whole for key, quota in quotas.items()}
    by_remainder = sorted(weights, key=lambda key: (-(quotas[key] % whole), key))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def category_counts(scenario: Scenario) -> dict[str, int]:
    """Seed 004's mix scaled to the scenario, disabled split into severe and moderate."""
    counts = apportion(scenario.scale, POPULATION_MIX)
    disabled = counts.pop("disabled")
    severe = round(disabled * scenario.disabled_severe_share)
    counts["disabled_severe"], counts["disabled_moderate"] = severe, disabled - severe
    return counts


def generate(scenario: Scenario) -> list[Household]:
    """Households with exactly ``scenario.scale`` members; deterministic for a seed."""
    rng = random.Random(scenario.seed)
    issuer = CertnoIssuer()
    reference_day = scenario.calendar.year_starts
    households: list[Household] = []
    remaining = scenario.scale
    sizes, weights = zip(*scenario.household_sizes.items(), strict=True)
    calendar = scenario.calendar
    enrollment_days = calendar.days(calendar.window_opens, calendar.window_closes - timedelta(days=14))
    while remaining:
        size = min(remaining, rng.choices(sizes, weights)[0])
        household = _household(rng, issuer, f"HH{len(households) + 1:07d}", size, reference_day)
        household.tier = "tier2" if rng.random() < scenario.tier2_share else "tier1"
        household.enrolled_on = rng.choice(enrollment_days)
        households.append(household)
        remaining -= size
    _assign_categories(rng, scenario, households, reference_day)
    return households


def persons(households: Iterable[Household]) -> list[Person]:
    return [person for household in households for person in household.members]


def _household(rng: random.Random, issuer: CertnoIssuer, ref: str, size: int, reference_day: date) -> Household:
    """Head, spouse, then children (or an elderly parent when the head is too young for them)."""
    family = names.surname(rng)
    head_age = rng.randint(25, 85) if size > 1 else rng.choice((rng.randint(20, 50), rng.randint(55, 92)))
    ages = [head_age]
    if size >= 2:
        ages.append(max(18, head_age + rng.randint(-6, 4)))
    for _ in range(size - 2):
        child_age = head_age - rng.randint(22, 34)
        ages.append(child_age if child_age >= 1 else rng.randint(60, 90))
    head_male = rng.random() < 0.55
    members = []
    for position, age in enumerate(ages):
        male = (head_male, not head_male)[position] if position < 2 else rng.random() < 0.5
        gend = MALE if male else FEMALE
        brdy = _birth_date(rng, reference_day, age)
        name = names.full_name(rng, family if position != 1 else names.surname(rng), male)
        members.append(Person(issuer.issue(ADMDVS, brdy, gend), name, gend, brdy, "adult"))
    return Household(ref=ref, tier="tier1", enrolled_on=reference_day, members=members)


def _birth_date(rng: random.Random, reference_day: date, age: int) -> date:
    """A birth date making the person ``age`` on ``reference_day``."""
    latest = reference_day.replace(year=reference_day.year - age)
    return latest - timedelta(days=rng.randint(0, 364))


def _assign_categories(rng: random.Random, scenario: Scenario, households: list[Household], day: date) -> None:
    """Exact counts per category: 五保 to elderly people alone, 低保 by whole households first."""
    counts = category_counts(scenario)
    unassigned = {id(person): person for household in households for person in household.members}

    def take(category: str, candidates: list[Person]) -> None:
        for person in candidates:
            if counts[category] == 0:
                return
            if id(person) in unassigned:
                person.category = category
                del unassigned[id(person)]
                counts[category] -= 1

    def shuffled(people: Iterable[Person]) -> list[Person]:
        result = list(people)
        rng.shuffle(result)
        return result

    everyone = persons(households)
    elderly_alone = [h.members[0] for h in households if len(h.members) == 1 and h.members[0].age_on(day) >= 60]
    take("tekun", shuffled(elderly_alone) + shuffled(p for p in everyone if p.age_on(day) >= 60) + shuffled(everyone))
    for household in shuffled(households):
        if len(household.members) <= counts["dibao"]:
            take("dibao", household.members)
    take("dibao", shuffled(everyone))
    older = shuffled(p for p in everyone if p.age_on(day) >= 45)
    for category in ("entitled", "family_planning", "disabled_severe", "disabled_moderate"):
        take(category, older + shuffled(everyone))
    for person in unassigned.values():
        person.category = _ordinary_category(rng, scenario, person.age_on(day))


def _ordinary_category(rng: random.Random, scenario: Scenario, age: int) -> str:
    if age < 18:
        return "minor"
    if age <= 22 and rng.random() < scenario.student_share:
        return "student"
    return "adult"


def outsiders(scenario: Scenario, count: int, region: str = "500230") -> list[Person]:
    """People from a neighbouring county who never enrolled here (the gateway must refuse them)."""
    rng = random.Random(scenario.seed + 4)
    issuer = CertnoIssuer()
    result = []
    for _ in range(count):
        male = rng.random() < 0.5
        brdy = _birth_date(rng, scenario.calendar.year_starts, rng.randint(18, 80))
        gend = MALE if male else FEMALE
        result.append(Person(issuer.issue(region, brdy, gend), names.full_name(rng, names.surname(rng), male),
                             gend, brdy, "adult"))
    return result
