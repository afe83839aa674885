"""Resident categories: which ones exist and which one is a person's primary category.

When several apply, the most favourable wins (就高原则, seed 001 P3): the one leaving the least
for the person to pay under the region's pack; on a tie, the one with the richer benefits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.policy.contribution_rules import ResidentCategory
from medfund_shared.policy.contributions import ResidentPerson, resident_premium
from medfund_shared.policy.schema import PolicyPack

EMPLOYEE = "employee"
"""The category recorded for a member of the employee scheme (310), which has no resident categories."""

BENEFIT_ORDER: tuple[ResidentCategory, ...] = (
    ResidentCategory.TEKUN, ResidentCategory.DIBAO, ResidentCategory.DISABLED_SEVERE,
    ResidentCategory.POVERTY_REGISTERED, ResidentCategory.ORPHAN, ResidentCategory.ENTITLED,
    ResidentCategory.FAMILY_PLANNING, ResidentCategory.DISABLED_MODERATE, ResidentCategory.STUDENT,
    ResidentCategory.MINOR, ResidentCategory.ADULT,
)
"""Tie-break between categories costing the same: assistance-bearing categories first."""


def parse_categories(codes: Iterable[str], field: str = "category") -> frozenset[ResidentCategory]:
    """Known category codes, at least one; ``unknown_category`` names the first unknown one."""
    known = {c.value for c in ResidentCategory}
    parsed = set()
    for code in codes:
        if code not in known:
            raise InvalidRequest("unknown_category", f"unknown category {code!r}; known: {sorted(known)}", field)
        parsed.add(ResidentCategory(code))
    if not parsed:
        raise InvalidRequest("missing_category", "give a category (or categories)", field)
    return frozenset(parsed)


def primary_category(pack: PolicyPack, categories: frozenset[ResidentCategory], birth_date: date,
                     tier: str | None, year: int, enrolled_on: date) -> ResidentCategory:
    """The most favourable of ``categories`` under ``pack``: least individual premium, then benefits."""
    if len(categories) == 1:
        return next(iter(categories))

    def cost(category: ResidentCategory) -> tuple[int, int]:
        person = ResidentPerson(birth_date=birth_date, categories=frozenset({category.value}), tier=tier)
        individual = resident_premium(pack, person, year, enrolled_on).individual
        return individual.fen, BENEFIT_ORDER.index(category)

    return min(categories, key=cost)
