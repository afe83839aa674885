"""What a settlement reads and writes, on the driver, in two round trips and without holding a lock.

Settlement is the hot path: its statements are Core statements on the service's tables, compiled once and
run on the driver connection (:mod:`medfund_shared.driver`). Two statements, each its own transaction: one read
of the admission's context (its institution, the person's coverage in the admission's insurance year, whether
the sender's settlement id was used and the request key's stored answer in ``idempotency_keys``) and of the
person's state (that year's accumulators and their version, the account balance and retired flag, the unsettled
fee details with their catalogue entries); and one write of the settlement, its fee ties, the year totals, the
account debit, the queued event and the stored answer.

The write applies only if the accumulators' version is still the one read. The version is the person's
serialisation point: every change of the accumulators increments it, so after a concurrent settlement or
reversal for the person the write changes nothing and says so, and the caller settles again holding the row
lock (:func:`lock_accumulators`), which cannot lose that race. Each part of the write waits for the
accumulator row first, the lock order of the locked path. What the version does not cover (a fee detail
cancelled meanwhile, the request key taken, the account debited elsewhere) rolls the write back with
SQLSTATE 40001 (``settlement_lost_race``, migration 0005).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from types import SimpleNamespace

import asyncpg
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Integer,
    Interval,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.adapters.admission_repo import admission_of
from medfund_adjudication.adapters.registry_repo import institution_of
from medfund_adjudication.adapters.settlement_repo import (
    ACCUMULATOR_COLUMNS,
    LOCK_ACCUMULATORS,
    SettlementRecord,
    accumulator_values,
    accumulators_of,
    settlement_row,
)
from medfund_adjudication.adapters.tables import (
    account_credits,
    accounts,
    accumulators,
    admissions,
    catalogue,
    coverage,
    employment,
    fee_details,
    institutions,
    settlements,
)
from medfund_adjudication.domain.registry import CatalogueItem
from medfund_adjudication.domain.settlement import Accumulators, FeeItem
from medfund_adjudication.domain.settlement_reading import AdmissionContext, PersonState
from medfund_shared import driver
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.db import outbox_table
from medfund_shared.driver import DriverStatement
from medfund_shared.idempotency import IdempotentRequest, idempotency_keys
from medfund_shared.money import Money


@cache
def _labels(table, prefix: str) -> tuple[tuple[str, str], ...]:
    """Each column's name and the label it is selected under (``prefix`` + name)."""
    return tuple((c.name, f"{prefix}{c.name}") for c in table.c)


def _prefixed(table, prefix: str) -> list:
    return [table.c[name].label(label) for name, label in _labels(table, prefix)]


def _unprefixed(record: asyncpg.Record, table, prefix: str = "") -> SimpleNamespace:
    return SimpleNamespace(**{name: record[label] for name, label in _labels(table, prefix)})


_YEAR = cast(extract("year", func.timezone(literal(CHINA_TIME.utcoffset(None), Interval), admissions.c.begntime)),
             Integer)
"""The insurance year of the admission day (its Beijing calendar date, as :func:`business_date` reads it)."""
_PERSON = admissions.c.psn_no
_USED = exists().where(settlements.c.fixmedins_code == admissions.c.fixmedins_code,
                       settlements.c.medins_setl_id == bindparam("medins_setl_id", type_=Text))
_EARLIER = settlements.alias("earlier")
_STAY_DEDUCTIBLE = (select(cast(func.coalesce(func.sum(_EARLIER.c.result["act_pay_dedc"].astext.cast(BigInteger)), 0),
                                 BigInteger))
                    .where(_EARLIER.c.mdtrt_id == admissions.c.mdtrt_id).scalar_subquery())
