"""What a settlement reads and writes, in as few round trips as the locking allows, on the driver.

Settlement is the hot path: its statements are Core statements on the service's tables, compiled once and
run on the driver connection (:mod:`medfund_shared.driver`). Before the accumulator lock: the admission,
its institution, the person's coverage rows, whether the sender's settlement id was used and the request
key's stored answer, in one query. After the lock (so that a concurrent settlement of the same admission
is seen): the unsettled fee details with their catalogue entries, in one query. Then one statement writes
the settlement, its fee ties, the year totals, the queued event and the stored answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import asyncpg
from sqlalchemy import ARRAY, Text, and_, any_, bindparam, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.adapters.admission_repo import admission_of
from medfund_adjudication.adapters.registry_repo import institution_of
from medfund_adjudication.adapters.settlement_repo import (
    ACCUMULATOR_COLUMNS,
    ACCUMULATORS_OF_YEAR,
    LOCK_ACCUMULATORS,
    SettlementRecord,
    accumulator_values,
    accumulators_of,
    settlement_row,
)
from medfund_adjudication.adapters.tables import (
    accumulators,
    admissions,
    catalogue,
    coverage,
    fee_details,
    institutions,
    requests,
    settlements,
)
from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_adjudication.domain.settlement import Accumulators, FeeItem
from medfund_shared.db import outbox_table
from medfund_shared.driver import DriverStatement
from medfund_shared.money import Money


@dataclass(frozen=True)
class AdmissionContext:
    admission: Admission
    institution: RegisteredInstitution
    coverages: dict[int, Coverage]
    """The person's coverage under the admission's scheme, by insurance year."""
    medins_setl_id_used: bool
    stored_request: tuple[str, str] | None = None
    """``(digest, answer)`` when the request's key was already answered."""


def _prefixed(table, prefix: str) -> list:
    return [c.label(f"{prefix}{c.name}") for c in table.c]


def _unprefixed(record: asyncpg.Record, table, prefix: str = "") -> SimpleNamespace:
    return SimpleNamespace(**{c.name: record[f"{prefix}{c.name}"] for c in table.c})


_USED = exists().where(settlements.c.fixmedins_code == admissions.c.fixmedins_code,
                       settlements.c.medins_setl_id == bindparam("medins_setl_id", type_=Text))
_CONTEXT = DriverStatement.of(
    select(admissions, *_prefixed(institutions, "i_"), *_prefixed(coverage, "c_"), _USED.label("used"),
           requests.c.digest.label("request_digest"), requests.c.answer.label("request_answer"))
    .join(institutions, institutions.c.fixmedins_code == admissions.c.fixmedins_code)
    .outerjoin(coverage, and_(coverage.c.psn_no == admissions.c.psn_no, coverage.c.insutype == admissions.c.insutype))
    .outerjoin(requests, and_(requests.c.key == bindparam("request_key", type_=Text), requests.c.answer.is_not(None)))
    .where(admissions.c.mdtrt_id == bindparam("mdtrt_id", type_=Text)))
"""A NULL settlement id or request key matches nothing."""


async def admission_context(db: asyncpg.Connection, mdtrt_id: str, medins_setl_id: str | None,
                            request_key: str | None = None) -> AdmissionContext | None:
    """The admission's context and, with ``request_key``, that key's stored answer (a retry costs no extra trip)."""
    records = await _CONTEXT.fetch(db, {"mdtrt_id": mdtrt_id, "medins_setl_id": medins_setl_id,
                                        "request_key": request_key})
    if not records:
        return None
    first = records[0]
    coverages = {r["c_year"]: coverage_repo.from_row(_unprefixed(r, coverage, "c_"))
                 for r in records if r["c_year"] is not None}
    stored = (first["request_digest"], first["request_answer"]) if first["request_digest"] is not None else None
    return AdmissionContext(admission_of(_unprefixed(first, admissions)),
                            institution_of(_unprefixed(first, institutions, "i_")), coverages, bool(first["used"]),
                            stored)


_LOCK_ACCUMULATORS = DriverStatement.of(LOCK_ACCUMULATORS)
_READ_ACCUMULATORS = DriverStatement.of(ACCUMULATORS_OF_YEAR)
_OPEN_ACCUMULATORS = DriverStatement.of(pg_insert(accumulators).values(
    psn_no=bindparam("psn_no", type_=Text), year=bindparam("year")).on_conflict_do_nothing())


async def lock_accumulators(db: asyncpg.Connection, psn_no: str, year: int) -> Accumulators:
    """The year's totals with the row locked until commit: settlements for one person serialise here."""
    key = {"psn_no": psn_no, "year": year}
    record = await _LOCK_ACCUMULATORS.fetchrow(db, key)
    if record is None:
        await _OPEN_ACCUMULATORS.fetch(db, key)
        record = await _LOCK_ACCUMULATORS.fetchrow(db, key)
    return accumulators_of(record)


async def read_accumulators(db: asyncpg.Connection, psn_no: str, year: int) -> Accumulators:
    """The year's totals for a pre-settlement, unlocked: it changes nothing."""
    record = await _READ_ACCUMULATORS.fetchrow(db, {"psn_no": psn_no, "year": year})
    return Accumulators() if record is None else accumulators_of(record)


