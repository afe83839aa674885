"""Settlements, reversals and the per-person-year accumulators they move (row-locked)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters import result_codec
from medfund_adjudication.adapters.tables import accumulators, settlements
from medfund_adjudication.domain.reconciliation import Totals
from medfund_adjudication.domain.settlement import Accumulators
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.money import Money

_COUNTERS = {"outpatient_visits"}


def _column(field: str) -> str:
    return field if field in _COUNTERS else f"{field}_fen"


ACCUMULATORS_OF_YEAR = select(accumulators).where(accumulators.c.psn_no == bindparam("psn_no"),
                                                  accumulators.c.year == bindparam("year"))
LOCK_ACCUMULATORS = ACCUMULATORS_OF_YEAR.with_for_update()
ACCUMULATOR_COLUMNS = [_column(f.name) for f in fields(Accumulators)]


def accumulators_of(row) -> Accumulators:
    """The totals from a stored row (a mapping by column name)."""
    return Accumulators(**{f.name: row[column] if f.name in _COUNTERS else Money(row[column])
                           for f, column in zip(fields(Accumulators), ACCUMULATOR_COLUMNS, strict=True)})


def accumulator_values(totals: Accumulators) -> dict:
    """The stored columns of ``totals``."""
    return {column: getattr(totals, f.name) if f.name in _COUNTERS else getattr(totals, f.name).fen
            for f, column in zip(fields(Accumulators), ACCUMULATOR_COLUMNS, strict=True)}


def _insert(record: SettlementRecord, accumulator_version: int | None):
    return insert(settlements).values(**settlement_row(record), accumulator_version=accumulator_version)


def settlement_row(record: SettlementRecord) -> dict:
    r = record.result
    return dict(
        setl_id=record.setl_id, kind=record.kind, original_setl_id=record.original_setl_id,
        mdtrt_id=record.mdtrt_id, medins_setl_id=record.medins_setl_id, fixmedins_code=record.fixmedins_code,
        psn_no=record.psn_no, admdvs=record.admdvs, insutype=record.insutype, year=record.year,
        setl_time=record.setl_time, setl_date=record.setl_date, medfee_sumamt_fen=r.medfee_sumamt.fen,
        fund_pay_sumamt_fen=r.fund_pay_sumamt.fen, acct_pay_fen=r.acct_pay.fen, pack_id=r.pack_id,
        pack_version=r.pack_version, result=result_codec.encode(r), inputs=record.inputs, receipt=record.receipt)


def _record(row) -> SettlementRecord:
    return SettlementRecord(row.setl_id, row.kind, row.original_setl_id, row.mdtrt_id, row.medins_setl_id,
                            row.fixmedins_code, row.psn_no, row.admdvs, row.insutype, row.year, row.setl_time,
                            row.setl_date, result_codec.decode(row.result), row.inputs, row.receipt)


class SettlementRepository:
    """Settlements, reversals and the year accumulators, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_accumulators(self, psn_no: str, year: int) -> Accumulators:
        """The year's totals with the row locked until commit: changes for one person serialise here."""
        key = {"psn_no": psn_no, "year": year}
        row = (await self._session.execute(LOCK_ACCUMULATORS, key)).first()
        if row is None:
            await self._session.execute(pg_insert(accumulators).values(psn_no=psn_no, year=year)
                                        .on_conflict_do_nothing())
            row = (await self._session.execute(LOCK_ACCUMULATORS, key)).one()
        return accumulators_of(row._mapping)

    async def accumulators_of_year(self, psn_no: str, year: int) -> Accumulators:
        """The year's totals as they stand (zero when the person has none yet), without a lock."""
        row = (await self._session.execute(ACCUMULATORS_OF_YEAR, {"psn_no": psn_no, "year": year})).first()
        return Accumulators() if row is None else accumulators_of(row._mapping)

    async def of_admission(self, mdtrt_id: str) -> list[SettlementRecord]:
        """The admission's settlements and reversals, oldest first."""
        rows = await self._session.execute(select(settlements).where(settlements.c.mdtrt_id == mdtrt_id)
                                     .order_by(settlements.c.setl_time, settlements.c.created_at))
        return [_record(row) for row in rows]

    async def save_accumulators(self, psn_no: str, year: int, totals: Accumulators) -> int:
        """Store the locked year's totals; the version they now stand at."""
        return await self._session.scalar(update(accumulators)
                                          .where(accumulators.c.psn_no == psn_no, accumulators.c.year == year)
                                          .values(**accumulator_values(totals), version=accumulators.c.version + 1)
                                          .returning(accumulators.c.version))

    async def add(self, record: SettlementRecord, accumulator_version: int | None) -> None:
        """``accumulator_version``: the version the record's change of the year's totals produced."""
        await self._session.execute(_insert(record, accumulator_version))

    async def get(self, setl_id: str, *, lock: bool = False) -> SettlementRecord | None:
        query = select(settlements).where(settlements.c.setl_id == setl_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else _record(row)

    async def newest_first(self, limit: int, *, fixmedins_code: str | None = None,
                           psn_no: str | None = None, begin: date | None = None, end: date | None = None,
                           before: tuple[datetime, str] | None = None) -> list[SettlementRecord]:
        """Settlements and reversals, newest ``setl_time`` first (then ``setl_id``), strictly after the position
        ``before`` (the last of the previous page) and within the filters; ``begin``/``end`` bound ``setl_date``."""
        t = settlements.c
        query = select(settlements).order_by(t.setl_time.desc(), t.setl_id.desc()).limit(limit)
        for column, value in ((t.fixmedins_code, fixmedins_code), (t.psn_no, psn_no)):
            if value is not None:
                query = query.where(column == value)
        if begin is not None:
            query = query.where(t.setl_date >= begin)
        if end is not None:
            query = query.where(t.setl_date <= end)
        if before is not None:
            query = query.where(tuple_(t.setl_time, t.setl_id) < tuple_(*before))
        return [_record(row) for row in await self._session.execute(query)]

    async def reversal_of(self, setl_id: str) -> str | None:
        return await self._session.scalar(select(settlements.c.setl_id)
                                          .where(settlements.c.original_setl_id == setl_id))

    async def totals(self, fixmedins_code: str, insutype: str | None, begin: date, end: date,
                     admdvs: str | None, with_reversals: bool = False) -> Totals:
        """Our totals for an institution's period: its settlement records; ``with_reversals`` adds its reversal
        records (3201 ``refd_setl_flag`` 1), each counted once with its negated amounts."""
        t = settlements.c
        query = select(func.count(), func.coalesce(func.sum(t.medfee_sumamt_fen), 0),
                       func.coalesce(func.sum(t.fund_pay_sumamt_fen), 0),
                       func.coalesce(func.sum(t.acct_pay_fen), 0)).where(
            t.fixmedins_code == fixmedins_code, t.setl_date >= begin, t.setl_date <= end)
        if not with_reversals:
            query = query.where(t.kind == "settlement")
        if insutype:
            query = query.where(t.insutype == insutype)
        if admdvs:
            query = query.where(t.admdvs == admdvs)
        count, medfee, fund, acct = (await self._session.execute(query)).one()
        return Totals(int(count), Money(int(medfee)), Money(int(fund)), Money(int(acct)))
