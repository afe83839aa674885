"""Read side: pool balances (live or as of a date), snapshots for the rules, what a batch touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import clock
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.tables import (
    account_balances,
    institution_budgets,
    institution_payments,
    institutions,
    journal_entries,
    journal_lines,
    pool_inpatient_days,
    pool_months,
    pool_thresholds,
    pools,
    registered_budgets,
    settlement_facts,
)
from medfund_ledger.domain import accounts
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_ledger.domain.thresholds import Thresholds
from medfund_ledger.domain.warnings import PoolSnapshot, elapsed_fraction
from medfund_shared import bulk


@dataclass
class Touched:
    """Subjects a batch changed, each with the ids of the events that changed it (the evidence)."""

    pools: dict[str, list[str]] = field(default_factory=dict)
    institutions: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    settlements: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(event id, setl_id, pooled pool id, fund_pay_sumamt in fen) of completed settlements."""


async def balances(session: AsyncSession, pool_id: str, as_of: date | None = None) -> dict[str, int]:
    if as_of is None:
        rows = await session.execute(select(account_balances.c.account, account_balances.c.amount)
                                     .where(account_balances.c.pool_id == pool_id))
    else:
        rows = await session.execute(
            select(journal_lines.c.account, func.sum(journal_lines.c.amount))
            .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
            .where(journal_lines.c.pool_id == pool_id, journal_entries.c.effective_date <= as_of)
            .group_by(journal_lines.c.account))
    return {account: int(amount) for account, amount in rows.all()}


async def pool_ids(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(pools.c.pool_id).order_by(pools.c.pool_id)))


async def entries_of_pool(session: AsyncSession, pool_id: str, after_id: int, limit: int) -> list:
    """Up to ``limit`` journal entries touching the pool after ``after_id``, oldest first."""
    entry_ids = select(journal_lines.c.entry_id).where(journal_lines.c.pool_id == pool_id)
    return list((await session.execute(select(journal_entries).where(
        journal_entries.c.id.in_(entry_ids), journal_entries.c.id > after_id)
        .order_by(journal_entries.c.id).limit(limit))).all())


async def lines_in_pool(session: AsyncSession, pool_id: str, entry_ids: list[int]) -> list:
    """The lines of those entries that are in the pool, in order."""
    return list((await session.execute(select(journal_lines).where(
        journal_lines.c.entry_id.in_(entry_ids), journal_lines.c.pool_id == pool_id)
        .order_by(journal_lines.c.id))).all())


async def pool_row(session: AsyncSession, pool_id: str):
    return (await session.execute(select(pools).where(pools.c.pool_id == pool_id))).first()


async def business_now(session: AsyncSession, admdvs: str) -> datetime | None:
    """The region's latest applied business time, in the business time zone (years and months are local)."""
    now = await clock.now(session, admdvs)
    return now.astimezone(load_config().business_timezone) if now else None


async def institution_region(session: AsyncSession, fixmedins_code: str) -> str | None:
    """The region an institution is registered in, else the region of its latest settlement."""
    registered = await session.scalar(select(institutions.c.admdvs)
                                      .where(institutions.c.fixmedins_code == fixmedins_code))
    if registered:
        return registered
    return await session.scalar(
        select(settlement_facts.c.admdvs)
        .join(journal_entries, journal_entries.c.entry_key == settlement_facts.c.event_id)
        .where(journal_entries.c.memo == fixmedins_code, journal_entries.c.kind == "settlement")
        .order_by(settlement_facts.c.setl_date.desc()).limit(1))


async def thresholds_for(session: AsyncSession, pool_id: str | None) -> Thresholds:
    defaults = load_config().thresholds
    if pool_id is None:
        return defaults
    rows = await session.execute(select(pool_thresholds).where(pool_thresholds.c.pool_id == pool_id))
    return defaults.overridden({r.rule: (Decimal(r.yellow), Decimal(r.red)) for r in rows})


