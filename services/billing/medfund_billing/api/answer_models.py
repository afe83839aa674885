"""Response models of billing's answers for the OpenAPI document. The routes keep answering the dicts the use
cases build (``responses={status: {"model": …}}``), so an answer is not validated twice. Money is yuan as exact
decimal text, times ISO 8601 text with their offset."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

YUAN = "yuan, exact decimal text"
REPLAYED = "the same request again: the first answer"


class PaymentOut(BaseModel):
    """A payment record as accepted."""

    payment_id: str
    tax_voucher_no: str
    certno: str
    psn_no: str | None = Field(description="null: nobody matched yet (the payment is in suspense)")
    admdvs: str
    insutype: str
    period_year: int
    amount: str = Field(description=YUAN)
    paid_at: str = Field(description="ISO 8601 with offset")
    tax_office_code: str
    channel: str
    match: str | None = Field(description="how the person was matched; null in suspense")


class _Correction(BaseModel):
    payment_id: str
    tax_voucher_no: str
    amount: str = Field(description=YUAN)
    reason: str
    at: str = Field(description="when it was refunded or reversed, ISO 8601 with offset")


class RefundOut(_Correction):
    refund_id: str
    kind: Literal["refund"]


class ReversalOut(_Correction):
    reversal_id: str
    kind: Literal["reversal"]


class Rejection(BaseModel):
    line: int = Field(description="the file line the record ends on")
    tax_voucher_no: str | None
    code: str
    message: str


class BatchReport(BaseModel):
    batch_id: str
    status: str = Field(description="processing, done or failed")
    received: int
    accepted: int
    duplicates: int
    rejected: list[Rejection] = Field(description="one page, by line, of the rejected records")
    rejected_total: int
    rejected_offset: int
    rejected_limit: int


class Reconciliation(BaseModel):
    tax_office_code: str
    date: str = Field(description="the tax office's local day, YYYY-MM-DD")
    count: int
    amount: str = Field(description=YUAN)
    voucher_digest: str
    digest_algorithm: str


class ChannelTotal(BaseModel):
    channel: str
    payments: int
    amount: str = Field(description=YUAN)


class CollectionStatistics(BaseModel):
    admdvs: str
    year: int
    persons: int
    paid_in_full: int
    premium_due: str = Field(description=YUAN)
    collected: str = Field(description=f"net of refunds and reversals, at most the due per person, {YUAN}")
    collection_rate: str | None = Field(description="collected ÷ due, four decimals; null when nothing is due")
    by_channel: list[ChannelTotal]


class SuspendedPayment(BaseModel):
    payment_id: str
    tax_voucher_no: str
    certno: str
    psn_name: str
    admdvs: str
    insutype: str
    year: int
    amount: str = Field(description=YUAN)
    paid_at: str = Field(description="ISO 8601 with offset")
    channel: str
    tax_office_code: str


class SuspensePage(BaseModel):
    items: list[SuspendedPayment]
    next_cursor: str | None = Field(description="pass back as ``cursor`` for the next page; null on the last")


class Resolved(BaseModel):
    payment_id: str
    psn_no: str
    paid_total: str = Field(description=YUAN)
    shortfall: str = Field(description=YUAN)
    credit: str = Field(description=YUAN)
    paid_in_full: bool


class DeclaredLine(BaseModel):
    declaration_id: str
    certno: str
    psn_no: str
    kind: Literal["contribution_declared", "account_credited"]
    base: str = Field(description=YUAN)
    employer_amount: str = Field(description=YUAN)
    employee_amount: str = Field(description=YUAN)
    pool_amount: str = Field(description=YUAN)
    account_amount: str = Field(description=YUAN)
    late_fee: str = Field(description=YUAN)


class DeclaredMonth(BaseModel):
    employer_code: str
    period: str = Field(description="YYYY-MM")
    employees: list[DeclaredLine]


class MissingMonth(BaseModel):
    period: str = Field(description="YYYY-MM")
    amount: str | None = Field(description=f"estimated, {YUAN}; null before any declared month")
    amount_basis: Literal["latest_declared_month"] | None


class Arrears(BaseModel):
    employer_code: str
    admdvs: str
    region_latest_period: str = Field(description="YYYY-MM, the region's latest month")
    months: list[MissingMonth]
    estimated_total: str = Field(description=YUAN)


class RefusedPayment(BaseModel):
    payment_id: str
    tax_voucher_no: str
    amount: str = Field(description=YUAN)
    paid_at: str = Field(description="ISO 8601 with offset")
    refundable: bool
    corrected_by: Literal["refund", "reversal"] | None


class CoverageRefusal(BaseModel):
    psn_no: str
    year: int
    insutype: str
    admdvs: str
    reason: str
    message: str | None
    refused_at: str = Field(description="ISO 8601 with offset")
    on_behalf_paid: str = Field(description=YUAN)
    refundable: str = Field(description=YUAN)
    payments: list[RefusedPayment]


class CoverageRefusalPage(BaseModel):
    items: list[CoverageRefusal]
    next_cursor: str | None = Field(description="pass back as ``cursor`` for the next page; null on the last")


class AppropriationOut(BaseModel):
    appropriation_id: str
    admdvs: str
    fund_pay_type: str
    year: int
    amount: str = Field(description=YUAN)
    received_at: str = Field(description="ISO 8601 with offset")
    source: str
    voucher_no: str


def created_or_replayed(model: type[BaseModel]) -> dict:
    """``responses`` of a write answering 201 when new and 200, with the first answer, for an exact replay."""
    return {201: {"model": model}, 200: {"model": model, "description": REPLAYED}}
