"""The ledger's read use cases against ``FakeUnitOfWork``: pool figures and ratios, journal pages, months, budget
meters, an alert's and a settlement's evidence; each reads only (nothing committed) and refuses what is unknown.
Expected figures are hand computed from the fen the fakes hold."""

from datetime import date
from types import SimpleNamespace

import pytest
from ledger_fakes import FakeUnitOfWork

from medfund_ledger.app.alert_detail import AlertQuery, alert_detail
from medfund_ledger.app.institution_meters import MetersQuery, institution_meters
from medfund_ledger.app.pool_history import pool_months
from medfund_ledger.app.pool_view import (
    JournalPageQuery,
    PoolNotFound,
    PoolQuery,
    PoolsQuery,
    all_pools,
    journal_page,
    pool,
)
from medfund_ledger.app.settlement_view import SettlementNotFound, SettlementQuery, settlement
from medfund_shared.money import Money
from medfund_shared.refusal import Kind, Refusal

POOLED, CATASTROPHIC = "500240:310100:2026", "500240:390200:2026"
LIVE = {"income:contribution:individual": -300_000, "expense:benefit:inpatient": 125_000, "cash": 175_000}
"""In fen: 3000.00 yuan contributed (a credit), 1250.00 yuan paid out, the rest in cash."""


