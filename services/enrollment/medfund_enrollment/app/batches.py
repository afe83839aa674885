"""Bulk registration from a CSV file: every line judged on its own, one transaction per chunk.

A line already registered in the same household for the year is a duplicate, not an error, so a
re-sent file changes nothing. Rejected lines are kept with the masked certno, a code and a message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.app.common import pack_for
from medfund_enrollment.app.registration import enroll_member
from medfund_enrollment.domain import certno as ids
from medfund_enrollment.domain.errors import EnrollmentError, InvalidRequest
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication, plan_household
from medfund_shared.policy.catalogue import PolicyCatalogue

COLUMNS = ("household_key", "admdvs", "insutype", "year", "tier", "certno", "psn_name", "gend", "brdy", "category")
OPTIONAL_COLUMNS = ("enrolled_on", "event_date")
CATEGORY_SEPARATOR = "|"


@dataclass(frozen=True)
class BatchLine:
    line: int
    values: dict[str, str]


@dataclass
class ChunkOutcome:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejections: list[dict] = field(default_factory=list)

    def reject(self, line: BatchLine, error: EnrollmentError) -> None:
        self.rejections.append({"line": line.line, "certno": ids.mask(line.values.get("certno", "").strip()),
                                "code": error.code, "message": error.message,
                                "field": (error.field or "").removeprefix("members.0.") or None})


def check_header(header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidRequest("invalid_header", f"the header row lacks {missing}; columns: "
                                               f"{', '.join(COLUMNS + OPTIONAL_COLUMNS)}", "header")


async def start_batch(uow: UnitOfWork, actor: str) -> str:
    batch_id = str(uuid.uuid4())
    await uow.repo.add_batch(batch_id, actor)
    await uow.commit()
    return batch_id


async def finish_batch(uow: UnitOfWork, batch_id: str) -> None:
    await uow.repo.finish_batch(batch_id)
    await uow.commit()


async def process_chunk(batch_id: str, lines: list[BatchLine], uow: UnitOfWork, catalogue: PolicyCatalogue,
                        today: date) -> ChunkOutcome:
    """Apply a chunk of lines and the batch's progress in one transaction."""
    outcome = ChunkOutcome(received=len(lines))
    households: dict[tuple[str, str], str] = await uow.repo.households_by_key(
        (ln.values.get("admdvs", ""), ln.values.get("household_key", "")) for ln in lines)
    for line in lines:
        try:
            async with uow.savepoint():
                outcome_kind = await _apply_line(line, uow, catalogue, today, households)
        except EnrollmentError as error:
            outcome.reject(line, error)
            continue
        except IntegrityError:
            outcome.reject(line, InvalidRequest("duplicate_enrollment", "registered concurrently by another request",
                                                "certno"))
            key = (line.values.get("admdvs", ""), line.values.get("household_key", ""))
            households.pop(key, None)
            households.update(await uow.repo.households_by_key([key]))
            continue
        if outcome_kind == "accepted":
            outcome.accepted += 1
        else:
            outcome.duplicates += 1
    await uow.repo.advance_batch(batch_id, outcome.received, outcome.accepted, outcome.duplicates,
                                 outcome.rejections)
    await uow.commit()
    return outcome


async def _apply_line(line: BatchLine, uow: UnitOfWork, catalogue: PolicyCatalogue, today: date,
                      households: dict[tuple[str, str], str]) -> str:
    app, key = _application(line, today)
    pack = pack_for(catalogue, app.admdvs, app.insutype, app.year)
    member = app.members[0]
    certno = member.certno.strip().upper()
    renewing = await uow.repo.insured_in_year([certno], app.year - 1, app.insutype)
    plan = plan_household(pack, app, frozenset(renewing))[0]
    household_id = households.get((app.admdvs, key))
    live = await uow.repo.live_enrollments([plan.certno], app.year)
    if live:
        if live[0].household_id == household_id and live[0].insutype == app.insutype:
            return "duplicate"
        raise InvalidRequest("duplicate_enrollment", "already enrolled for this year in another household or scheme",
                             "certno")
    if household_id is None:
        household_id = str(uuid.uuid4())
        await uow.repo.add_household(household_id, app.admdvs, key)
        households[(app.admdvs, key)] = household_id
    else:
        await _check_household_tier(uow, household_id, app)
    await enroll_member(uow, pack, app, plan, household_id)
    return "accepted"


async def _check_household_tier(uow: UnitOfWork, household_id: str, app: HouseholdApplication) -> None:
    members = await uow.repo.enrollments_of_household(household_id, app.year)
    if members and (members[0].tier != app.tier or members[0].insutype != app.insutype):
        raise InvalidRequest("tier_mismatch", f"the household chose tier {members[0].tier} for {app.year}; "
                                              "one tier per household", "tier")


def _application(line: BatchLine, today: date) -> tuple[HouseholdApplication, str]:
    v = {k: (value or "").strip() for k, value in line.values.items()}
    for column in COLUMNS:
        if column != "tier" and not v.get(column):
            raise InvalidRequest("missing_field", f"{column} is empty", column)
    if v["insutype"] not in ("390", "310"):
        raise InvalidRequest("unknown_insutype", "insutype must be 390 or 310", "insutype")
    year = _integer(v["year"], "year")
    member = MemberApplication(v["certno"], v["psn_name"], v["gend"], _date(v["brdy"], "brdy"),
                               tuple(c.strip() for c in v["category"].split(CATEGORY_SEPARATOR) if c.strip()),
                               _date(v["event_date"], "event_date") if v.get("event_date") else None)
    enrolled_on = _date(v["enrolled_on"], "enrolled_on") if v.get("enrolled_on") else today
    return HouseholdApplication(v["admdvs"], v["insutype"], year, v["tier"] or None, (member,), enrolled_on), \
        v["household_key"]


def _integer(value: str, name: str) -> int:
    if not value.isdigit():
        raise InvalidRequest("invalid_field", f"{name} must be a whole number", name)
    return int(value)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest("invalid_date", f"{name} must be a date YYYY-MM-DD", name) from None
