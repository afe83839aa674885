"""Response models of the ledger's read endpoints (yuan strings at the edge, ISO dates and times)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from medfund_shared.simulation_answers import ActualAndCandidate, FiringRule


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


class PoolBudgetOut(BaseModel):
    budget_due: str | None = Field(description="the amount due (应筹)")
    planned_expenditure: str | None


class PoolOut(BaseModel):
    pool_id: str
    admdvs: str
    fund_pay_type: str
    year: int
    income: str
    expenditure: str
    brought_forward: str = Field(description="the balance carried in from before the ledger kept the fund")
    balance: str = Field(description="结余: brought forward, plus income, less expenditure")
    payable: str = Field(description="owed to institutions, not yet cleared")
    budget: PoolBudgetOut | None = Field(description="null until an admin sets one")
    measures: dict[str, str | None] = Field(description=(
        "`collection_rate`, `spent_of_planned` (4 decimals, null without a budget); now: `business_time`, "
        "`elapsed_fraction` and each warning rule's measure (and `<rule>.<detail>`) as its alert would store it; "
        "with `as_of`: `as_of` and `elapsed_fraction` by that day's end"))


class JournalPageOut(BaseModel):
    entries: list[EntryOut] = Field(description="each entry with its lines in this pool, oldest first")
    next_cursor: str | None = Field(description="pass back as `cursor` for the next page; null on the last")


class AccountEntryOut(BaseModel):
    effective_date: date
    event_id: str
    kind: str
    memo: str
    pool_id: str
    amount: str
    balance_after: str


class AccountOut(BaseModel):
    psn_no: str
    balance: str
    entries: list[AccountEntryOut] = Field(description="every movement of the individual account, oldest first")


class PoolStatisticsOut(BaseModel):
    pool_id: str
    fund_pay_type: str
    budget_due: str | None
    planned_expenditure: str | None
    income: str
    collection_rate: str | None
    expenditure: str
    balance: str
    cumulative_balance: str
    payable: str
    reserve_months: str | None
    spent_of_planned: str | None
    spent_of_due: str | None


class StatisticsOut(BaseModel):
    admdvs: str
    year: int
    insutype: str
    insured: int
    eligible: int | None = Field(description="null when the region's eligible population is not known")
    enrollment_rate: str | None = Field(description="参保率: insured ÷ eligible")
    budget_due: str | None
    income: str
    collection_rate: str | None = Field(description="征缴率: income ÷ budget due")
    expenditure: str
    medfee_sumamt: str
    fund_pay_sumamt: str
    actual_reimbursement_ratio: str | None
    policy_scope_ratio: str | None
    inpatient_settlements: int
    fund_pay_per_inpatient_settlement: str | None
    reserve_months: str | None
    spent_of_planned: str | None
    spent_of_due: str | None
    elapsed_fraction: str
    pools: list[PoolStatisticsOut] = Field(description="every fund of the region-year")
class PoolWhatIfOut(BaseModel):
    """A pool as recorded beside the same books with the candidate's expenditure (issue 25's fund picture)."""

    pool_id: str
    now: datetime = Field(description="the business time the pool was read at")
    income: str
    expenditure: ActualAndCandidate
    year_end_balance: ActualAndCandidate
    reserve_months: ActualAndCandidate = Field(description="null: undefined (no expenditure in the window)")
    warnings: list[FiringRule] = Field(description="the pool rules at yellow or red under the candidate")
