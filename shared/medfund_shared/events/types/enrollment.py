"""Events of the enrollment service (topic ``medfund.enrollment.v1``, key = person number)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register

TOPIC = "medfund.enrollment.v1"


@register
class PersonRegistered(EventData):
    """A resident joined a household for an insurance year."""

    event_type: ClassVar[str] = "medfund.enrollment.person.registered.v1"
    topic: ClassVar[str] = TOPIC

    psn_no: str
    household_id: str
    admdvs: str
    insutype: str
    year: int
    category: str
    brdy: date

    def partition_key(self) -> str:
        return self.psn_no

    def subject(self) -> str | None:
        return self.psn_no
