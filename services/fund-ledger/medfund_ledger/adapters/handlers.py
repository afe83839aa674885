"""Kafka event handlers: each money event becomes one journal entry; facts feed the statistics.

They run inside the consumer's batch transaction (a SAVEPOINT each) and never commit. Types are
dispatched by their catalogue type string (docs/events.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import evaluation_queue, journal_store
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.tables import (
    coverage,
    institution_payments,
    institutions,
    ledger_clock,
    populations,
    settlement_facts,
)
from medfund_ledger.domain import journal
from medfund_ledger.domain.pools import PoolKey
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.money import Money

Handler = Callable[[AsyncSession, CloudEvent, object], Awaitable[None]]


def _contribution_pool(data) -> str:
    return PoolKey(data.admdvs, load_config().contribution_pool(data.insutype), data.year).pool_id


async def _book(session: AsyncSession, event: CloudEvent, entry: journal.Entry) -> None:
    """The entry, the clock, and the event queued for alert evaluation commit together with the batch."""
    await journal_store.record(session, entry, origin="event")
    await advance_clock(session, event)
    await evaluation_queue.add(session, event.id)


async def advance_clock(session: AsyncSession, event: CloudEvent) -> None:
    """The ledger's "now": the latest business time of a booked entry, never the wall clock.

    Only money events move it: registrations, coverage changes and population figures may carry
    the time they were recorded, which says nothing about how far the fund's year has run.
    """
    stmt = pg_insert(ledger_clock).values(id=1, business_time=event.effectivetime)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["id"], set_={"business_time": func.greatest(ledger_clock.c.business_time,
                                                                      stmt.excluded.business_time)}))


async def on_contribution_received(session, event, data) -> None:
    await _book(session, event, journal.contribution_received(
        event.id, event.effectivetime.date(), _contribution_pool(data), data.amount))


async def on_contribution_refunded(session, event, data) -> None:
    await _book(session, event, journal.contribution_returned(
        event.id, "contribution_refunded", event.effectivetime.date(), _contribution_pool(data), data.amount))


async def on_contribution_reversed(session, event, data) -> None:
    await _book(session, event, journal.contribution_returned(
        event.id, "contribution_reversed", event.effectivetime.date(), _contribution_pool(data), data.amount))


async def on_behalf_paid(session, event, data) -> None:
    await _book(session, event, journal.on_behalf_paid(
        event.id, event.effectivetime.date(), _contribution_pool(data), data.amount))


async def on_subsidy_allocated(session, event, data) -> None:
    shares = [(share.level, share.amount) for share in data.shares]
    await _book(session, event, journal.subsidy_allocated(
        event.id, event.effectivetime.date(), _contribution_pool(data), data.amount, shares))


def _employee_pools(data) -> tuple[str, str]:
    config, year = load_config(), int(data.period[:4])
    return (PoolKey(data.admdvs, config.contribution_pool("310"), year).pool_id,
            PoolKey(data.admdvs, config.employee_account_pool, year).pool_id)


async def on_employee_contribution(session, event, data) -> None:
    pooled, account = _employee_pools(data)
    await _book(session, event, journal.employee_contribution(
        event.id, event.effectivetime.date(), pooled, account, data.psn_no, data.pool_amount, data.account_amount))


async def on_account_credited(session, event, data) -> None:
    pooled, account = _employee_pools(data)
    await _book(session, event, journal.account_credited(
        event.id, event.effectivetime.date(), pooled, account, data.psn_no, data.amount))


async def on_institution_registered(session, event, data) -> None:
    stmt = pg_insert(institutions).values(fixmedins_code=data.fixmedins_code, name=data.name, admdvs=data.admdvs,
                                          level=data.level, registered_budget=data.annual_budget.fen)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["fixmedins_code"],
        set_={"name": stmt.excluded.name, "admdvs": stmt.excluded.admdvs, "level": stmt.excluded.level,
              "registered_budget": stmt.excluded.registered_budget}))
    await evaluation_queue.add(session, event.id, data.fixmedins_code)


async def on_settlement(session, event, data) -> None:
    """Completed and reversed settlements: the reversal's negated amounts mirror the entry."""
    config = load_config()
    kind = "settlement_reversed" if event.type.endswith("reversed.v1") else "settlement"
    rows = [(PoolKey(data.admdvs, f.fund_pay_type, data.year).pool_id,
             config.expense_kind(f.fund_pay_type, data.med_type), f.fund_payamt) for f in data.funds]
    entry = journal.settlement(event.id, kind, event.effectivetime.date(), data.fixmedins_code, rows)
    await _book(session, event, entry)
    await _record_settlement_facts(session, event, data, kind)


