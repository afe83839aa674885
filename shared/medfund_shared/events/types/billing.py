"""Events of the billing service (topic ``medfund.billing.v1``, key = person number)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.billing.v1"


@register
class ContributionReceived(EventData):
    """The tax bureau collected a resident's contribution (business time = ``paid_at``)."""

    event_type: ClassVar[str] = "medfund.billing.contribution.received.v1"
    topic: ClassVar[str] = TOPIC

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

    def subject(self) -> str | None:
        return self.tax_voucher_no
