"""An enrollment's life: paid → covered, suspended, reinstated, terminated; the dates each move sets.

Coverage exists only when enrolled + paid + waiting period over, and not suspended
(policy-reference §2). The first day of cover comes from ``medfund_shared.policy.coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from medfund_enrollment.domain.errors import Conflict, InvalidRequest
from medfund_enrollment.domain.household import Kind
from medfund_shared.policy.coverage import (
    CoverageRefused,
    CoverageRequest,
    EnrollmentKind,
    Refusal,
    resident_coverage,
)
from medfund_shared.policy.employee_cover import retiree_years_shortfall
from medfund_shared.policy.schema import PolicyPack

ONE_DAY = timedelta(days=1)


class Status(StrEnum):
    REGISTERED = "registered"
    """Enrolled, premium not yet paid in full."""
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class SuspensionReason(StrEnum):
    MOVED_AWAY = "moved_away"
    EMPLOYEE_SCHEME = "employee_scheme"
    OTHER = "other"
    UNPAID_MONTHS = "unpaid_months"
    """310: set by enrollment itself after consecutive unpaid months; paying them back reinstates."""
    PREMIUM_WITHDRAWN = "premium_withdrawn"
    """390: a refund or reversal took the year's premium below the due (billing's ``premium.withdrawn``); paying
    it in full again reinstates, nothing else does."""


class TerminationReason(StrEnum):
    DEATH = "death"
    EMPLOYEE_SCHEME = "employee_scheme"
    MOVED_AWAY = "moved_away"


@dataclass(frozen=True)
class Cover:
    """The period a payment bought; ``trigger`` as in ``coverage.activated.v1``."""

    starts: date
    ends: date
    trigger: str
    rule: str


_POLICY_KIND = {Kind.NEW: EnrollmentKind.NEW, Kind.RENEWAL: EnrollmentKind.RENEWAL,
                Kind.NEWBORN: EnrollmentKind.NEWBORN, Kind.MID_YEAR: EnrollmentKind.MID_YEAR_JOINER}


def cover_for_payment(pack: PolicyPack, *, year: int, kind: Kind, brdy: date, paid_on: date,
                      on_behalf: bool, event_date: date | None = None,
                      previous_coverage_end: date | None = None) -> Cover | CoverageRefused:
    """What a resident premium paid in full on ``paid_on`` buys under ``pack`` (the employee scheme's
    cover comes from the months paid: :mod:`medfund_enrollment.app.employee_cover`)."""
    request = CoverageRequest(insurance_year=year, kind=_POLICY_KIND[kind], paid_at=paid_on, birth_date=brdy,
                              event_date=event_date, previous_coverage_end=previous_coverage_end)
    decision = resident_coverage(pack, request)
    if isinstance(decision, CoverageRefused):
        return decision
    trigger = "newborn" if decision.treated_as is EnrollmentKind.NEWBORN else "on_behalf" if on_behalf else "payment"
    return Cover(decision.starts, decision.ends, trigger, decision.rule.value)


def retiree_cover(pack: PolicyPack, year: int, enrolled_on: date, gend: str,
                  contribution_years: int) -> Cover | CoverageRefused:
    """A retiree is covered without contributions from the first day of the registration month to the
    year end when the contribution years reach the pack's minimum; otherwise refused with the reason."""
    short = retiree_years_shortfall(pack, gend, contribution_years)
    if short is not None:
        return CoverageRefused(Refusal.RETIREE_CONTRIBUTION_YEARS_SHORT, short)
    return Cover(max(enrolled_on.replace(day=1), date(year, 1, 1)), date(year, 12, 31), "retiree_years",
                 "retiree_minimum_years")


def check_can_suspend(status: Status, since: date, year: int) -> None:
    if status is not Status.ACTIVE:
        raise Conflict("invalid_transition", f"only active coverage can be suspended; it is {status}", "status")
    _in_year(since, year, "since")


def check_can_reinstate(status: Status, since: date, suspended_since: date, year: int,
                        premium_withdrawn: bool = False) -> None:
    """``premium_withdrawn``: the suspension is a refund's, which only the premium paid in full again lifts."""
    if status is not Status.SUSPENDED:
        raise Conflict("invalid_transition", f"only suspended coverage can be reinstated; it is {status}", "status")
    if premium_withdrawn:
        raise Conflict("premium_unpaid", "the cover was withdrawn because a refund left the premium unpaid; "
                                         "paying it in full restores the cover", "status")
    _in_year(since, year, "since")
    if since < suspended_since:
        raise InvalidRequest("invalid_date", f"since must not be before the suspension on {suspended_since}", "since")


def check_can_terminate(status: Status, on: date, year: int) -> None:
    if status is Status.TERMINATED:
        raise Conflict("invalid_transition", "the enrollment is already terminated", "status")
    _in_year(on, year, "on")


def last_covered_day(on: date, reason: TerminationReason) -> date:
    """Death: the day of death is still covered; a move or the employee scheme: cover ends the day before."""
    return on if reason is TerminationReason.DEATH else on - ONE_DAY


def _in_year(day: date, year: int, field: str) -> None:
    if day.year != year:
        raise InvalidRequest("invalid_date", f"{field} must fall in insurance year {year}", field)
