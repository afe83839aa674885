"""Reads and writes of enrollment state; no rules here, only SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.tables import (
    audit_trail,
    batch_chunks,
    batch_lines,
    batch_rejections,
    batches,
    coverage_periods,
    eligible_population,
    employee_months,
    enrollments,
    households,
    persons,
    region_clocks,
)
from medfund_shared import bulk
from medfund_shared.schemes import EMPLOYEE_SCHEME

Record = Row
"""A stored row (an enrollment, a person, a period), read by attribute: what the use cases are handed."""

LIVE = enrollments.c.status != "terminated"


def person_update(stmt) -> dict:
    """What a registration of a known person changes: the name, and the card number when one is given."""
    return {"psn_name": stmt.excluded.psn_name, "ssc_no": func.coalesce(stmt.excluded.ssc_no, persons.c.ssc_no)}


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- persons and households ----------------------------------------------------------------
    async def ensure_person(self, certno: str, psn_name: str, gend: str, brdy: date, ssc_no: str | None) -> str:
        """The person's number, creating the person on first sight (a person keeps it across years).

        The latest name wins; a card number given replaces the recorded one, an absent one keeps it.
        """
        stmt = pg_insert(persons).values(certno=certno, psn_name=psn_name, gend=gend, brdy=brdy, ssc_no=ssc_no)
        stmt = stmt.on_conflict_do_update(index_elements=["certno"], set_=person_update(stmt))
        return await self.session.scalar(stmt.returning(persons.c.psn_no))

    async def person(self, psn_no: str) -> Row | None:
        return (await self.session.execute(select(persons).where(persons.c.psn_no == psn_no))).first()

    async def person_by_certno(self, certno: str) -> Row | None:
        return (await self.session.execute(select(persons).where(persons.c.certno == certno))).first()

    async def add_household(self, household_id: str, admdvs: str) -> None:
        await self.session.execute(households.insert().values(household_id=household_id, admdvs=admdvs))

    async def household(self, household_id: str) -> Row | None:
        return (await self.session.execute(
            select(households).where(households.c.household_id == household_id))).first()

    # --- enrollments ---------------------------------------------------------------------------
    async def live_enrollments(self, certnos: Iterable[str], year: int) -> list[Row]:
        return list(await self.session.execute(
            select(enrollments).where(enrollments.c.certno.in_(list(certnos)), enrollments.c.year == year, LIVE)))

    async def insured_in_year(self, certnos: Iterable[str], year: int, insutype: str) -> set[str]:
        rows = await self.session.scalars(select(enrollments.c.certno).where(
            enrollments.c.certno.in_(list(certnos)), enrollments.c.year == year,
            enrollments.c.insutype == insutype, enrollments.c.status.in_(["active", "suspended"])))
        return set(rows)

    async def add_enrollment(self, **values: Any) -> int:
        return await self.session.scalar(enrollments.insert().values(**values).returning(enrollments.c.id))

    async def enrollment_for_update(self, psn_no: str, year: int, insutype: str) -> Row | None:
        """The person's live enrollment, locked: concurrent lifecycle changes are serialised."""
        return (await self.session.execute(select(enrollments).where(
            enrollments.c.psn_no == psn_no, enrollments.c.year == year, enrollments.c.insutype == insutype, LIVE)
            .with_for_update())).first()

    async def enrollments_of_person(self, psn_no: str) -> list[Row]:
        return list(await self.session.execute(select(enrollments).where(enrollments.c.psn_no == psn_no)
                                               .order_by(enrollments.c.year, enrollments.c.id)))

    async def enrollments_of_household(self, household_id: str, year: int | None = None) -> list[Row]:
        query = select(enrollments).where(enrollments.c.household_id == household_id)
        if year is not None:
            query = query.where(enrollments.c.year == year, LIVE)
        return list(await self.session.execute(query.order_by(enrollments.c.year, enrollments.c.id)))

    async def set_enrollment(self, enrollment_id: int, **values: Any) -> None:
        await self.session.execute(update(enrollments).where(enrollments.c.id == enrollment_id).values(**values))

    # --- coverage periods ----------------------------------------------------------------------
    async def add_period(self, enrollment: Row, starts: date, ends: date, status: str) -> None:
        await self.session.execute(coverage_periods.insert().values(
            enrollment_id=enrollment.id, psn_no=enrollment.psn_no, insutype=enrollment.insutype,
            year=enrollment.year, starts=starts, ends=ends, status=status))

    async def open_period(self, enrollment_id: int) -> Row | None:
        """The enrollment's latest period (the one a suspension, reinstatement or termination cuts)."""
        return (await self.session.execute(select(coverage_periods)
                                           .where(coverage_periods.c.enrollment_id == enrollment_id)
                                           .order_by(coverage_periods.c.id.desc()).limit(1))).first()

    async def set_period(self, period_id: int, **values: Any) -> None:
        await self.session.execute(update(coverage_periods).where(coverage_periods.c.id == period_id).values(**values))

    async def latest_cover_end(self, psn_no: str, insutype: str, before_year: int) -> date | None:
        return await self.session.scalar(select(func.max(coverage_periods.c.ends)).where(
            coverage_periods.c.psn_no == psn_no, coverage_periods.c.insutype == insutype,
            coverage_periods.c.year < before_year, coverage_periods.c.status != "suspended"))

    async def periods_of_person(self, psn_no: str) -> list[Row]:
        return list(await self.session.execute(select(coverage_periods).where(coverage_periods.c.psn_no == psn_no)
                                               .order_by(coverage_periods.c.starts, coverage_periods.c.id)))

    # --- employee scheme: months paid and each region's clock ---------------------------------
    async def add_employee_month(self, psn_no: str, period: date, admdvs: str) -> None:
        await self.session.execute(pg_insert(employee_months).values(psn_no=psn_no, period=period, admdvs=admdvs)
                                   .on_conflict_do_nothing())

    async def remove_employee_month(self, psn_no: str, period: date) -> None:
        await self.session.execute(delete(employee_months).where(employee_months.c.psn_no == psn_no,
                                                                 employee_months.c.period == period))

    async def employee_months_of(self, psn_no: str) -> list[date]:
        return list(await self.session.scalars(select(employee_months.c.period)
                                               .where(employee_months.c.psn_no == psn_no)
                                               .order_by(employee_months.c.period)))

    async def advance_region_clock(self, admdvs: str, period: date) -> tuple[date | None, date]:
        """(the clock before, the clock after) once ``period`` is seen in the region (it never goes back)."""
        before = await self.session.scalar(select(region_clocks.c.latest_period)
                                           .where(region_clocks.c.admdvs == admdvs).with_for_update())
        stmt = pg_insert(region_clocks).values(admdvs=admdvs, latest_period=period)
        after = await self.session.scalar(stmt.on_conflict_do_update(
            index_elements=["admdvs"], set_={"latest_period": func.greatest(region_clocks.c.latest_period,
                                                                            stmt.excluded.latest_period)})
            .returning(region_clocks.c.latest_period))
        return before, after

    async def region_clock(self, admdvs: str) -> date | None:
        return await self.session.scalar(select(region_clocks.c.latest_period).where(region_clocks.c.admdvs == admdvs))

    async def employees_paid_before(self, admdvs: str, last_paid_before: date) -> list[str]:
        """Persons of the region with cover under 310 (not retired) whose latest month paid is before the date."""
        e, m = enrollments, employee_months
        latest = (select(m.c.psn_no, func.max(m.c.period).label("latest")).where(m.c.admdvs == admdvs)
                  .group_by(m.c.psn_no).subquery())
        return list(await self.session.scalars(
            select(e.c.psn_no).distinct().join(latest, latest.c.psn_no == e.c.psn_no)
            .where(e.c.admdvs == admdvs, e.c.insutype == EMPLOYEE_SCHEME, e.c.status == "active",
                   e.c.employee_kind != "retired", latest.c.latest < last_paid_before)))

    async def last_suspension_reason(self, enrollment_id: int) -> str | None:
        return await self.session.scalar(
            select(audit_trail.c.reason).where(audit_trail.c.enrollment_id == enrollment_id,
                                               audit_trail.c.action == "suspended")
            .order_by(audit_trail.c.id.desc()).limit(1))

    # --- audit ---------------------------------------------------------------------------------
    async def audit(self, **values: Any) -> None:
        await self.session.execute(audit_trail.insert().values(**values))

    async def audit_of_person(self, psn_no: str) -> list[Row]:
        return list(await self.session.execute(select(audit_trail).where(audit_trail.c.psn_no == psn_no)
                                               .order_by(audit_trail.c.id)))

    # --- statistics ----------------------------------------------------------------------------
    async def counts_by_category(self, admdvs: str, year: int) -> dict[tuple[str, str], int]:
        rows = await self.session.execute(
            select(enrollments.c.category, enrollments.c.status, func.count()).where(
                enrollments.c.admdvs == admdvs, enrollments.c.year == year)
            .group_by(enrollments.c.category, enrollments.c.status))
        return {(r[0], r[1]): r[2] for r in rows}

    async def eligible(self, admdvs: str, year: int) -> int | None:
        return await self.session.scalar(select(eligible_population.c.eligible).where(
            eligible_population.c.admdvs == admdvs, eligible_population.c.year == year))

    async def set_eligible(self, admdvs: str, year: int, eligible: int, actor: str) -> None:
        stmt = pg_insert(eligible_population).values(admdvs=admdvs, year=year, eligible=eligible, actor=actor)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["admdvs", "year"],
            set_={"eligible": stmt.excluded.eligible, "actor": stmt.excluded.actor, "updated_at": func.now()}))

    # --- batches -------------------------------------------------------------------------------
    async def add_batch(self, batch_id: str, actor: str, header: list[str]) -> None:
        await self.session.execute(batches.insert().values(batch_id=batch_id, status="processing", actor=actor,
                                                           header=header))

    async def stage_lines(self, batch_id: str, lines: list[tuple[int, bytes]], received_all: bool) -> None:
        """Add file lines (number, bytes as sent) to the batch's staged file; ``received_all`` once it is whole."""
        if lines:
            await bulk.copy_records(self.session, batch_lines, ("batch_id", "line", "raw"),
                                    [(batch_id, number, raw) for number, raw in lines])
        if received_all:
            await self.session.execute(update(batches).where(batches.c.batch_id == batch_id).values(received_all=True))

    async def staged_after(self, batch_id: str, limit: int) -> tuple[bool, list[tuple[int, bytes]]]:
        """(whole file staged, the next ``limit`` staged lines after the last one applied)."""
        head = (await self.session.execute(select(batches.c.received_all, batches.c.last_line)
                                           .where(batches.c.batch_id == batch_id))).one()
        rows = await self.session.execute(
            select(batch_lines.c.line, batch_lines.c.raw)
            .where(batch_lines.c.batch_id == batch_id, batch_lines.c.line > head.last_line)
            .order_by(batch_lines.c.line).limit(limit))
        return head.received_all, [(line, bytes(raw)) for line, raw in rows]

    async def batch_header(self, batch_id: str) -> list[str]:
        return await self.session.scalar(select(batches.c.header).where(batches.c.batch_id == batch_id))

    async def record_chunk(self, batch_id: str, first_line: int, last_line: int, received: int, accepted: int,
                           duplicates: int, rejections: list[dict]) -> None:
        """Keep the chunk's outcome and rejections; set the batch's progress and counters to the sums of its chunks
        (never added to, so no replay can double them)."""
        await self.session.execute(pg_insert(batch_chunks).values(
            batch_id=batch_id, first_line=first_line, last_line=last_line, received=received, accepted=accepted,
            duplicates=duplicates).on_conflict_do_nothing())
        if rejections:
            await self.session.execute(pg_insert(batch_rejections).on_conflict_do_nothing(),
                                       [{"batch_id": batch_id, **r} for r in rejections])
        sums = (await self.session.execute(
            select(*(func.coalesce(func.sum(column), 0) for column in
                     (batch_chunks.c.received, batch_chunks.c.accepted, batch_chunks.c.duplicates)))
            .where(batch_chunks.c.batch_id == batch_id))).one()
        await self.session.execute(update(batches).where(batches.c.batch_id == batch_id).values(
            last_line=last_line, received=sums[0], accepted=sums[1], duplicates=sums[2]))

    async def drop_staged_lines(self, batch_id: str) -> None:
        await self.session.execute(delete(batch_lines).where(batch_lines.c.batch_id == batch_id))

    async def recent_batches(self, status: str | None, limit: int) -> list[Row]:
        query = select(batches).order_by(batches.c.created_at.desc()).limit(limit)
        if status is not None:
            query = query.where(batches.c.status == status)
        return list(await self.session.execute(query))

    async def batch(self, batch_id: str) -> tuple[Row, list[Row]] | None:
        head = (await self.session.execute(select(batches).where(batches.c.batch_id == batch_id))).first()
        if head is None:
            return None
        rejected = list(await self.session.execute(select(batch_rejections).where(
            batch_rejections.c.batch_id == batch_id).order_by(batch_rejections.c.line)))
        return head, rejected
