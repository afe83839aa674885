"""When a paid premium turns into cover: the coverage period, or why there is none.

Pure functions over a policy pack. Every date parameter (window, grace month, waiting days,
lapse, newborn and mid-year limits) comes from the pack's ``coverage`` section; the business
dates come from the request.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from medfund_shared.policy.contribution_rules import ResidentCoverage

if TYPE_CHECKING:
    from medfund_shared.policy.schema import PolicyPack

MONTHS_PER_YEAR = 12


class CoverageInputError(ValueError):
    """A request the rules cannot judge: wrong scheme, a missing or impossible date."""


class EnrollmentKind(StrEnum):
    NEW = "new"
    RENEWAL = "renewal"
    MID_YEAR_JOINER = "mid_year_joiner"
    NEWBORN = "newborn"


class CoverageRule(StrEnum):
    """The rule that fixed the first day of cover, for the record and the explanation."""

    WINDOW = "window"
    NEW_ENROLLEE_WAIT = "new_enrollee_wait"
    NEWBORN = "newborn"
    MID_YEAR_JOINER = "mid_year_joiner"
    GRACE_MONTH = "grace_month"
    LATE_WAIT = "late_wait"


class Refusal(StrEnum):
    PAID_BEFORE_WINDOW = "paid_before_window"
    PAID_AFTER_YEAR_END = "paid_after_year_end"
    WAIT_ENDS_AFTER_YEAR_END = "wait_ends_after_year_end"
    RETIREE_CONTRIBUTION_YEARS_SHORT = "retiree_contribution_years_short"
    """310: a retiree below the pack's minimum contribution years is not covered without contributions."""


@dataclass(frozen=True)
class CoverageRequest:
    """A resident's paid premium for one insurance year, with the facts the rules look at."""

    insurance_year: int
    kind: EnrollmentKind
    paid_at: date
    """The payment's business date (local), never the time it was recorded."""
    birth_date: date
    event_date: date | None = None
    """A mid-year joiner's qualifying event (discharge, marriage, release, graduation)."""
    previous_coverage_end: date | None = None


@dataclass(frozen=True)
class CoveragePeriod:
    starts: date
    ends: date
    rule: CoverageRule
    treated_as: EnrollmentKind
    """The kind the rules applied: a lapsed renewal or a late newborn is treated as new."""


@dataclass(frozen=True)
class CoverageRefused:
    reason: Refusal
    message: str


CoverageDecision = CoveragePeriod | CoverageRefused


def resident_coverage(pack: PolicyPack, request: CoverageRequest) -> CoverageDecision:
    """The cover a paid premium buys: from the date the pack's rules give to the year's last day."""
    rules = _resident_rules(pack)
    year = rules.insurance_year(request.insurance_year)
    paid = request.paid_at
    window_opens = rules.window.opens.in_year(year[0].year - 1)
    if paid > year[1]:
        return CoverageRefused(Refusal.PAID_AFTER_YEAR_END,
                               f"paid on {paid}, after insurance year {request.insurance_year} ended on {year[1]}")
    if paid < window_opens:
        return CoverageRefused(Refusal.PAID_BEFORE_WINDOW,
                               f"paid on {paid}, before the window for {request.insurance_year} "
                               f"opened on {window_opens}")
    kind = _treated_as(rules, request)
    starts, rule = _first_day(rules, request, kind, year[0])
    if starts > year[1]:
        return CoverageRefused(Refusal.WAIT_ENDS_AFTER_YEAR_END,
                               f"paid on {paid}: cover would start on {starts}, after the year ends on {year[1]}")
    return CoveragePeriod(starts=starts, ends=year[1], rule=rule, treated_as=kind)


def _resident_rules(pack: PolicyPack) -> ResidentCoverage:
    if pack.coverage.resident is None:
        raise CoverageInputError(f"pack {pack.pack_id} is not a resident scheme")
    return pack.coverage.resident


def _treated_as(rules: ResidentCoverage, request: CoverageRequest) -> EnrollmentKind:
    """A newborn enrolled too late, or a renewal after too long a gap, is a new enrollee."""
    if request.kind is EnrollmentKind.NEWBORN and not _newborn_in_time(rules, request):
        return EnrollmentKind.NEW
    if request.kind is EnrollmentKind.RENEWAL and _lapsed(rules, request):
        return EnrollmentKind.NEW
    return request.kind


def _newborn_in_time(rules: ResidentCoverage, request: CoverageRequest) -> bool:
    if request.paid_at < request.birth_date:
        raise CoverageInputError(f"paid_at: {request.paid_at} is before the birth on {request.birth_date}")
    return rules.newborn_days is not None and (request.paid_at - request.birth_date).days <= rules.newborn_days


def _lapsed(rules: ResidentCoverage, request: CoverageRequest) -> bool:
    previous_end = request.previous_coverage_end
    if rules.lapse_days is None or previous_end is None:
        return False
    return (request.paid_at - previous_end).days > rules.lapse_days


def _first_day(rules: ResidentCoverage, request: CoverageRequest, kind: EnrollmentKind,
               year_starts: date) -> tuple[date, CoverageRule]:
    paid = request.paid_at
    if kind is EnrollmentKind.NEWBORN:
        return max(request.birth_date, year_starts), CoverageRule.NEWBORN
    if kind is EnrollmentKind.NEW and rules.new_enrollee_wait_days is not None:
        return max(year_starts, paid + timedelta(days=rules.new_enrollee_wait_days)), CoverageRule.NEW_ENROLLEE_WAIT
    if paid <= rules.window.closes.in_year(year_starts.year - 1):
        return year_starts, CoverageRule.WINDOW
    if kind is EnrollmentKind.MID_YEAR_JOINER and _joined_in_time(rules, request):
        return max(year_starts, _first_of_month_after(paid, 1)), CoverageRule.MID_YEAR_JOINER
    late = rules.late_payment
    grace = late.grace_through_month
    if grace is not None and paid <= _end_of_month_on_or_after(year_starts, grace):
        return max(year_starts, _first_of_month_after(paid, 1)), CoverageRule.GRACE_MONTH
    return max(year_starts, paid + timedelta(days=late.wait_days)), CoverageRule.LATE_WAIT


def _joined_in_time(rules: ResidentCoverage, request: CoverageRequest) -> bool:
    if rules.mid_year_joiners is None:
        return False
    if request.event_date is None:
        raise CoverageInputError("event_date: a mid-year joiner needs the date of the qualifying event")
    return request.paid_at <= _add_months(request.event_date, rules.mid_year_joiners.within_months)


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _first_of_month_after(day: date, months: int) -> date:
    return _add_months(day.replace(day=1), months)


def _end_of_month_on_or_after(start: date, month: int) -> date:
    """The last day of the first ``month`` that ends on or after ``start`` (29 Feb in a leap year)."""
    year = start.year if month >= start.month else start.year + 1
    return date(year, month, calendar.monthrange(year, month)[1])