async def cumulative_balance(session: AsyncSession, key: PoolKey, *, years: str = "through") -> int:
    """Balance of the same fund and region over the years ``through`` ``key.year``, ``before`` it, or ``all``
    (income already collected for later years included)."""
    same_fund = select(pools.c.pool_id).where(pools.c.admdvs == key.admdvs, pools.c.fund_pay_type == key.fund_pay_type)
    if years == "through":
        same_fund = same_fund.where(pools.c.year <= key.year)
    elif years == "before":
        same_fund = same_fund.where(pools.c.year < key.year)
    ids = (await session.scalars(same_fund)).all()
    total = 0
    for pool_id in ids:
        total += PoolFigures.from_balances(await balances(session, pool_id)).balance.fen
    return total


async def kept_before(session: AsyncSession, key: PoolKey) -> list[str]:
    """Pools of the same fund and region the ledger keeps that make a balance brought forward into ``key``'s
    year wrong: an earlier year (its balance is already the ledger's), or another balance brought forward."""
    same_fund = (pools.c.admdvs == key.admdvs, pools.c.fund_pay_type == key.fund_pay_type)
    earlier = (await session.scalars(select(pools.c.pool_id).where(*same_fund, pools.c.year < key.year))).all()
    carried = (await session.scalars(
        select(journal_lines.c.pool_id).distinct().join(pools, pools.c.pool_id == journal_lines.c.pool_id)
        .where(*same_fund, pools.c.pool_id != key.pool_id, journal_lines.c.account == accounts.BROUGHT_FORWARD))).all()
    return sorted(set(earlier) | set(carried))


def _months_back(now: date, count: int, year: int) -> list[str]:
    months, y, m = [], now.year, now.month
    for _ in range(count):
        if y < year:
            break
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months


async def _monthly(session: AsyncSession, pool_id: str, months: list[str]) -> dict[str, tuple[int, int]]:
    rows = await session.execute(select(pool_months).where(pool_months.c.pool_id == pool_id,
                                                           pool_months.c.month.in_(months)))
    return {r.month: (r.income, r.expenditure) for r in rows}


async def _inpatient(session: AsyncSession, pool_id: str, after: date, until: date) -> tuple[int, int]:
    """(pooled fund paid, inpatient settlements) in the pool's days after ``after`` up to ``until``."""
    row = (await session.execute(
        select(func.coalesce(func.sum(pool_inpatient_days.c.pooled_fund_paid), 0),
               func.coalesce(func.sum(pool_inpatient_days.c.settlements), 0))
        .where(pool_inpatient_days.c.pool_id == pool_id, pool_inpatient_days.c.setl_date > after,
               pool_inpatient_days.c.setl_date <= until))).one()
    return int(row[0]), int(row[1])


async def pool_snapshot(session: AsyncSession, pool_id: str, now: datetime) -> PoolSnapshot:
    config = load_config()
    key, windows = PoolKey.parse(pool_id), config.thresholds.windows
    figures = PoolFigures.from_balances(await balances(session, pool_id))
    today = now.date()
    recent = _months_back(today, windows["reserve_months_window"], key.year)
    monthly = await _monthly(session, pool_id, recent)
    this_month = monthly.get(today.strftime("%Y-%m"), (0, 0))
    row = await pool_row(session, pool_id)
    recent_start = today - timedelta(days=windows["cost_spike_recent_days"])
    baseline_start = recent_start - timedelta(days=windows["cost_spike_baseline_days"])
    return PoolSnapshot(
        pool_id=pool_id, income=figures.income.fen, expenditure=figures.expenditure.fen,
        expenditure_up_front=figures.paid_up_front.fen,
        month_income=this_month[0], month_expenditure=this_month[1],
        carried_over=await cumulative_balance(session, key, years="before") + figures.brought_forward.fen,
        holdings=await cumulative_balance(session, key, years="all"),
        recent_monthly_expenditure=[monthly.get(m, (0, 0))[1] for m in recent], recent_months=tuple(recent),
        planned_expenditure=row.planned_expenditure if row else None,
        elapsed_fraction=elapsed_fraction(now, key.year),
        collected_up_front=key.fund_pay_type in config.income_collected_up_front,
        rules_not_applicable=config.rules_not_applicable.get(key.fund_pay_type, frozenset()),
        inpatient_recent=await _inpatient(session, pool_id, recent_start, today),
        inpatient_baseline=await _inpatient(session, pool_id, baseline_start, recent_start),
        inpatient_minimum=windows["cost_spike_min_settlements"],
    )