"""The deductible (fen) the admission's settlements and reversals so far applied: a reversal carries it negated."""
_ANSWER_TEXT = idempotency_keys.c.answer.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))
"""The stored answer: the exact text first sent, kept as a JSON string."""
_READING = DriverStatement.of(
    select(admissions, *_prefixed(institutions, "i_"), *_prefixed(coverage, "c_"), _USED.label("used"),
           idempotency_keys.c.digest.label("request_digest"), _ANSWER_TEXT.label("request_answer"),
           *[accumulators.c[name] for name in ACCUMULATOR_COLUMNS], accumulators.c.version, accounts.c.balance_fen,
           employment.c.retired, _STAY_DEDUCTIBLE.label("stay_deductible_fen"), fee_details.c.feedetl_sn,
           fee_details.c.med_list_codg, fee_details.c.cnt, fee_details.c.pric, fee_details.c.det_item_fee_sumamt_fen,
           fee_details.c.init_feedetl_sn, catalogue.c.name, catalogue.c.item_class,
           catalogue.c.pric_uplmt_amt, (catalogue.c.med_list_codg.is_not(None)).label("listed"))
    .join(institutions, institutions.c.fixmedins_code == admissions.c.fixmedins_code)
    .outerjoin(coverage, and_(coverage.c.psn_no == _PERSON, coverage.c.insutype == admissions.c.insutype,
                              coverage.c.year == _YEAR))
    .outerjoin(idempotency_keys, and_(idempotency_keys.c.scope == bindparam("request_scope", type_=Text),
                                      idempotency_keys.c.key == bindparam("request_key", type_=Text),
                                      idempotency_keys.c.answer.is_not(None)))
    .outerjoin(accumulators, and_(accumulators.c.psn_no == _PERSON, accumulators.c.year == _YEAR))
    .outerjoin(accounts, accounts.c.psn_no == _PERSON)
    .outerjoin(employment, employment.c.psn_no == _PERSON)
    .outerjoin(fee_details.outerjoin(catalogue, catalogue.c.med_list_codg == fee_details.c.med_list_codg),
               and_(fee_details.c.mdtrt_id == admissions.c.mdtrt_id, fee_details.c.cancelled.is_(False),
                    fee_details.c.setl_id.is_(None)))
    .where(admissions.c.mdtrt_id == bindparam("mdtrt_id", type_=Text))
    .order_by(fee_details.c.feedetl_sn))
"""One row per unsettled fee detail (one row of NULL details when there is none), each carrying the admission's
context and the person's state. A NULL settlement id or request key matches nothing."""


async def settlement_reading(db: asyncpg.Connection, mdtrt_id: str, medins_setl_id: str | None,
                             request: IdempotentRequest | None = None) -> tuple[AdmissionContext, PersonState] | None:
    """The admission's context and the person's state, in one round trip; None for an unknown admission. With
    ``request``, the context carries that key's stored answer (a retry costs no extra trip)."""
    records = await _READING.fetch(db, {"mdtrt_id": mdtrt_id, "medins_setl_id": medins_setl_id,
                                        "request_scope": request and request.scope,
                                        "request_key": request and request.key})
    if not records:
        return None
    first = records[0]
    stored = (first["request_digest"], first["request_answer"]) if first["request_digest"] is not None else None
    context = AdmissionContext(admission_of(_unprefixed(first, admissions)),
                               institution_of(_unprefixed(first, institutions, "i_")),
                               coverage_repo.from_row(_unprefixed(first, coverage, "c_"))
                               if first["c_year"] is not None else None,
                               bool(first["used"]), stored)
    return context, _person_state(records)


def _person_state(records: list[asyncpg.Record]) -> PersonState:
    first = records[0]
    lines, entries = [], {}
    for r in records:
        if r["feedetl_sn"] is None:
            continue
        lines.append((FeeItem(r["feedetl_sn"], r["med_list_codg"], r["cnt"], r["pric"],
                              Money(r["det_item_fee_sumamt_fen"])), r["init_feedetl_sn"]))
        if r["listed"]:
            entries[r["med_list_codg"]] = CatalogueItem(r["med_list_codg"], r["name"], r["item_class"],
                                                        r["pric_uplmt_amt"])
    opened = first["version"] is not None
    return PersonState(accumulators_of(first) if opened else Accumulators(), first["version"] if opened else 0,
                       Money(first["balance_fen"] or 0), bool(first["retired"]), lines, entries,
                       Money(first["stay_deductible_fen"]))