async def _record_settlement_facts(session, event, data, kind: str) -> None:
    config = load_config()
    pooled_code = config.contribution_pool(data.insutype)
    pooled_paid = sum((f.fund_payamt for f in data.funds if f.fund_pay_type == pooled_code), Money.zero())
    inpatient = (-1 if kind == "settlement_reversed" else 1) if data.med_type in config.inpatient_med_types else 0
    await session.execute(pg_insert(settlement_facts).values(
        event_id=event.id, setl_id=data.setl_id, admdvs=data.admdvs, year=data.year,
        pooled_pool_id=PoolKey(data.admdvs, pooled_code, data.year).pool_id, setl_date=event.effectivetime.date(),
        inpatient=inpatient, medfee_sumamt=data.medfee_sumamt.fen, inscp_scp_amt=data.inscp_scp_amt.fen,
        fund_pay_sumamt=data.fund_pay_sumamt.fen, pooled_fund_paid=pooled_paid.fen,
    ).on_conflict_do_nothing(index_elements=["event_id"]))
    stmt = pg_insert(institution_payments).values(fixmedins_code=data.fixmedins_code, year=data.year,
                                                  fund_paid=data.fund_pay_sumamt.fen)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["fixmedins_code", "year"],
        set_={"fund_paid": institution_payments.c.fund_paid + stmt.excluded.fund_paid}))


async def on_coverage_activated(session, event, data) -> None:
    stmt = pg_insert(coverage).values(psn_no=data.psn_no, insutype=data.insutype, year=data.year,
                                      admdvs=data.admdvs, active=1)
    await session.execute(stmt.on_conflict_do_update(index_elements=["psn_no", "insutype", "year"],
                                                     set_={"active": 1, "admdvs": stmt.excluded.admdvs}))


async def _set_coverage(session, data, active: int) -> None:
    await session.execute(update(coverage).where(coverage.c.psn_no == data.psn_no, coverage.c.insutype == data.insutype,
                                                 coverage.c.year == data.year).values(active=active))


async def on_coverage_stopped(session, event, data) -> None:
    await _set_coverage(session, data, 0)


async def on_coverage_reinstated(session, event, data) -> None:
    await _set_coverage(session, data, 1)


async def on_population_set(session, event, data) -> None:
    stmt = pg_insert(populations).values(admdvs=data.admdvs, year=data.year, eligible=data.eligible)
    await session.execute(stmt.on_conflict_do_update(index_elements=["admdvs", "year"],
                                                     set_={"eligible": stmt.excluded.eligible}))


HANDLERS: dict[str, Handler] = {
    "medfund.billing.contribution.received.v1": on_contribution_received,
    "medfund.billing.contribution.refunded.v1": on_contribution_refunded,
    "medfund.billing.contribution.reversed.v1": on_contribution_reversed,
    "medfund.billing.contribution.on_behalf_paid.v1": on_behalf_paid,
    "medfund.billing.subsidy.allocated.v1": on_subsidy_allocated,
    "medfund.billing.employee.contribution_declared.v1": on_employee_contribution,
    "medfund.billing.employee.account_credited.v1": on_account_credited,
    "medfund.claims.institution.registered.v1": on_institution_registered,
    "medfund.claims.settlement.completed.v1": on_settlement,
    "medfund.claims.settlement.reversed.v1": on_settlement,
    "medfund.enrollment.coverage.activated.v1": on_coverage_activated,
    "medfund.enrollment.coverage.suspended.v1": on_coverage_stopped,
    "medfund.enrollment.coverage.terminated.v1": on_coverage_stopped,
    "medfund.enrollment.coverage.reinstated.v1": on_coverage_reinstated,
    "medfund.enrollment.population.eligible_set.v1": on_population_set,
}
TOPICS = ["medfund.billing.v1", "medfund.claims.v1", "medfund.enrollment.v1"]
