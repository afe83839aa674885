"""Who is insured, per person, scheme and year: the net effect of a run of coverage changes.

An activation writes the row (region and active); a suspension, termination or reinstatement
only changes ``active`` of a row that exists. Folding the changes of a batch per person in order
gives at most one write per person with the same result as applying them one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CoverageKey = tuple[str, str, int]
"""(psn_no, insutype, year)."""


@dataclass(frozen=True, slots=True)
class CoverageChange:
    key: CoverageKey
    active: bool
    admdvs: str | None = None
    """The region of an activation; None for a change of an existing row."""


@dataclass(frozen=True, slots=True)
class NetCoverage:
    upserts: dict[CoverageKey, tuple[str, bool]]
    """Rows to write: (admdvs, active), per key."""
    updates: dict[CoverageKey, bool]
    """``active`` of rows that exist, per key (no row is created)."""


def net_effect(changes: Iterable[CoverageChange]) -> NetCoverage:
    """The changes folded per key, in order: an activation replaces what came before it for that key."""
    upserts: dict[CoverageKey, tuple[str, bool]] = {}
    updates: dict[CoverageKey, bool] = {}
    for change in changes:
        if change.admdvs is not None:
            updates.pop(change.key, None)
            upserts[change.key] = (change.admdvs, change.active)
        elif change.key in upserts:
            upserts[change.key] = (upserts[change.key][0], change.active)
        else:
            updates[change.key] = change.active
    return NetCoverage(dict(sorted(upserts.items())), dict(sorted(updates.items())))