_LOCK_ACCUMULATORS = DriverStatement.of(LOCK_ACCUMULATORS)
_OPEN_ACCUMULATORS = DriverStatement.of(pg_insert(accumulators).values(
    psn_no=bindparam("psn_no", type_=Text), year=bindparam("year")).on_conflict_do_nothing())


async def lock_accumulators(db: asyncpg.Connection, psn_no: str, year: int) -> None:
    """Lock the year's totals until commit (opening them at zero): settlements for one person serialise here."""
    key = {"psn_no": psn_no, "year": year}
    if await _LOCK_ACCUMULATORS.fetchrow(db, key) is None:
        await _OPEN_ACCUMULATORS.fetch(db, key)
        await _LOCK_ACCUMULATORS.fetchrow(db, key)


def _bound(table, prefix: str, names) -> dict:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


def _bound_row(table, prefix: str, names):
    """``SELECT`` of one row of bound parameters, to insert it only under a condition."""
    return select(*_bound(table, prefix, names).values())


_SETTLEMENT_COLUMNS = [c.name for c in settlements.c if c.name not in ("created_at", "accumulator_version")]
_OUTBOX_COLUMNS = ["event_id", "topic", "key", "type", "envelope", "payload"]
_LOST_RACE = "a fee detail, the account or the request key changed meanwhile"


def _settling_statement(with_answer: bool) -> DriverStatement:
    version = bindparam("version", type_=BigInteger)
    new_totals = pg_insert(accumulators).values(
        psn_no=bindparam("s_psn_no", type_=Text), year=bindparam("s_year", type_=Integer), version=version + 1,
        **_bound(accumulators, "a_", ACCUMULATOR_COLUMNS))
    totals = (new_totals.on_conflict_do_update(
        index_elements=[accumulators.c.psn_no, accumulators.c.year],
        set_={name: new_totals.excluded[name] for name in [*ACCUMULATOR_COLUMNS, "version"]},
        where=accumulators.c.version == version)
        .returning(accumulators.c.version).cte("totals"))
    won = exists(select(totals.c.version))
    """Every part of the write waits for the accumulator row first."""

    feedetl_sns = bindparam("feedetl_sns", type_=ARRAY(Text))
    tied = (update(fee_details).where(fee_details.c.mdtrt_id == bindparam("s_mdtrt_id", type_=Text),
                                      fee_details.c.feedetl_sn == any_(feedetl_sns),
                                      fee_details.c.setl_id.is_(None), fee_details.c.cancelled.is_(False), won)
            .values(setl_id=bindparam("s_setl_id", type_=Text)).returning(fee_details.c.feedetl_sn).cte("tied"))
    settled = (insert(settlements).from_select([*_SETTLEMENT_COLUMNS, "accumulator_version"],
                                               _bound_row(settlements, "s_", _SETTLEMENT_COLUMNS)
                                               .add_columns(totals.c.version))
               .returning(settlements.c.setl_id).cte("settled"))
    """Stored with the version the totals were written at (none written: no row): the replay's order."""
    queued = (insert(outbox_table).from_select(_OUTBOX_COLUMNS,
                                               _bound_row(outbox_table, "o_", _OUTBOX_COLUMNS).where(won))
              .returning(outbox_table.c.event_id).cte("queued"))
    pay = bindparam("acct_pay_fen", type_=BigInteger)
    debited = (update(accounts).where(accounts.c.psn_no == bindparam("s_psn_no", type_=Text),
                                      accounts.c.balance_fen >= pay, pay > 0, won)
               .values(balance_fen=accounts.c.balance_fen - pay).returning(accounts.c.psn_no).cte("debited"))
    debit_recorded = (insert(account_credits).from_select(
        ["credit_id", "psn_no", "amount_fen"],
        select(bindparam("credit_id", type_=Text), bindparam("s_psn_no", type_=Text), -pay).where(pay > 0, won))
        .returning(account_credits.c.credit_id).cte("debit_recorded"))
    ctes = [totals, tied, settled, queued, debited, debit_recorded]
    complete = [select(func.count()).select_from(tied).scalar_subquery() == func.cardinality(feedetl_sns),
                or_(pay == 0, exists(select(debited.c.psn_no)))]
    if with_answer:
        stored = (pg_insert(idempotency_keys).from_select(
            ["scope", "key", "digest", "status", "answer"],
            select(bindparam("r_scope", type_=Text), bindparam("r_key", type_=Text), bindparam("r_digest", type_=Text),
                   bindparam("r_status", type_=Integer), func.to_jsonb(bindparam("r_answer", type_=Text))).where(won))
            .on_conflict_do_nothing().returning(idempotency_keys.c.key).cte("stored"))
        ctes.append(stored)
        complete.append(exists(select(stored.c.key)))
    outcome = case((~won, false()), (and_(*complete), true()),
                   else_=func.settlement_lost_race(literal(_LOST_RACE, Text), type_=Boolean))
    return DriverStatement.of(select(outcome).add_cte(*ctes))


