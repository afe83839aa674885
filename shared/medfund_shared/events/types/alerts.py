"""Events of the fund ledger's alerting (topic ``medfund.alerts.v1``, key ``{rule}:{subject_id}``)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register

TOPIC = "medfund.alerts.v1"


@register
class AlertChanged(EventData):
    """An alert started firing, changed severity, resolved or was acknowledged."""

    event_type: ClassVar[str] = "medfund.fund.alert.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "alert_id"

    alert_id: str
    rule: str
    subject_type: str
    subject_id: str
    severity: str
    state: Literal["firing", "resolved", "acknowledged"]
    measure: str | None = None
    """The measured value; null when the measure became undefined (the alert resolved, ``message`` says why)."""
    threshold: str
    message: str
    evaluated_at: datetime
    evidence: list[str] = []
    acked_by: str | None = None
    """Who acknowledged the alert (the operator's token subject); set when ``state`` is ``acknowledged``."""
    ack_note: str | None = None
    """The note the operator wrote when acknowledging."""

    def partition_key(self) -> str:
        return f"{self.rule}:{self.subject_id}"
