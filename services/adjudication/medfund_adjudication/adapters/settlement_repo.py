"""Settlements, reversals and the per-person-year accumulators they move (row-locked)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import bindparam, case, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters import result_codec
from medfund_adjudication.adapters.tables import accumulators, fee_details, requests, settlements
from medfund_adjudication.domain.reconciliation import Totals
from medfund_adjudication.domain.settlement import Accumulators, SettlementResult
from medfund_shared.db import outbox_table
from medfund_shared.money import Money

_COUNTERS = {"outpatient_visits"}


def _column(field: str) -> str:
    return field if field in _COUNTERS else f"{field}_fen"


_LOCK_ACCUMULATORS = (select(accumulators).where(accumulators.c.psn_no == bindparam("psn_no"),
                                                  accumulators.c.year == bindparam("year")).with_for_update())
"""Built once: the hot path's statements take bound parameters, so SQLAlchemy neither rebuilds nor re-keys them."""


async def lock_accumulators(session: AsyncSession, psn_no: str, year: int) -> Accumulators:
    """The year's totals with the row locked until commit: settlements for one person serialise here."""
    key = {"psn_no": psn_no, "year": year}
    row = (await session.execute(_LOCK_ACCUMULATORS, key)).first()
    if row is None:
        await session.execute(pg_insert(accumulators).values(psn_no=psn_no, year=year).on_conflict_do_nothing())
        row = (await session.execute(_LOCK_ACCUMULATORS, key)).one()
    return Accumulators(**{f.name: _value(f.name, getattr(row, _column(f.name))) for f in fields(Accumulators)})


async def read_accumulators(session: AsyncSession, psn_no: str, year: int) -> Accumulators:
    row = (await session.execute(select(accumulators).where(accumulators.c.psn_no == psn_no,
                                                            accumulators.c.year == year))).first()
    if row is None:
        return Accumulators()
    return Accumulators(**{f.name: _value(f.name, getattr(row, _column(f.name))) for f in fields(Accumulators)})


def _value(name: str, stored: int):
    return stored if name in _COUNTERS else Money(stored)


def _accumulators_update(psn_no: str, year: int, totals: Accumulators):
    values = {_column(f.name): (v if f.name in _COUNTERS else v.fen)
              for f in fields(Accumulators) for v in [getattr(totals, f.name)]}
    return update(accumulators).where(accumulators.c.psn_no == psn_no, accumulators.c.year == year).values(values)


async def save_accumulators(session: AsyncSession, psn_no: str, year: int, totals: Accumulators) -> None:
    await session.execute(_accumulators_update(psn_no, year, totals))


@dataclass(frozen=True)
class SettlementRecord:
    """A stored settlement or reversal and what the event and answer need from it."""

    setl_id: str
    kind: str
    original_setl_id: str | None
    mdtrt_id: str
    medins_setl_id: str | None
    fixmedins_code: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    setl_time: datetime
    setl_date: date
    result: SettlementResult

    @property
    def pack_version(self) -> int:
        return self.result.pack_version


async def add(session: AsyncSession, record: SettlementRecord) -> None:
    await session.execute(_insert(record))


def _bound(table, prefix: str, names) -> dict:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


_SETTLEMENT_COLUMNS = [c.name for c in settlements.c if c.name != "created_at"]
_ACCUMULATOR_COLUMNS = [_column(f.name) for f in fields(Accumulators)]
_OUTBOX_COLUMNS = ["event_id", "topic", "key", "type", "envelope", "payload"]


def _settling_statement(with_answer: bool):
    settled = (insert(settlements).values(_bound(settlements, "s_", _SETTLEMENT_COLUMNS))
               .returning(settlements.c.setl_id).cte("settled"))
    tied = (update(fee_details).where(fee_details.c.mdtrt_id == bindparam("s_mdtrt_id"),
                                      fee_details.c.feedetl_sn.in_(bindparam("feedetl_sns", expanding=True)))
            .values(setl_id=bindparam("s_setl_id")).returning(fee_details.c.feedetl_sn).cte("tied"))
    totals = (update(accumulators).where(accumulators.c.psn_no == bindparam("s_psn_no"),
                                         accumulators.c.year == bindparam("s_year"))
              .values(_bound(accumulators, "a_", _ACCUMULATOR_COLUMNS)).returning(accumulators.c.psn_no).cte("totals"))
    queued = (insert(outbox_table).values(_bound(outbox_table, "o_", _OUTBOX_COLUMNS))
              .returning(outbox_table.c.event_id).cte("queued"))
    if not with_answer:
        return select(literal(1)).add_cte(settled, tied, totals, queued)
    stored = (pg_insert(requests).values(_bound(requests, "r_", ["key", "digest", "answer"])).on_conflict_do_nothing()
              .returning(literal(1).label("stored")).cte("stored"))
    return select(func.count()).select_from(stored).add_cte(settled, tied, totals, queued)


