"""The employee scheme (310) in the database: its members (from enrollment's events) and the months declared by
employers or paid by flexible workers (``employee_declarations``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import employee_declarations as months
from medfund_billing.adapters.tables import employee_members as members


class EmployeeContributions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_member(self, **values: object) -> None:
        """A member for a year (a member already recorded is kept as it is)."""
        await self.session.execute(insert(members).values(**values).on_conflict_do_nothing())

    async def terminate_member(self, psn_no: str, year: int, on: date) -> None:
        await self.session.execute(update(members).where(members.c.psn_no == psn_no, members.c.year == year)
                                   .values(terminated_on=on))

    async def members_by_psn_no(self, psn_nos: list[str], year: int) -> dict[str, Row]:
        rows = await self.session.execute(select(members).where(members.c.psn_no.in_(psn_nos),
                                                                members.c.year == year))
        return {row.psn_no: row for row in rows}

    async def members_by_certno(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Row]:
        """(certno, year) → the member."""
        rows = await self.session.execute(select(members).where(
            func.row(members.c.certno, members.c.year).in_(list(keys))))
        return {(row.certno, row.year): row for row in rows}

    async def months_paid_by(self, payer: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of these (certno, period), those ``payer`` paid and nobody withdrew."""
        return set((await self.session.execute(select(months.c.certno, months.c.period).where(
            months.c.payer == payer, months.c.withdrawn_at.is_(None),
            func.row(months.c.certno, months.c.period).in_(list(keys))))).all())

    async def lock_declared(self, employer_code: str, period: str, certnos: list[str]) -> dict[str, Row]:
        """certno → the employer's declaration of the period for that employee, locked."""
        rows = (await self.session.execute(select(months).where(
            months.c.employer_code == employer_code, months.c.period == period,
            months.c.certno.in_(certnos)).with_for_update())).all()
        return {row.certno: row for row in rows}

    async def add_month(self, row: dict) -> None:
        await self.session.execute(months.insert().values(row))

    async def withdraw_month(self, tax_voucher_no: str, payer: str, correction_id: str, at: datetime) -> Row:
        """Mark the live month ``payer`` paid with this voucher as withdrawn; the month."""
        return (await self.session.execute(
            update(months).where(months.c.tax_voucher_no == tax_voucher_no, months.c.payer == payer,
                                 months.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at, withdrawal_id=correction_id).returning(months))).one()

    async def employer_region(self, employer_code: str) -> str | None:
        """The region of the employer's latest declared month."""
        return await self.session.scalar(select(months.c.admdvs).where(months.c.employer_code == employer_code)
                                         .order_by(months.c.period.desc()).limit(1))

    async def declared_fen_by_period(self, employer_code: str) -> dict[str, int]:
        """period → the contributions (employer + employee) the employer declared for it."""
        return {period: int(total) for period, total in (await self.session.execute(
            select(months.c.period, func.sum(months.c.employer_fen + months.c.employee_fen))
            .where(months.c.employer_code == employer_code).group_by(months.c.period))).all()}

    async def region_latest_period(self, admdvs: str) -> str | None:
        return await self.session.scalar(select(func.max(months.c.period)).where(months.c.admdvs == admdvs))