_UNSETTLED = DriverStatement.of(
    select(fee_details, catalogue.c.name, catalogue.c.item_class, catalogue.c.pric_uplmt_amt,
           (catalogue.c.med_list_codg.is_not(None)).label("listed"))
    .outerjoin(catalogue, catalogue.c.med_list_codg == fee_details.c.med_list_codg)
    .where(fee_details.c.mdtrt_id == bindparam("mdtrt_id", type_=Text), fee_details.c.cancelled.is_(False),
           fee_details.c.setl_id.is_(None))
    .order_by(fee_details.c.feedetl_sn))


async def unsettled_fees(db: asyncpg.Connection, mdtrt_id: str) -> tuple[list[FeeItem], dict[str, CatalogueItem]]:
    """The admission's unsettled details in serial order and the catalogue entries of their codes."""
    items, entries = [], {}
    for r in await _UNSETTLED.fetch(db, {"mdtrt_id": mdtrt_id}):
        items.append(FeeItem(r["feedetl_sn"], r["med_list_codg"], r["cnt"], r["pric"],
                             Money(r["det_item_fee_sumamt_fen"])))
        if r["listed"]:
            entries[r["med_list_codg"]] = CatalogueItem(r["med_list_codg"], r["name"], r["item_class"],
                                                        r["pric_uplmt_amt"])
    return items, entries


_BALANCE = {lock: DriverStatement.of(coverage_repo.BALANCE.with_for_update() if lock else coverage_repo.BALANCE)
            for lock in (False, True)}
_RETIRED = DriverStatement.of(coverage_repo.RETIRED)
_CREDIT_ONCE = DriverStatement.of(coverage_repo.CREDIT_ONCE)
_ADD_TO_BALANCE = DriverStatement.of(coverage_repo.ADD_TO_BALANCE)


async def employee(db: asyncpg.Connection, psn_no: str, *, lock: bool) -> tuple[Money, bool]:
    """An employee's account balance (row-locked when the settlement pays from it) and retired flag."""
    balance = await _BALANCE[lock].fetchval(db, {"psn_no": psn_no})
    return Money(balance or 0), bool(await _RETIRED.fetchval(db, {"psn_no": psn_no}))


async def credit(db: asyncpg.Connection, credit_id: str, psn_no: str, amount: Money) -> None:
    """Add ``amount`` once per ``credit_id`` (negative to debit), as ``coverage_repo.credit`` does."""
    params = {"credit_id": credit_id, "psn_no": psn_no, "amount_fen": amount.fen}
    if await _CREDIT_ONCE.fetchval(db, params) is not None:
        await _ADD_TO_BALANCE.fetch(db, params)


def _bound(table, prefix: str, names) -> dict:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


_SETTLEMENT_COLUMNS = [c.name for c in settlements.c if c.name != "created_at"]
_OUTBOX_COLUMNS = ["event_id", "topic", "key", "type", "envelope", "payload"]


def _settling_statement(with_answer: bool) -> DriverStatement:
    settled = (insert(settlements).values(_bound(settlements, "s_", _SETTLEMENT_COLUMNS))
               .returning(settlements.c.setl_id).cte("settled"))
    tied = (update(fee_details).where(fee_details.c.mdtrt_id == bindparam("s_mdtrt_id", type_=Text),
                                      fee_details.c.feedetl_sn == any_(bindparam("feedetl_sns", type_=ARRAY(Text))))
            .values(setl_id=bindparam("s_setl_id", type_=Text)).returning(fee_details.c.feedetl_sn).cte("tied"))
    totals = (update(accumulators).where(accumulators.c.psn_no == bindparam("s_psn_no", type_=Text),
                                         accumulators.c.year == bindparam("s_year"))
              .values(_bound(accumulators, "a_", ACCUMULATOR_COLUMNS)).returning(accumulators.c.psn_no).cte("totals"))
    queued = (insert(outbox_table).values(_bound(outbox_table, "o_", _OUTBOX_COLUMNS))
              .returning(outbox_table.c.event_id).cte("queued"))
    if not with_answer:
        return DriverStatement.of(select(literal(1)).add_cte(settled, tied, totals, queued))
    stored = (pg_insert(requests).values(_bound(requests, "r_", ["key", "digest", "answer"])).on_conflict_do_nothing()
              .returning(literal(1).label("stored")).cte("stored"))
    return DriverStatement.of(select(func.count()).select_from(stored).add_cte(settled, tied, totals, queued))


_SETTLING = {with_answer: _settling_statement(with_answer) for with_answer in (False, True)}


async def add_settling(db: asyncpg.Connection, record: SettlementRecord, feedetl_sns: list[str], event_row: dict,
                       answer_row: dict | None) -> bool:
    """One statement: the settlement, its fee details tied to it, the person's new year totals, its queued event
    and the stored answer. False when the answer's key was taken by a concurrent request (give the change up)."""
    params = {f"s_{name}": value for name, value in settlement_row(record).items()}
    params |= {f"a_{name}": value for name, value in accumulator_values(record.result.accumulators_after).items()}
    params |= {f"o_{name}": event_row[name] for name in _OUTBOX_COLUMNS}
    params["feedetl_sns"] = feedetl_sns
    if answer_row is not None:
        params |= {f"r_{name}": value for name, value in answer_row.items()}
    return bool(await _SETTLING[answer_row is not None].fetchval(db, params))

