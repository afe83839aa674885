"""Accepting the lines of a bulk file against what is already recorded, one line at a time in memory.

A chunk of lines is judged against a snapshot read in one go; the snapshot is kept current as lines
are accepted, so a later line of the same chunk sees the earlier ones exactly as if each had been
written on its own. A line already enrolled in the same household and scheme is a duplicate (a
re-sent file changes nothing); in another household or scheme it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from medfund_enrollment.domain.errors import InvalidRequest


@dataclass(frozen=True)
class Enrolled:
    """A live (not terminated) enrollment as the duplicate and tier rules see it."""

    certno: str
    year: int
    household_id: str
    insutype: str
    tier: str | None


@dataclass(frozen=True)
class LineAccepted:
    household_id: str
    new_household: bool


DUPLICATE = "duplicate"


@dataclass
class Roster:
    """What is recorded for a chunk's people and households, as the chunk's own lines change it."""

    live: dict[tuple[str, int], Enrolled] = field(default_factory=dict)
    """(certno, year) → the person's live enrollment that year."""
    households: dict[tuple[str, str], str] = field(default_factory=dict)
    """(admdvs, household_key) → household id."""
    heads: dict[tuple[str, int], Enrolled] = field(default_factory=dict)
    """(household id, year) → the household's first live enrollment that year (its tier and scheme)."""
    insured: set[tuple[str, int, str]] = field(default_factory=set)
    """(certno, year, insutype) covered (active or suspended): next year they renew."""
    cover_ends: dict[tuple[str, str], list[tuple[int, date]]] = field(default_factory=dict)
    """(certno, insutype) → (year, last day) of each period that was not a suspension."""

    def renewing(self, certno: str, year: int, insutype: str) -> bool:
        return (certno, year - 1, insutype) in self.insured

    def previous_cover_end(self, certno: str, insutype: str, year: int) -> date | None:
        ends = [end for period_year, end in self.cover_ends.get((certno, insutype), ()) if period_year < year]
        return max(ends, default=None)

    def accept_line(self, certno: str, year: int, insutype: str, tier: str | None, household: tuple[str, str],
              new_household_id: Callable[[], str]) -> LineAccepted | str:
        """Where the line goes (recorded here at once), ``DUPLICATE``, or ``InvalidRequest`` raised.

        ``household`` is (admdvs, household_key); a household not seen yet gets ``new_household_id()``.
        """
        household_id = self.households.get(household)
        existing = self.live.get((certno, year))
        if existing is not None:
            if existing.household_id == household_id and existing.insutype == insutype:
                return DUPLICATE
            raise InvalidRequest("duplicate_enrollment",
                                 "already enrolled for this year in another household or scheme", "certno")
        head = self.heads.get((household_id, year)) if household_id else None
        if head is not None and (head.tier != tier or head.insutype != insutype):
            raise InvalidRequest("tier_mismatch", f"the household chose tier {head.tier} for {year}; "
                                                  "one tier per household", "tier")
        new = household_id is None
        if new:
            household_id = new_household_id()
            self.households[household] = household_id
        placed = Enrolled(certno, year, household_id, insutype, tier)
        self.live[(certno, year)] = placed
        self.heads.setdefault((household_id, year), placed)
        return LineAccepted(household_id, new)

    def covered(self, certno: str, year: int, insutype: str, ends: date) -> None:
        """Cover granted on acceptance (nothing to pay): later lines see it like a recorded period."""
        self.insured.add((certno, year, insutype))
        self.cover_ends.setdefault((certno, insutype), []).append((year, ends))