def budgeted(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    uow.pools.rows[POOLED] = SimpleNamespace(budget_due=1_000_000, planned_expenditure=500_000)
    uow.pools.rows[CATASTROPHIC] = SimpleNamespace(budget_due=None, planned_expenditure=None)
    uow.pools.live[POOLED] = LIVE
    return uow


async def test_a_pool_reads_its_figures_and_budget_ratios_and_commits_nothing():
    uow = budgeted(FakeUnitOfWork())
    view = await pool(PoolQuery(POOLED), uow)
    assert (view.figures.income, view.figures.expenditure, view.figures.balance) == (
        Money(300_000), Money(125_000), Money(175_000))
    # 3000.00 / 10000.00 due; 1250.00 / 5000.00 planned; no region clock: no rule measures
    assert view.measures == {"collection_rate": "0.3000", "spent_of_planned": "0.2500"}
    assert view.row.budget_due == 1_000_000 and uow.commits == 0


async def test_a_pool_as_of_a_date_reads_that_day_s_balances_and_the_year_elapsed_by_its_end():
    uow = budgeted(FakeUnitOfWork())
    uow.pools.as_of[(POOLED, date(2026, 3, 31))] = {"income:contribution:individual": -100_000}
    view = await pool(PoolQuery(POOLED, date(2026, 3, 31)), uow)
    assert view.figures.income == Money(100_000) and view.figures.expenditure == Money(0)
    # end of 31 March: 31 + 28 + 31 = 90 days of 365 = 0.24657... -> 0.2466
    assert view.measures == {"as_of": "2026-03-31", "collection_rate": "0.1000", "spent_of_planned": "0.0000",
                             "elapsed_fraction": "0.2466"}


async def test_every_pool_is_listed_in_pool_id_order_without_a_budget_ratio_it_has_no_budget_for():
    views = await all_pools(PoolsQuery(), budgeted(FakeUnitOfWork()))
    assert [v.pool_id for v in views] == [POOLED, CATASTROPHIC]
    assert views[1].measures == {"collection_rate": None, "spent_of_planned": None}
    assert views[1].figures.balance == Money(0)


async def test_an_unknown_pool_is_refused_by_each_pool_read():
    uow = budgeted(FakeUnitOfWork())
    unknown = "500240:310100:2030"
    for read in (pool(PoolQuery(unknown), uow), pool_months(PoolQuery(unknown), uow),
                 journal_page(JournalPageQuery(unknown, 0, 10), uow)):
        with pytest.raises(PoolNotFound):
            await read


def journal_entry(entry_id: int, *pool_ids: str):
    return (SimpleNamespace(id=entry_id, entry_key=f"e{entry_id}"),
            [SimpleNamespace(entry_id=entry_id, pool_id=p, account="cash", amount=100) for p in pool_ids])


async def test_a_journal_page_holds_the_pool_s_lines_of_each_entry_and_the_cursor_of_the_next_page():
    uow = budgeted(FakeUnitOfWork())
    uow.pools.journal = [journal_entry(1, POOLED, CATASTROPHIC), journal_entry(2, CATASTROPHIC),
                         journal_entry(3, POOLED), journal_entry(4, POOLED)]
    first = await journal_page(JournalPageQuery(POOLED, 0, 2), uow)
    assert [(e.id, [line.pool_id for line in lines]) for e, lines in first.entries] == [(1, [POOLED]), (3, [POOLED])]
    assert first.next_id == 3
    last = await journal_page(JournalPageQuery(POOLED, first.next_id, 2), uow)
    assert [e.id for e, _ in last.entries] == [4] and last.next_id is None


async def test_a_pool_s_months_start_from_what_was_brought_forward():
    uow = budgeted(FakeUnitOfWork())
    uow.pools.live[POOLED] = {"fund:brought_forward": -50_000, "cash": 50_000}
    uow.pools.month_figures[POOLED] = [("2026-01", 10_000, 4_000), ("2026-02", 0, 7_000)]
    months = await pool_months(PoolQuery(POOLED), uow)
    # 500.00 + 100.00 - 40.00 = 560.00; then - 70.00 = 490.00
    assert [(m.month, m.balance) for m in months] == [("2026-01", Money(56_000)), ("2026-02", Money(49_000))]


def institution(code: str, year: int, fund_paid: int, budget: int | None, by_admin: bool = False):
    return SimpleNamespace(fixmedins_code=code, year=year, name="H", admdvs="500240", level="3",
                           fund_paid=fund_paid, budget=budget, budget_set_by_admin=by_admin)


async def test_a_budget_meter_is_the_share_of_the_budget_paid_and_none_without_a_budget():
    uow = FakeUnitOfWork()
    uow.institutions.rows = [institution("H1", 2026, 123_456, 1_000_000, True), institution("H2", 2026, 5_000, None),
                             institution("H3", 2026, 5_000, 0), institution("H1", 2025, 1, 1)]
    meters = await institution_meters(MetersQuery(2026), uow)
    assert [m.fixmedins_code for m in meters] == ["H1", "H2", "H3"]
    # 1234.56 / 10000.00 = 0.123456 -> 0.1235
    assert (str(meters[0].used_of_budget), meters[0].fund_paid, meters[0].annual_budget,
            meters[0].budget_set_by_admin) == ("0.1235", Money(123_456), Money(1_000_000), True)
    assert (meters[1].used_of_budget, meters[1].annual_budget) == (None, None)
    assert (meters[2].used_of_budget, meters[2].annual_budget) == (None, Money(0))


async def test_an_alert_s_evidence_is_its_journal_entries_their_settlements_and_the_ids_the_journal_lacks():
    uow = FakeUnitOfWork()
    uow.evidence.alerts["A1"] = SimpleNamespace(alert_id="A1", evidence=["ev-1", "ev-2"])
    uow.evidence.changes["A1"] = ["change-1"]
    uow.evidence.journal["ev-1"] = (SimpleNamespace(entry_key="ev-1"), [])
    uow.evidence.facts = [SimpleNamespace(event_id="ev-1", setl_id="S1")]
    detail = await alert_detail(AlertQuery("A1"), uow)
    assert detail.changes == ["change-1"] and [e.entry_key for e, _ in detail.entries] == ["ev-1"]
    assert [f.setl_id for f in detail.settlements] == ["S1"] and detail.missing == ["ev-2"]
    with pytest.raises(Refusal) as refused:
        await alert_detail(AlertQuery("A2"), uow)
    assert refused.value.kind is Kind.NOT_FOUND and uow.commits == 0


async def test_a_settlement_is_its_facts_and_the_entries_they_booked_and_an_unknown_one_is_refused():
    uow = FakeUnitOfWork()
    uow.evidence.facts = [SimpleNamespace(event_id=event_id, setl_id=setl_id)
                          for event_id, setl_id in (("ev-1", "S1"), ("ev-9", "S1"), ("ev-2", "S2"))]
    uow.evidence.journal = {"ev-1": (SimpleNamespace(entry_key="ev-1"), []),
                            "ev-9": (SimpleNamespace(entry_key="ev-9"), [])}
    view = await settlement(SettlementQuery("S1"), uow)
    assert [f.event_id for f in view.facts] == ["ev-1", "ev-9"]
    assert [e.entry_key for e, _ in view.entries] == ["ev-1", "ev-9"]
    with pytest.raises(SettlementNotFound):
        await settlement(SettlementQuery("S3"), uow)
