"""Set-based reads and writes for the bulk import: a chunk of lines costs a handful of round trips."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.repository import LIVE, person_update
from medfund_enrollment.adapters.tables import audit_trail, coverage_periods, enrollments, households, persons
from medfund_enrollment.domain.batch_roster import Enrolled, Roster

COVERED = ("active", "suspended")


class BulkStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def roster(self, certnos: Collection[str], years: Collection[int],
                     household_keys: Collection[tuple[str, str]]) -> Roster:
        """What is recorded for these people (these years and the ones before) and households."""
        if not certnos:
            return Roster()
        roster = Roster(households=await self._households(household_keys))
        rows = await self.session.execute(
            select(enrollments.c.certno, enrollments.c.year, enrollments.c.household_id, enrollments.c.insutype,
                   enrollments.c.tier, enrollments.c.status)
            .where(enrollments.c.certno.in_(list(certnos)),
                   enrollments.c.year.in_(sorted(set(years) | {y - 1 for y in years})), LIVE))
        for r in rows:
            if r.year in years:
                roster.live[(r.certno, r.year)] = Enrolled(r.certno, r.year, r.household_id, r.insutype, r.tier)
            if r.status in COVERED:
                roster.insured.add((r.certno, r.year, r.insutype))
        await self._heads(roster, years)
        await self._cover_ends(roster, certnos)
        return roster

    async def _households(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if not keys:
            return {}
        h = households
        rows = await self.session.execute(select(h.c.admdvs, h.c.household_key, h.c.household_id).where(
            func.row(h.c.admdvs, h.c.household_key).in_(list(keys))))
        return {(r.admdvs, r.household_key): r.household_id for r in rows}

    async def _heads(self, roster: Roster, years: Collection[int]) -> None:
        if not roster.households:
            return
        e = enrollments
        rows = await self.session.execute(
            select(e.c.certno, e.c.year, e.c.household_id, e.c.insutype, e.c.tier)
            .where(e.c.household_id.in_(list(roster.households.values())), e.c.year.in_(list(years)), LIVE)
            .order_by(e.c.id))
        for r in rows:
            roster.heads.setdefault((r.household_id, r.year),
                                    Enrolled(r.certno, r.year, r.household_id, r.insutype, r.tier))

    async def _cover_ends(self, roster: Roster, certnos: Collection[str]) -> None:
        p = coverage_periods
        rows = await self.session.execute(
            select(persons.c.certno, p.c.insutype, p.c.year, func.max(p.c.ends))
            .join(persons, persons.c.psn_no == p.c.psn_no)
            .where(persons.c.certno.in_(list(certnos)), p.c.status != "suspended")
            .group_by(persons.c.certno, p.c.insutype, p.c.year))
        for certno, insutype, year, ends in rows:
            roster.cover_ends.setdefault((certno, insutype), []).append((year, ends))

    async def add_households(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(households), sorted(rows, key=lambda r: r["household_key"]))

    async def ensure_persons(self, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
        """certno → psn_no, creating the persons not seen before (the last name given wins, as one by one)."""
        latest = {row["certno"]: row for row in rows}
        if not latest:
            return {}
        stmt = pg_insert(persons)
        stmt = stmt.on_conflict_do_update(index_elements=["certno"], set_=person_update(stmt))
        result = await self.session.execute(stmt.returning(persons.c.certno, persons.c.psn_no),
                                            [latest[c] for c in sorted(latest)])
        return dict(result.all())

    async def add_enrollments(self, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, int], int]:
        """(certno, year) → the new enrollment's id."""
        if not rows:
            return {}
        result = await self.session.execute(
            insert(enrollments).returning(enrollments.c.certno, enrollments.c.year, enrollments.c.id), list(rows))
        return {(r.certno, r.year): r.id for r in result}

    async def add_periods(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(coverage_periods), list(rows))

    async def add_audit(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(audit_trail), list(rows))
