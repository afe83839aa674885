"""Whether a person is covered on a day, from the enrollment read model, and why not when not."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from medfund_adjudication.domain.refusal import Refused

ACTIVE, SUSPENDED, TERMINATED = "1", "2", "4"
"""NHSA ``psn_insu_stas`` codes: 正常参保, 暂停参保, 终止参保."""


@dataclass(frozen=True)
class Suspension:
    since: date
    until: date | None = None
    """The reinstatement date (covered again from that day) or None while suspended."""

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class CategoryChange:
    """From ``since`` on, the person's category and tier are these (enrollment's ``person.category_changed``)."""

    since: date
    category: str
    tier: str | None


@dataclass(frozen=True)
class Coverage:
    """One person's cover under one scheme for one insurance year, as enrollment announced it."""

    psn_no: str
    insutype: str
    year: int
    admdvs: str
    certno: str
    psn_name: str
    gend: str
    brdy: date
    category: str
    tier: str | None
    coverage_from: date
    coverage_to: date
    pack_id: str
    suspensions: tuple[Suspension, ...] = ()
    terminated_on: date | None = None
    category_changes: tuple[CategoryChange, ...] = ()
    """In date order; ``category`` and ``tier`` above are those of the activation, in force before the first."""

    def category_on(self, day: date) -> tuple[str, str | None]:
        """The category and tier in force on ``day`` (a visit's admission date): the latest change by then."""
        change = next((c for c in reversed(self.category_changes) if c.since <= day), None)
        return (self.category, self.tier) if change is None else (change.category, change.tier)

    def change_category(self, change: CategoryChange) -> Coverage:
        """The later word wins from its date on: changes dated on or after it are replaced (so a replay is a no-op)."""
        kept = tuple(c for c in self.category_changes if c.since < change.since)
        return replace(self, category_changes=(*kept, change))

    def status_on(self, day: date) -> str:
        if self.terminated_on is not None and day >= self.terminated_on:
            return TERMINATED
        if any(s.covers(day) for s in self.suspensions):
            return SUSPENDED
        return ACTIVE

    def refusal_on(self, day: date) -> Refused | None:
        """None when covered on ``day``; otherwise the reason, naming the date that matters."""
        if self.terminated_on is not None and day >= self.terminated_on:
            return Refused("not_covered", f"person {self.psn_no}: coverage terminated on {self.terminated_on}")
        suspension = next((s for s in self.suspensions if s.covers(day)), None)
        if suspension is not None:
            return Refused("not_covered", f"person {self.psn_no}: coverage suspended since {suspension.since}")
        if day < self.coverage_from:
            return Refused("not_covered", f"person {self.psn_no}: waiting period until {self.coverage_from}, "
                                          f"not covered on {day}")
        if day > self.coverage_to:
            return Refused("not_covered", f"person {self.psn_no}: coverage ended on {self.coverage_to}")
        return None

    def suspend(self, since: date) -> Coverage:
        return replace(self, suspensions=(*self.suspensions, Suspension(since)))

    def reinstate(self, since: date) -> Coverage:
        open_ones = [s for s in self.suspensions if s.until is None]
        closed = tuple(Suspension(s.since, since) if s in open_ones else s for s in self.suspensions)
        return replace(self, suspensions=closed)

    def terminate(self, on: date) -> Coverage:
        return replace(self, terminated_on=on)


def covered_on(coverage: Coverage | None, psn_no: str, insutype: str, day: date) -> Coverage:
    """The person's cover for ``day`` or :class:`Refused` saying why there is none."""
    if coverage is None:
        raise Refused("not_covered", f"person {psn_no} is not insured under scheme {insutype} on {day}")
    refusal = coverage.refusal_on(day)
    if refusal is not None:
        raise refusal
    return coverage
