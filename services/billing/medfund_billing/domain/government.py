"""Government money for a resident: the per-capita subsidy, split by level as the pack says, and who pays a
category's premium on the person's behalf."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_shared.money import Money
from medfund_shared.policy.contribution_rules import GOVERNMENT_LEVELS
from medfund_shared.policy.contributions import ContributionInputError, split_subsidy
from medfund_shared.policy.schema import PolicyPack


@dataclass(frozen=True, slots=True)
class SubsidyAllocation:
    amount: Money
    shares: tuple[tuple[str, Money], ...]
    """(level, amount) per level of government; empty when the pack does not split the subsidy."""


def subsidy_allocation(pack: PolicyPack) -> SubsidyAllocation:
    """The per-capita subsidy of a resident pack; the shares add up to the amount exactly."""
    if pack.contributions.resident is None:
        raise ContributionInputError(f"pack {pack.pack_id} is not a resident scheme")
    subsidy = pack.contributions.resident.subsidy
    lines = split_subsidy(subsidy)
    shares = tuple((line.level, line.amount) for line in lines if line.level in GOVERNMENT_LEVELS)
    return SubsidyAllocation(subsidy.per_capita, shares)


def on_behalf_payer(pack: PolicyPack, category: str) -> str:
    """``medical_assistance`` when the pack has the assistance fund pay this category's premium (资助参保),
    else ``government`` (also for a share the pack does not list, e.g. a newborn's)."""
    resident = pack.contributions.resident
    rule = resident.on_behalf.get(category) if resident is not None else None
    return rule.payer if rule is not None else "government"
