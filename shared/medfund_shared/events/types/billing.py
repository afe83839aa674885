"""Events of the billing service (topic ``medfund.billing.v1``, key = person number)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import Money, YuanAmount

TOPIC = "medfund.billing.v1"


class _BillingEvent(EventData):
    """Billing's events are keyed by the person number unless they say otherwise."""

    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "psn_no"


@register
class ContributionReceived(_BillingEvent):
    """The tax bureau collected a resident's contribution (business time = ``paid_at``)."""

    event_type: ClassVar[str] = "medfund.billing.contribution.received.v1"
    subject_field: ClassVar[str] = "tax_voucher_no"

    payment_id: str
    tax_voucher_no: str
    certno: str
    psn_no: str | None = None
    admdvs: str
    insutype: str
    year: int
    amount: YuanAmount
    channel: str
    tax_office_code: str
    paid_at: datetime
    match: Literal["full", "partial", "over", "unmatched"]
    premium_due: YuanAmount
    paid_total: YuanAmount
    shortfall: YuanAmount
    credit: YuanAmount

    def partition_key(self) -> str:
        return self.psn_no or self.certno


@register
class ContributionMatched(_BillingEvent):
    """A payment held in suspense was matched to a person (automatically on registration, or by an
    operator); the money was booked when received, so this event moves no money."""

    event_type: ClassVar[str] = "medfund.billing.contribution.matched.v1"
    subject_field: ClassVar[str] = "tax_voucher_no"

    payment_id: str
    tax_voucher_no: str
    certno: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    amount: YuanAmount
    paid_at: datetime
    match: Literal["full", "partial", "over"]
    premium_due: YuanAmount
    paid_total: YuanAmount
    shortfall: YuanAmount
    credit: YuanAmount
    resolved_by: Literal["registration", "operator"]


@register
class PremiumPaidInFull(_BillingEvent):
    """The year's individual premium is covered: enrollment activates coverage."""

    event_type: ClassVar[str] = "medfund.billing.premium.paid_in_full.v1"
    subject_field: ClassVar[str] = "psn_no"

    psn_no: str
    admdvs: str
    insutype: str
    year: int
    paid_at: datetime
    tax_voucher_no: str | None = None
    premium_due: YuanAmount


@register
class ContributionOnBehalfPaid(_BillingEvent):
    """The government paid a subsidised person's individual share (代缴)."""

    event_type: ClassVar[str] = "medfund.billing.contribution.on_behalf_paid.v1"
    subject_field: ClassVar[str] = "payment_id"

    payment_id: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    category: str
    amount: YuanAmount
    paid_at: datetime
    payer: Literal["government", "medical_assistance"] = "government"
    """The pack's payer of this category's share: medical assistance (资助参保) pays it out of its own pool."""


