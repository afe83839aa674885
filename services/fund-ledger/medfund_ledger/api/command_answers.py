"""Response models of the ledger's commands (budgets, thresholds, transfers, brought forward, clearing)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class LevelOut(BaseModel):
    yellow: str
    red: str


class ThresholdsOut(BaseModel):
    pool_id: str
    rules: dict[str, LevelOut] = Field(description="the levels this request set, by rule")


class TransferOut(BaseModel):
    transfer_id: str
    from_pool_id: str
    to_pool_id: str
    amount: str
    effective_date: date


class BroughtForwardOut(BaseModel):
    pool_id: str
    amount: str
    effective_date: date = Field(description="the first day of the pool's year")
    voucher_no: str


class InstitutionBudgetOut(BaseModel):
    fixmedins_code: str
    year: int
    annual_budget: str
    fund_paid: str = Field(description="what the fund paid the institution in that year so far")


class ClearingOut(BaseModel):
    fixmedins_code: str
    period: str
    entry_key: str
    cleared: dict[str, str] = Field(description="pool_id -> amount paid out of it")
    total: str
