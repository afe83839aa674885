"""Events of the adjudication service (topic ``medfund.claims.v1``, key = person number)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.claims.v1"


@register
class SettlementCompleted(EventData):
    """A hospital settled a visit; the fund amounts are what the ledger books."""

    event_type: ClassVar[str] = "medfund.claims.settlement.completed.v1"
    topic: ClassVar[str] = TOPIC

    setl_id: str
    mdtrt_id: str
    psn_no: str
    fixmedins_code: str
    admdvs: str
    insutype: str
    setl_time: datetime
    medfee_sumamt: YuanAmount
    fund_pay_sumamt: YuanAmount

    def partition_key(self) -> str:
        return self.psn_no

    def subject(self) -> str | None:
        return self.setl_id
