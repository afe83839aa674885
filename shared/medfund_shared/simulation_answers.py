"""The answers of ``POST /v1/simulations`` and ``GET /v1/simulations/{simulation_id}`` (docs/simulations.md), as
response models for the OpenAPI documents: adjudication answers them and the fund ledger forwards them unchanged
to the console, so both services' documents name the same models. Money is yuan as exact decimal text."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

YUAN = "yuan, exact decimal text"


class SimulationStarted(BaseModel):
    simulation_id: str
    status: Literal["queued"]


class SimulationProgress(BaseModel):
    processed: int = Field(description="settlements replayed so far (written every 5,000)")
    total: int | None = Field(description="settlements the period holds; null until counted")


class RefusedSettlements(BaseModel):
    count: int = Field(description="settlements the candidate pack refuses")
    actual_fund_pay: str = Field(description=f"their recorded fund pay, {YUAN}")


class FundPayComparison(BaseModel):
    """Fund pay as recorded and under the candidate for one key of a dimension."""

    key: str
    actual: str = Field(description=YUAN)
    candidate: str = Field(description=YUAN)
    difference: str = Field(description=f"candidate less actual, {YUAN}")


class FundMonth(BaseModel):
    fund_pay_type: str
    month: str = Field(description="YYYY-MM of the settlements")
    actual: str = Field(description=YUAN)
    candidate: str = Field(description=YUAN)
    difference: str = Field(description=f"candidate less actual, {YUAN}")


class Decile(BaseModel):
    decile: int = Field(description="1 to 10")
    actual: str = Field(description=f"annual share per person at this decile as recorded, {YUAN}")
    candidate: str = Field(description=f"the same under the candidate, {YUAN}")


class Rise(BaseModel):
    psn_no: str
    actual: str = Field(description=YUAN)
    candidate: str = Field(description=YUAN)
    rise: str = Field(description=YUAN)


class Rises(BaseModel):
    more_than: str = Field(description=f"the request's share_rise, {YUAN}")
    count: int
    people: list[Rise] = Field(description="the 100 largest rises, largest first")


class NewlyCatastrophic(BaseModel):
    count: int
    people: list[str] = Field(description="psn_no of the first 100")


class OutOfPocket(BaseModel):
    deciles: list[Decile]
    rises: Rises
    newly_catastrophic: NewlyCatastrophic


class ActualAndCandidate(BaseModel):
    """A pool's figure as recorded and under the candidate (the ledger's ``POST /v1/pools/{id}/what-if`` too)."""

    actual: str | None
    candidate: str | None


class FiringRule(BaseModel):
    rule: str
    measure: str
    threshold: str
    level: str = Field(description="yellow or red")


class PoolPicture(BaseModel):
    pool_id: str = Field(description="admdvs:fund_pay_type:year")
    fund_pay_type: str
    year: int
    income: str = Field(description=YUAN)
    actual_fund_pay: str = Field(description=YUAN)
    candidate_fund_pay: str = Field(description=YUAN)
    difference: str = Field(description=YUAN)
    year_end_balance: ActualAndCandidate
    reserve_months: ActualAndCandidate = Field(description="null: undefined (no expenditure in the window)")
    warnings: list[FiringRule] = Field(description="the pool rules at yellow or red under the candidate")


class FundPicture(BaseModel):
    """The fund ledger's pools judged with the candidate's expenditure, read when the answer is given."""

    available: bool
    reason: str | None = Field(description="why the ledger could not be asked; null when available")
    as_of: date
    items: list[PoolPicture]


class SimulationResult(BaseModel):
    pack_id: str
    pack_hash: str
    settlements: int
    reversed: int
    refused: RefusedSettlements
    without_inputs: int = Field(description="settlements recorded without their inputs: left out on both sides")
    people: int
    fund: list[FundPayComparison] = Field(description="by fund_pay_type: that fund's pay")
    month: list[FundPayComparison] = Field(description="by settlement month")
    institution_level: list[FundPayComparison]
    area: list[FundPayComparison]
    person_category: list[FundPayComparison]
    age_band: list[FundPayComparison]
    fund_by_month: list[FundMonth]
    out_of_pocket: OutOfPocket
    pools: FundPicture | None = Field(default=None, description="the fund picture; only in GET /v1/simulations/{id}")


class Simulation(BaseModel):
    simulation_id: str
    status: Literal["queued", "running", "done", "failed"]
    admdvs: str
    insutype: str
    year: int | None
    from_: date | None = Field(alias="from")
    to: date | None
    progress: SimulationProgress
    result: SimulationResult | None = Field(description="once done")
    error: str | None = Field(description="why the simulation failed")