async def institution_known(session: AsyncSession, fixmedins_code: str) -> bool:
    """Registered (its registry event applied) or paid by the fund."""
    for table in (institutions, institution_payments):
        if await session.scalar(select(table.c.fixmedins_code).where(table.c.fixmedins_code == fixmedins_code)
                                .limit(1)):
            return True
    return False


async def institution_figures(session: AsyncSession, fixmedins_code: str, year: int) -> tuple[int, int | None]:
    """(year-to-date fund payments, global budget of that year) in fen; the budget an admin set for the year wins
    over the one registered for it. A budget of one year never applies to another."""
    paid = await session.scalar(select(institution_payments.c.fund_paid).where(
        institution_payments.c.fixmedins_code == fixmedins_code, institution_payments.c.year == year)) or 0
    budget = await session.scalar(select(institution_budgets.c.amount).where(
        institution_budgets.c.fixmedins_code == fixmedins_code, institution_budgets.c.year == year))
    if budget is None:
        budget = await session.scalar(select(registered_budgets.c.amount).where(
            registered_budgets.c.fixmedins_code == fixmedins_code, registered_budgets.c.year == year))
    return int(paid), budget


async def _with_region_pools(session: AsyncSession, touched: Touched) -> None:
    """The other pools of each region and year touched, with no evidence of their own: the events moved the
    region's clock, on which their measures run (a catastrophic or assistance pool seldom has events itself)."""
    regions = {(key.admdvs, key.year) for key in map(PoolKey.parse, touched.pools)}
    if not regions:
        return
    siblings = await session.scalars(select(pools.c.pool_id).where(
        tuple_(pools.c.admdvs, pools.c.year).in_(sorted(regions))))
    for pool_id in siblings:
        touched.pools.setdefault(pool_id, [])


async def touched_by(session: AsyncSession, queued: list[tuple[str, str | None]]) -> Touched:
    """What the queued (event id, fixmedins_code of a registration) changed: pools, institutions, settlements.

    A registered budget counts for every year of the institution's payments, whatever the order its
    registration and its settlements arrived in.
    """
    touched, event_ids = Touched(), [event_id for event_id, _code in queued]
    for event_id, code in queued:
        if code is not None:
            years = await session.scalars(select(institution_payments.c.year)
                                          .where(institution_payments.c.fixmedins_code == code))
            for year in years:
                touched.institutions.setdefault((code, year), []).append(event_id)
    rows = await session.execute(
        select(journal_entries.c.entry_key, journal_lines.c.pool_id).distinct()
        .join(journal_lines, journal_lines.c.entry_id == journal_entries.c.id)
        .where(journal_entries.c.entry_key == bulk.any_of(event_ids, bulk.TEXT)).order_by(journal_lines.c.pool_id))
    for event_id, pool_id in rows:
        touched.pools.setdefault(pool_id, []).append(event_id)
    await _with_region_pools(session, touched)
    facts = await session.execute(
        select(settlement_facts, journal_entries.c.memo, journal_entries.c.kind)
        .join(journal_entries, and_(journal_entries.c.entry_key == settlement_facts.c.event_id))
        .where(settlement_facts.c.event_id == bulk.any_of(event_ids, bulk.TEXT)))
    for fact in facts:
        touched.institutions.setdefault((fact.memo, fact.year), []).append(fact.event_id)
        if fact.kind == "settlement":
            touched.settlements.append((fact.event_id, fact.setl_id, fact.pooled_pool_id, fact.fund_pay_sumamt))
    return touched
