"""Request bodies of the ledger API (amounts are exact yuan strings; floats are refused)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from medfund_shared.money import YuanAmount

PERIOD = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoolBudgetIn(_Body):
    budget_due: YuanAmount = Field(description="amount due for the year (应筹)")
    planned_expenditure: YuanAmount


class InstitutionBudgetIn(_Body):
    year: int = Field(ge=1990, le=2200)
    annual_budget: YuanAmount = Field(description="global budget of fund payments (总额控制)")


class ClearingIn(_Body):
    period: str = Field(pattern=PERIOD, description="YYYY-MM: clears what is payable up to its last day")


class TransferIn(_Body):
    transfer_id: str = Field(min_length=1, max_length=100)
    to_pool_id: str
    amount: YuanAmount
    effective_date: date
    memo: str = Field(default="", max_length=500)


class Levels(_Body):
    yellow: Decimal
    red: Decimal


class ThresholdsIn(_Body):
    rules: dict[str, Levels] = Field(min_length=1)


class AckIn(_Body):
    note: str = Field(min_length=1, max_length=2000)
