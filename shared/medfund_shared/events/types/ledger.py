"""The fund ledger's own money events (topic ``medfund.ledger.v1``): what the ledger decided to move.

The ledger books each of these and publishes it through its outbox in one transaction, and consumes
its own topic like any other: live the entry is already booked (same key), a rebuild books it from
the event alone (docs/funding.md).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.ledger.v1"


@register
class TransferBooked(EventData):
    """Money moved from one pool to another: the catastrophic premium financed by the pooled fund per covered
    person-year (``catastrophic_returned``: given back when a refund withdrew the cover), the risk-reserve share of
    pooled income, or an operator's transfer."""

    event_type: ClassVar[str] = "medfund.ledger.transfer.booked.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "from_pool_id"
    subject_field: ClassVar[str] = "transfer_id"

    transfer_id: str
    reason: Literal["catastrophic_financing", "catastrophic_returned", "risk_reserve", "operator"]
    from_pool_id: str
    to_pool_id: str
    amount: YuanAmount
    effective_date: date
    memo: str = ""
    cause_event_id: str | None = None
    """The event that made an automatic transfer due (a coverage activation, suspension or reinstatement, an
    income)."""


@register
class BalanceBroughtForward(EventData):
    """The balance (滚存结余) a fund held before the ledger kept it, carried into the first year the ledger keeps
    of that fund and region, from the books it was kept in before (a negative amount: a deficit carried in)."""

    event_type: ClassVar[str] = "medfund.ledger.balance.brought_forward.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "pool_id"
    subject_field: ClassVar[str] = "pool_id"

    pool_id: str
    amount: YuanAmount
    effective_date: date
    """The first day of the pool's year."""
    voucher_no: str = ""
    """The closing voucher of the books the balance comes from."""


class ClearedPool(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    pool_id: str
    amount: YuanAmount


@register
class ClearingBooked(EventData):
    """The month's payable to one institution was cleared (paid), per pool."""

    event_type: ClassVar[str] = "medfund.ledger.clearing.booked.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "fixmedins_code"
    subject_field: ClassVar[str] = "clearing_id"

    clearing_id: str
    fixmedins_code: str
    period: str
    effective_date: date
    pools: list[ClearedPool]
