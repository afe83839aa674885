"""Government money for a resident: the per-capita subsidy, split by level as the pack says."""

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
