"""``FakeUnitOfWork``: enrollment's use cases against in-memory repositories (fakes over mocks, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from medfund_shared.unit_of_work import FakeUnitOfWorkBase


@dataclass(frozen=True)
class Record:
    """A stored row: read by attribute, as the SQL repository's rows are."""

    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class FakeRepository:
    """The subset of ``adapters.repository.Repository`` the request use cases (registration, renewal, the cover
    lifecycle, the eligible population) call, over lists."""

    persons: dict[str, dict] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    enrollments: list[dict] = field(default_factory=list)
    periods: list[dict] = field(default_factory=list)
    audit_trail: list[dict] = field(default_factory=list)
    eligible_population: dict[tuple[str, int], int] = field(default_factory=dict)

    async def ensure_person(self, certno: str, psn_name: str, gend: str, brdy: date, ssc_no: str | None) -> str:
        for psn_no, person in self.persons.items():
            if person["certno"] == certno:
                person.update(psn_name=psn_name, ssc_no=ssc_no or person["ssc_no"])
                return psn_no
        psn_no = f"P{len(self.persons) + 1:08d}"
        self.persons[psn_no] = {"psn_no": psn_no, "certno": certno, "psn_name": psn_name, "gend": gend,
                                "brdy": brdy, "ssc_no": ssc_no}
        return psn_no

    async def person(self, psn_no: str) -> Record | None:
        return Record(self.persons[psn_no]) if psn_no in self.persons else None

    async def add_household(self, household_id: str, admdvs: str) -> None:
        self.households[household_id] = admdvs

    async def live_enrollments(self, certnos, year: int) -> list[Record]:
        wanted = set(certnos)
        return [Record(e) for e in self.enrollments
                if e["certno"] in wanted and e["year"] == year and e["status"] != "terminated"]

    async def insured_in_year(self, certnos, year: int, insutype: str) -> set[str]:
        wanted = set(certnos)
        return {e["certno"] for e in self.enrollments if e["certno"] in wanted and e["year"] == year
                and e["insutype"] == insutype and e["status"] in ("active", "suspended")}

    async def add_enrollment(self, **values: Any) -> int:
        enrollment_id = len(self.enrollments) + 1
        self.enrollments.append({"id": enrollment_id, "paid_at": None, "refusal": None, "refusal_reason": None,
                                 **values})
        return enrollment_id

    async def enrollment_for_update(self, psn_no: str, year: int, insutype: str) -> Record | None:
        found = [e for e in self.enrollments if (e["psn_no"], e["year"], e["insutype"]) == (psn_no, year, insutype)
                 and e["status"] != "terminated"]
        return Record(dict(found[0])) if found else None

    async def enrollments_of_person(self, psn_no: str) -> list[Record]:
        return [Record(dict(e)) for e in sorted(self.enrollments, key=lambda e: (e["year"], e["id"]))
                if e["psn_no"] == psn_no]

    async def enrollments_of_household(self, household_id: str, year: int | None = None) -> list[Record]:
        return [Record(dict(e)) for e in sorted(self.enrollments, key=lambda e: (e["year"], e["id"]))
                if e["household_id"] == household_id
                and (year is None or (e["year"] == year and e["status"] != "terminated"))]

    async def set_enrollment(self, enrollment_id: int, **values: Any) -> None:
        self.enrollments[enrollment_id - 1].update(values)

    async def add_period(self, enrollment: Record, starts: date, ends: date, status: str) -> None:
        self.periods.append({"id": len(self.periods) + 1, "enrollment_id": enrollment.id, "psn_no": enrollment.psn_no,
                             "insutype": enrollment.insutype, "year": enrollment.year, "starts": starts,
                             "ends": ends, "status": status})

    async def open_period(self, enrollment_id: int) -> Record | None:
        mine = [p for p in self.periods if p["enrollment_id"] == enrollment_id]
        return Record(dict(mine[-1])) if mine else None

    async def set_period(self, period_id: int, **values: Any) -> None:
        self.periods[period_id - 1].update(values)

    async def latest_cover_end(self, psn_no: str, insutype: str, before_year: int) -> date | None:
        ends = [p["ends"] for p in self.periods if p["psn_no"] == psn_no and p["insutype"] == insutype
                and p["year"] < before_year and p["status"] != "suspended"]
        return max(ends, default=None)

    async def last_suspension_reason(self, enrollment_id: int) -> str | None:
        reasons = [a["reason"] for a in self.audit_trail
                   if a["enrollment_id"] == enrollment_id and a["action"] == "suspended"]
        return reasons[-1] if reasons else None

    async def audit(self, **values: Any) -> None:
        self.audit_trail.append(values)

    async def set_eligible(self, admdvs: str, year: int, eligible: int, actor: str) -> None:
        self.eligible_population[(admdvs, year)] = eligible


class FakeUnitOfWork(FakeUnitOfWorkBase):
    """Events in ``events`` once committed; the repository's lists are what "the database" holds."""

    def __init__(self, repo: FakeRepository | None = None) -> None:
        super().__init__()
        self.repo = repo or FakeRepository()


def activate(repo: FakeRepository, enrollment_id: int, starts: date, ends: date) -> None:
    """Put an enrollment in force from ``starts``, as a payment would have."""
    enrollment = repo.enrollments[enrollment_id - 1]
    enrollment["status"] = "active"
    repo.periods.append({"id": len(repo.periods) + 1, "enrollment_id": enrollment_id, "psn_no": enrollment["psn_no"],
                         "insutype": enrollment["insutype"], "year": enrollment["year"], "starts": starts,
                         "ends": ends, "status": "active"})
