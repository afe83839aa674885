"""Response models of the console's read endpoints (yuan strings at the edge, ISO dates and times)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class Name(BaseModel):
    zh: str | None = None
    en: str | None = None


class NamesOut(BaseModel):
    regions: dict[str, Name] = Field(description="admdvs -> region name")
    funds: dict[str, Name] = Field(description="fund_pay_type -> fund name (Chinese from the policy packs)")


class PoolMonthOut(BaseModel):
    month: str = Field(description="YYYY-MM of the entries' effective dates")
    income: str
    expenditure: str
    balance: str = Field(description="the pool's balance (income less expenditure) at the month's end")


class PoolMonthsOut(BaseModel):
    pool_id: str
    months: list[PoolMonthOut]


class LineOut(BaseModel):
    pool_id: str
    account: str
    debit: str
    credit: str


class EntryOut(BaseModel):
    entry_id: int
    entry_key: str = Field(description="the event id behind the entry, or the command's key")
    kind: str
    origin: str
    effective_date: date
    recorded_at: datetime
    memo: str
    lines: list[LineOut] = Field(description="every line of the entry, in every pool it touches")


class SettlementFactOut(BaseModel):
    event_id: str
    setl_id: str
    kind: str = Field(description="settlement or reversal")
    fixmedins_code: str
    admdvs: str
    year: int
    pooled_pool_id: str
    setl_date: date
    inpatient: bool
    medfee_sumamt: str
    inscp_scp_amt: str
    fund_pay_sumamt: str
    pooled_fund_paid: str


class AlertChangeOut(BaseModel):
    change_id: int
    at: datetime = Field(description="when the change was stored")
    state: str
    severity: str
    measure: str | None
    threshold: str
    evaluated_at: datetime | None = Field(description="the region's business clock when evaluated")
    acked_by: str | None = None
    ack_note: str | None = None


class AlertOut(BaseModel):
    alert_id: str
    rule: str
    subject_type: str
    subject_id: str
    severity: str
    state: str
    measure: str | None
    threshold: str
    message: str = Field(description="the ledger's own message (English, with the figures behind the measure), as "
                                     "the alert topic carries it")
    messages: dict[str, str] | None = Field(description="the alert stated from its rule, measure and threshold in "
                                                        "each language of the console (`zh`, `en`); null for a "
                                                        "rule without templates")
    evaluated_at: datetime
    evidence: list[Any]
    acked_by: str | None
    acked_at: datetime | None
    ack_note: str | None


class AlertDetailOut(BaseModel):
    alert: AlertOut
    history: list[AlertChangeOut]
    evidence_entries: list[EntryOut]
    evidence_settlements: list[SettlementFactOut]
    evidence_not_in_journal: list[str] = Field(description="evidence event ids that booked no journal entry")


class SettlementOut(BaseModel):
    setl_id: str
    facts: list[SettlementFactOut]
    entries: list[EntryOut]


class InstitutionYearOut(BaseModel):
    fixmedins_code: str
    year: int
    name: str | None
    admdvs: str | None
    level: str | None
    fund_paid: str
    annual_budget: str | None = Field(description="global budget (总额控制) of the year; null without one")
    budget_set_by_admin: bool
    used_of_budget: str | None = Field(description="fund_paid ÷ annual_budget, 4 decimals")
