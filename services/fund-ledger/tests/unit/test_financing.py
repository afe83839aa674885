"""The financing rules (docs/funding.md) and the entries of the funding flows, with hand figures."""

from datetime import date, datetime
from decimal import Decimal

from medfund_ledger.domain import accounts, journal, warnings
from medfund_ledger.domain.financing import catastrophic_financing, pooled_income, reserve_share
from medfund_ledger.domain.pools import PoolFigures
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

PACKS = PackSet.load()
SHIZHU = PACKS.get("500240-390-2026-01-01")
EMPLOYEE = PACKS.get("321100-310-2013-01-01")
POOLED, CATASTROPHIC, ASSISTANCE, RESERVE = ("500240:390100:2026", "500240:390200:2026", "500240:610100:2026",
                                             "500240:999901:2026")
ON = date(2026, 1, 10)


def _with_reserve(share: str):
    return SHIZHU.model_copy(update={"financing": SHIZHU.financing.model_copy(
        update={"risk_reserve_share": Decimal(share)})})


def _figures(entry: journal.Entry, pool_id: str) -> PoolFigures:
    balances: dict[str, int] = {}
    for line in entry.lines:
        if line.pool_id == pool_id:
            balances[line.account] = balances.get(line.account, 0) + line.amount
    return PoolFigures.from_balances(balances)


def test_a_covered_person_year_in_shizhu_moves_30_yuan_from_the_pooled_fund_to_catastrophic_insurance():
    due = catastrophic_financing(SHIZHU, "500240", 2026, "P1")
    assert (due.transfer_id, due.reason, due.from_pool_id, due.to_pool_id, due.amount) == (
        "catastrophic:500240:2026:P1", "catastrophic_financing", POOLED, CATASTROPHIC, Money(3000))


def test_a_pack_without_catastrophic_financing_makes_no_transfer_due():
    assert catastrophic_financing(EMPLOYEE, "321100", 2026, "P1") is None


def test_the_reserve_takes_its_share_of_an_income_rounded_half_up_and_gives_it_back_on_a_refund():
    pack = _with_reserve("0.03")
    taken = reserve_share(pack, POOLED, Money.from_yuan("350.50"), "e1")
    assert (taken.transfer_id, taken.from_pool_id, taken.to_pool_id, taken.amount) == (
        "reserve:e1", POOLED, RESERVE, Money(1052)), "350.50 x 3% = 10.515 -> 10.52"
    back = reserve_share(pack, POOLED, Money.from_yuan("-350.50"), "e2")
    assert (back.from_pool_id, back.to_pool_id, back.amount) == (RESERVE, POOLED, Money(1052))


def test_a_zero_share_or_an_amount_too_small_for_a_fen_moves_nothing():
    assert reserve_share(SHIZHU, POOLED, Money.from_yuan("350.00"), "e1") is None
    assert reserve_share(_with_reserve("0.001"), POOLED, Money(4), "e1") is None


def test_pooled_income_counts_income_accounts_only_and_a_refund_negatively():
    received = journal.contribution_received("e1", ON, POOLED, Money.from_yuan("350.00"))
    refunded = journal.contribution_returned("e2", "contribution_refunded", ON, POOLED, Money.from_yuan("350.00"))
    moved = journal.transfer("t1", ON, POOLED, CATASTROPHIC, Money.from_yuan("30.00"))
    assert pooled_income(received) == {POOLED: Money(35000)}
    assert pooled_income(refunded) == {POOLED: Money(-35000)}
    assert pooled_income(moved) == {}


def test_sponsorship_is_expenditure_of_medical_assistance_and_income_of_the_pooled_fund():
    entry = journal.on_behalf_paid("e1", ON, POOLED, Money.from_yuan("140.00"), ASSISTANCE)
    pooled, assistance = _figures(entry, POOLED), _figures(entry, ASSISTANCE)
    assert (pooled.income, pooled.expenditure, pooled.cash) == (Money(14000), Money(0), Money(14000))
    assert (assistance.income, assistance.expenditure, assistance.cash) == (Money(0), Money(14000), Money(-14000))
    assert {line.account for line in entry.lines if line.pool_id == ASSISTANCE} == {
        accounts.SPONSORSHIP_EXPENSE, accounts.CASH}


def test_a_government_on_behalf_payment_stays_income_of_the_pooled_fund_only():
    entry = journal.on_behalf_paid("e1", ON, POOLED, Money.from_yuan("140.00"))
    assert entry.pool_ids == [POOLED]


def test_an_appropriation_is_income_of_its_pool_by_source():
    entry = journal.appropriation_received("a1", ON, ASSISTANCE, "civil_affairs", Money.from_yuan("3000000.00"))
    figures = _figures(entry, ASSISTANCE)
    assert (figures.income, figures.cash) == (Money(300_000_000), Money(300_000_000))
    assert {line.account for line in entry.lines} == {"cash", "income:appropriation:civil_affairs"}


def test_the_catastrophic_premium_paid_up_front_is_not_projected_at_the_run_rate():
    """10 January, 10 of 365 days gone: 1,200,000.00 collected, 60,000.00 transferred to 390200 on 1 January,
    9,000.00 of benefits. Projected year: 60,000.00 + 9,000.00 x 36.5 = 388,500.00, no deficit (run at the
    rate, the transfer alone would project to 2,190,000.00)."""
    now = datetime(2026, 1, 10, 23, 59, 59, 999999, tzinfo=CHINA_TIME)
    entries = [journal.transfer("t", ON, POOLED, CATASTROPHIC, Money.from_yuan("60000.00")),
               journal.settlement("s", "settlement", ON, "H1", [(POOLED, "inpatient", Money.from_yuan("9000.00"))])]
    balances: dict[str, int] = {}
    for line in (line for entry in entries for line in entry.lines if line.pool_id == POOLED):
        balances[line.account] = balances.get(line.account, 0) + line.amount
    figures = PoolFigures.from_balances(balances | {"income:contribution:individual": -120_000_000})
    assert figures.paid_up_front == Money.from_yuan("60000.00")
    snapshot = warnings.PoolSnapshot(
        pool_id=POOLED, income=figures.income.fen, expenditure=figures.expenditure.fen, month_income=0,
        month_expenditure=figures.expenditure.fen, expenditure_up_front=figures.paid_up_front.fen,
        elapsed_fraction=warnings.elapsed_fraction(now, 2026))
    income, expenditure = snapshot.projected_year()
    assert (round(income), round(expenditure)) == (120_000_000, 38_850_000)