_SETTLING = {with_answer: _settling_statement(with_answer) for with_answer in (False, True)}


async def add_settling(db: asyncpg.Connection, record: SettlementRecord, feedetl_sns: list[str], version: int,
                       event_row: dict, answer: tuple[IdempotentRequest, str] | None) -> bool:
    """One statement: the settlement, its fee details tied to it, the person's new year totals, the account
    debit, its queued event and the stored answer, provided the totals are still at ``version``.

    False, having changed nothing, when they are not; SQLSTATE 40001 when something else changed meanwhile
    (see the module's documentation)."""
    params = {f"s_{name}": value for name, value in settlement_row(record).items()}
    params |= {f"a_{name}": value for name, value in accumulator_values(record.result.accumulators_after).items()}
    params |= {f"o_{name}": event_row[name] for name in _OUTBOX_COLUMNS}
    params |= {"feedetl_sns": feedetl_sns, "version": version,
               "acct_pay_fen": record.result.acct_pay.fen, "credit_id": f"settlement:{record.setl_id}"}
    if answer is not None:
        request, text = answer
        params |= {"r_scope": request.scope, "r_key": request.key, "r_digest": request.digest,
                   "r_status": request.success_status, "r_answer": text}
    return await _SETTLING[answer is not None].fetchval(db, params)


class Settling:
    """The settlement's statements on one driver connection (the unit of work's hot path)."""

    def __init__(self, db: asyncpg.Connection) -> None:
        self._db = db

    @classmethod
    @asynccontextmanager
    async def on(cls, engine: AsyncEngine, *, locked: bool) -> AsyncIterator[Settling]:
        """Without ``locked`` each statement commits on its own; with it they share one transaction that
        commits when the block ends without an error (:mod:`medfund_shared.driver`)."""
        async with (driver.transaction if locked else driver.connection)(engine) as db:
            yield cls(db)

    async def reading(self, mdtrt_id: str, medins_setl_id: str | None,
                      request: IdempotentRequest | None) -> tuple[AdmissionContext, PersonState] | None:
        return await settlement_reading(self._db, mdtrt_id, medins_setl_id, request)

    async def lock_accumulators(self, psn_no: str, year: int) -> None:
        await lock_accumulators(self._db, psn_no, year)

    async def add(self, record: SettlementRecord, feedetl_sns: list[str], version: int, event_row: dict,
                  answer: tuple[IdempotentRequest, str] | None) -> bool:
        return await add_settling(self._db, record, feedetl_sns, version, event_row, answer)