class SubsidyShare(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    level: Literal["central", "provincial", "city", "county"]
    amount: YuanAmount


@register
class SubsidyAllocated(_BillingEvent):
    """The per-capita government subsidy for one insured person-year, by level when the pack splits it."""

    event_type: ClassVar[str] = "medfund.billing.subsidy.allocated.v1"
    subject_field: ClassVar[str] = "subsidy_id"

    subsidy_id: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    amount: YuanAmount
    shares: list[SubsidyShare]
    allocated_at: datetime


class _Correction(_BillingEvent):
    subject_field: ClassVar[str] = "tax_voucher_no"

    payment_id: str
    tax_voucher_no: str
    psn_no: str | None = None
    admdvs: str
    insutype: str
    year: int
    amount: YuanAmount
    reason: str
    certno: str

    def partition_key(self) -> str:
        return self.psn_no or self.certno


@register
class ContributionRefunded(_Correction):
    """Money paid back to the payer (e.g. moved to the employee scheme after paying)."""

    event_type: ClassVar[str] = "medfund.billing.contribution.refunded.v1"

    refund_id: str
    refunded_at: datetime


@register
class ContributionReversed(_Correction):
    """A payment accepted in error is cancelled (a new entry, never an update of the original)."""

    event_type: ClassVar[str] = "medfund.billing.contribution.reversed.v1"

    reversal_id: str
    reversed_at: datetime


@register
class PremiumWithdrawn(_BillingEvent):
    """A refund or reversal took a person's individual premium for the year, paid in full before, below the due:
    the cover it bought is withdrawn from ``since`` (the correction's day; enrollment suspends the cover, reason
    ``premium_withdrawn``). Paying in full again (``premium.paid_in_full``) restores it. docs/funding.md."""

    event_type: ClassVar[str] = "medfund.billing.premium.withdrawn.v1"
    subject_field: ClassVar[str] = "psn_no"

    correction_id: str
    """The refund or reversal that took the premium below the due."""
    kind: Literal["refund", "reversal"]
    tax_voucher_no: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    premium_due: YuanAmount
    paid_total: YuanAmount
    withdrawn_at: datetime
    since: date
    """The first day without cover: the day of ``withdrawn_at`` in the tax offices' time zone."""


@register
class SubsidyWithdrawn(_BillingEvent):
    """The per-capita subsidy of a person-year whose premium was withdrawn goes back: the mirror of its
    ``subsidy.allocated`` (same amount and shares)."""

    event_type: ClassVar[str] = "medfund.billing.subsidy.withdrawn.v1"
    subject_field: ClassVar[str] = "subsidy_id"

    withdrawal_id: str
    subsidy_id: str
    """The allocation withdrawn."""
    correction_id: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    amount: YuanAmount
    shares: list[SubsidyShare]
    withdrawn_at: datetime


@register
class ContributionOnBehalfWithdrawn(_BillingEvent):
    """A share paid on the person's behalf (代缴 / 资助参保) goes back to its payer because the premium of the
    person-year was withdrawn: the mirror of its ``contribution.on_behalf_paid``."""

    event_type: ClassVar[str] = "medfund.billing.contribution.on_behalf_withdrawn.v1"
    subject_field: ClassVar[str] = "payment_id"

    withdrawal_id: str
    payment_id: str
    """The on-behalf payment withdrawn."""
    correction_id: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    category: str
    amount: YuanAmount
    payer: Literal["government", "medical_assistance"] = "government"
    withdrawn_at: datetime


@register
class EmployeeContributionDeclared(_BillingEvent):
    """One employee's month: the contribution and its exact split into pooled fund and account.

    ``payer`` ``employer``: declared by ``employer_code``; ``flexible_worker``: a flexible worker's own
    payment through the tax feed (``employer_code`` null, ``tax_voucher_no`` set, ``employer_amount`` 0).
    ``late_fee`` (滞纳金) is pooled income on top of the contribution; ``paid_on`` is the business date
    the month was declared or paid.
    """

    event_type: ClassVar[str] = "medfund.billing.employee.contribution_declared.v1"
    subject_field: ClassVar[str] = "declaration_id"

    declaration_id: str
    employer_code: str | None
    admdvs: str
    period: str
    psn_no: str
    certno: str
    base: YuanAmount
    employer_amount: YuanAmount
    employee_amount: YuanAmount
    pool_amount: YuanAmount
    account_amount: YuanAmount
    declared_at: datetime
    payer: Literal["employer", "flexible_worker"] = "employer"
    tax_voucher_no: str | None = None
    late_fee: YuanAmount = Money.zero()
    paid_on: date | None = None


@register
class EmployeeContributionWithdrawn(_BillingEvent):
    """A flexible worker's month refunded or reversed: the month is unpaid again. The mirror of its
    ``employee.contribution_declared`` (same split); enrollment takes the month out of the person's months paid
    and works the cover out again, from the correction's day (``since``). docs/funding.md."""

    event_type: ClassVar[str] = "medfund.billing.employee.contribution_withdrawn.v1"
    subject_field: ClassVar[str] = "declaration_id"

    withdrawal_id: str
    declaration_id: str
    """The month withdrawn."""
    correction_id: str
    kind: Literal["refund", "reversal"]
    tax_voucher_no: str
    admdvs: str
    period: str
    psn_no: str
    certno: str
    employee_amount: YuanAmount
    pool_amount: YuanAmount
    account_amount: YuanAmount
    late_fee: YuanAmount = Money.zero()
    withdrawn_at: datetime
    since: date
    """The correction's day in the tax offices' time zone."""


@register
class EmployeeAccountCredited(_BillingEvent):
    """A retiree's monthly individual-account credit, financed by the pooled fund."""

    event_type: ClassVar[str] = "medfund.billing.employee.account_credited.v1"
    subject_field: ClassVar[str] = "credit_id"

    credit_id: str
    psn_no: str
    admdvs: str
    period: str
    amount: YuanAmount
    source: Literal["retiree_pension"]
    credited_at: datetime


@register
class AppropriationRecorded(_BillingEvent):
    """Money appropriated to a fund (civil affairs' or finance's assistance funding), as received."""

    event_type: ClassVar[str] = "medfund.billing.appropriation.recorded.v1"
    key_field: ClassVar[str] = "admdvs"
    subject_field: ClassVar[str] = "appropriation_id"

    appropriation_id: str
    admdvs: str
    fund_pay_type: Literal["610100", "999901"]
    year: int
    amount: YuanAmount
    received_at: datetime
    source: Literal["civil_affairs", "finance"]
    voucher_no: str
