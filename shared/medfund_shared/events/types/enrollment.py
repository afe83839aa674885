"""Events of the enrollment service (topic ``medfund.enrollment.v1``, key = person number)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.enrollment.v1"


class _PersonEvent(EventData):
    """Every enrollment event about a person is keyed and titled by the person number."""

    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "psn_no"
    subject_field: ClassVar[str] = "psn_no"

    psn_no: str


@register
class PersonRegistered(_PersonEvent):
    """A person joined a scheme for an insurance year (``tier`` is null in a pack without tiers and in 310).

    Under the employee scheme (310) the ``employee_*`` fields say who the person is there: an employee
    in service (``employer_code``), a retiree (contribution years brought in, pension if given) or a
    flexible worker (灵活就业); they are null in 390.
    """

    event_type: ClassVar[str] = "medfund.enrollment.person.registered.v1"

    certno: str
    psn_name: str
    gend: str
    brdy: date
    admdvs: str
    insutype: str
    year: int
    household_id: str
    category: str
    tier: str | None
    enrollment_kind: Literal["new", "renewal", "newborn", "mid_year"]
    premium_due: YuanAmount
    on_behalf_due: YuanAmount
    pack_id: str
    ssc_no: str | None = None
    """The social-security card number (社会保障卡号), 1-20 ASCII letters or digits, when given."""
    employee_kind: Literal["in_service", "retired", "flexible"] | None = None
    employer_code: str | None = None
    contribution_years: int | None = None
    """Contribution years brought in (a retiree's are judged against the pack's minimum)."""
    monthly_pension: YuanAmount | None = None


@register
class CategoryChanged(_PersonEvent):
    """A person's primary category (and so the premium) changed for a year."""

    event_type: ClassVar[str] = "medfund.enrollment.person.category_changed.v1"

    year: int
    category: str
    tier: str | None
    premium_due: YuanAmount
    on_behalf_due: YuanAmount
    reason: str
    actor: str


@register
class CoverageActivated(_PersonEvent):
    """Cover starts: everything the adjudication read model needs, from the topic alone."""

    event_type: ClassVar[str] = "medfund.enrollment.coverage.activated.v1"

    certno: str
    admdvs: str
    insutype: str
    year: int
    category: str
    tier: str | None
    coverage_from: date
    coverage_to: date
    brdy: date
    gend: str
    psn_name: str
    trigger: Literal["payment", "newborn", "on_behalf", "contribution", "retiree_years"]
    """310: ``contribution`` (the first month paid) or ``retiree_years`` (covered without contributions)."""
    pack_id: str


@register
class CoverageRefused(_PersonEvent):
    """A premium was paid in full but buys no cover under the pack (e.g. paid after the year ended).

    The payment stays recorded; billing or an operator decides what happens to the money.
    """

    event_type: ClassVar[str] = "medfund.enrollment.coverage.refused.v1"

    certno: str
    admdvs: str
    insutype: str
    year: int
    paid_at: datetime
    reason: Literal["paid_before_window", "paid_after_year_end", "wait_ends_after_year_end",
                    "retiree_contribution_years_short"]
    message: str
    trigger: Literal["payment", "on_behalf", "registration"]
    pack_id: str


@register
class CoverageSuspended(_PersonEvent):
    """Cover stops from ``since`` (停保) until reinstated (310: ``unpaid_months`` after consecutive unpaid months;
    ``premium_withdrawn``: a refund took the year's premium below the due, lifted when it is paid in full again)."""

    event_type: ClassVar[str] = "medfund.enrollment.coverage.suspended.v1"

    insutype: str
    year: int
    since: date
    reason: Literal["moved_away", "employee_scheme", "other", "unpaid_months", "premium_withdrawn"]
    actor: str
    note: str = ""


@register
class CoverageReinstated(_PersonEvent):
    """Suspended cover resumes from ``since``."""

    event_type: ClassVar[str] = "medfund.enrollment.coverage.reinstated.v1"

    insutype: str
    year: int
    since: date
    actor: str
    note: str = ""


@register
class CoverageTerminated(_PersonEvent):
    """The enrollment ends on ``on`` (death: the day of death is still covered; otherwise the day before)."""

    event_type: ClassVar[str] = "medfund.enrollment.coverage.terminated.v1"

    insutype: str
    year: int
    on: date
    reason: Literal["death", "employee_scheme", "moved_away"]
    actor: str
    note: str = ""


@register
class EligiblePopulationSet(EventData):
    """An operator set a region's eligible population for a year (the denominator of 参保率)."""

    event_type: ClassVar[str] = "medfund.enrollment.population.eligible_set.v1"
    topic: ClassVar[str] = TOPIC

    admdvs: str
    year: int
    eligible: int
    actor: str

    def partition_key(self) -> str:
        return f"{self.admdvs}:{self.year}"

    def subject(self) -> str | None:
        return f"{self.admdvs}:{self.year}"
