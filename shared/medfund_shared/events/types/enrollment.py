"""Events of the enrollment service (topic ``medfund.enrollment.v1``, key = person number)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.enrollment.v1"


@register
class PersonRegistered(EventData):
    """A resident joined a household for an insurance year."""

    event_type: ClassVar[str] = "medfund.enrollment.person.registered.v1"
    topic: ClassVar[str] = TOPIC

    psn_no: str
    certno: str
    psn_name: str
    gend: str
    brdy: date
    admdvs: str
    insutype: str
    year: int
    household_id: str
    category: str
    tier: str
    enrollment_kind: Literal["new", "renewal", "newborn", "mid_year"]
    premium_due: YuanAmount
    on_behalf_due: YuanAmount
    pack_id: str

    def partition_key(self) -> str:
        return self.psn_no

    def subject(self) -> str | None:
        return self.psn_no
