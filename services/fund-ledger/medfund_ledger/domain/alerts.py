"""Alert lifecycle keyed by (rule, subject): firing → (acknowledged) → resolved.

Only changes are published: the first crossing, a change of severity, the return under yellow, or
a measure that became undefined (the alert resolves, its message saying why). Re-evaluating an
unchanged condition publishes nothing but refreshes the open alert's measure and evaluation time,
so the alert shows what the pool shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from medfund_ledger.domain.thresholds import Severity
from medfund_ledger.domain.warnings import Measurement

State = Literal["firing", "acknowledged", "resolved"]


class AlreadyAcknowledged(ValueError):
    """The alert was acknowledged with a different note."""


class NotAcknowledgeable(ValueError):
    """A resolved alert needs no acknowledgement."""


@dataclass(frozen=True, slots=True)
class OpenAlert:
    alert_id: str
    severity: Severity
    state: State


@dataclass(frozen=True, slots=True)
class Transition:
    """What to store: a new alert (``alert_id`` None), a change of an open one (both published), or a
    refresh of an open one's measure (``refresh``: stored only, state and evidence kept)."""

    alert_id: str | None
    state: State
    severity: Severity
    measurement: Measurement
    refresh: bool = False


def transition(open_alert: OpenAlert | None, measurement: Measurement) -> Transition | None:
    if open_alert is None:
        if measurement.severity is None:
            return None
        return Transition(None, "firing", measurement.severity, measurement)
    if measurement.severity is None:
        return Transition(open_alert.alert_id, "resolved", open_alert.severity, measurement)
    if measurement.severity != open_alert.severity:
        return Transition(open_alert.alert_id, "firing", measurement.severity, measurement)
    return Transition(open_alert.alert_id, open_alert.state, open_alert.severity, measurement, refresh=True)


def check_acknowledgement(state: State, previous_note: str | None, note: str) -> bool:
    """True when the acknowledgement is new; False for a retry of the same one."""
    if state == "resolved":
        raise NotAcknowledgeable("a resolved alert cannot be acknowledged")
    if state == "acknowledged":
        if previous_note != note:
            raise AlreadyAcknowledged("the alert was already acknowledged with another note")
        return False
    return True
