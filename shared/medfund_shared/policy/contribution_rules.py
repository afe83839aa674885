"""Contribution and coverage rules of a policy pack (placeholder until the real models land)."""

from pydantic import BaseModel, ConfigDict


class ContributionRules(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class CoverageRules(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