_SETTLING = {with_answer: _settling_statement(with_answer) for with_answer in (False, True)}


async def add_settling(session: AsyncSession, record: SettlementRecord, feedetl_sns: list[str], event_row: dict,
                       answer_row: dict | None) -> bool:
    """One statement: the settlement, its fee details tied to it, the person's new year totals, its queued event
    and the stored answer. False when the answer's key was taken by a concurrent request (give the change up)."""
    totals = record.result.accumulators_after
    params = {f"s_{name}": value for name, value in _settlement_row(record).items()}
    params |= {f"a_{_column(f.name)}": (v if f.name in _COUNTERS else v.fen)
               for f in fields(Accumulators) for v in [getattr(totals, f.name)]}
    params |= {f"o_{name}": event_row[name] for name in _OUTBOX_COLUMNS}
    params["feedetl_sns"] = feedetl_sns
    if answer_row is not None:
        params |= {f"r_{name}": value for name, value in answer_row.items()}
    return bool(await session.scalar(_SETTLING[answer_row is not None], params))


def _insert(record: SettlementRecord):
    return insert(settlements).values(**_settlement_row(record))


def _settlement_row(record: SettlementRecord) -> dict:
    r = record.result
    return dict(
        setl_id=record.setl_id, kind=record.kind, original_setl_id=record.original_setl_id,
        mdtrt_id=record.mdtrt_id, medins_setl_id=record.medins_setl_id, fixmedins_code=record.fixmedins_code,
        psn_no=record.psn_no, admdvs=record.admdvs, insutype=record.insutype, year=record.year,
        setl_time=record.setl_time, setl_date=record.setl_date, medfee_sumamt_fen=r.medfee_sumamt.fen,
        fund_pay_sumamt_fen=r.fund_pay_sumamt.fen, acct_pay_fen=r.acct_pay.fen, pack_id=r.pack_id,
        pack_version=r.pack_version, result=result_codec.encode(r))


def _record(row) -> SettlementRecord:
    return SettlementRecord(row.setl_id, row.kind, row.original_setl_id, row.mdtrt_id, row.medins_setl_id,
                            row.fixmedins_code, row.psn_no, row.admdvs, row.insutype, row.year, row.setl_time,
                            row.setl_date, result_codec.decode(row.result))


async def get(session: AsyncSession, setl_id: str, *, lock: bool = False) -> SettlementRecord | None:
    query = select(settlements).where(settlements.c.setl_id == setl_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else _record(row)


async def reversal_of(session: AsyncSession, setl_id: str) -> str | None:
    return await session.scalar(select(settlements.c.setl_id).where(settlements.c.original_setl_id == setl_id))


async def by_medins_setl_id(session: AsyncSession, fixmedins_code: str, medins_setl_id: str) -> str | None:
    return await session.scalar(select(settlements.c.setl_id).where(
        settlements.c.fixmedins_code == fixmedins_code, settlements.c.medins_setl_id == medins_setl_id))


async def totals(session: AsyncSession, fixmedins_code: str, insutype: str | None, begin: date, end: date,
                 admdvs: str | None) -> Totals:
    """Our totals for an institution's period: reversals count minus one and carry negated amounts."""
    t = settlements.c
    query = select(func.coalesce(func.sum(case((t.kind == "reversal", -1), else_=1)), 0),
                   func.coalesce(func.sum(t.medfee_sumamt_fen), 0), func.coalesce(func.sum(t.fund_pay_sumamt_fen), 0),
                   func.coalesce(func.sum(t.acct_pay_fen), 0)).where(
        t.fixmedins_code == fixmedins_code, t.setl_date >= begin, t.setl_date <= end)
    if insutype:
        query = query.where(t.insutype == insutype)
    if admdvs:
        query = query.where(t.admdvs == admdvs)
    count, medfee, fund, acct = (await session.execute(query)).one()
    return Totals(int(count), Money(int(medfee)), Money(int(fund)), Money(int(acct)))
