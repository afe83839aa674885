"""Journal entries: every event type books a balanced entry (Σdebit = Σcredit in each pool)."""

from datetime import date

import pytest

from medfund_ledger.domain import accounts, journal
from medfund_ledger.domain.pools import PoolFigures
from medfund_shared.money import Money

POOLED, CATASTROPHIC, ACCOUNT = "500240:390100:2026", "500240:390200:2026", "321100:310200:2026"
ON = date(2026, 3, 1)


def _totals(entry: journal.Entry) -> tuple[int, int]:
    amounts = [line.amount for line in entry.lines]
    return sum(a for a in amounts if a > 0), -sum(a for a in amounts if a < 0)


ENTRIES = [
    journal.contribution_received("e1", ON, POOLED, Money.from_yuan("350.00")),
    journal.contribution_returned("e2", "contribution_refunded", ON, POOLED, Money.from_yuan("350.00")),
    journal.on_behalf_paid("e3", ON, POOLED, Money.from_yuan("140.00")),
    journal.subsidy_allocated("e4", ON, POOLED, Money.from_yuan("420.00"),
                              [("central", Money.from_yuan("252.00")), ("county", Money.from_yuan("168.00"))]),
    journal.employee_contribution("e5", ON, "321100:310100:2026", ACCOUNT, "P1",
                                  Money.from_yuan("800.00"), Money.from_yuan("300.00"), Money.from_yuan("3.30")),
    journal.account_credited("e6", ON, "321100:310100:2026", ACCOUNT, "P1", Money.from_yuan("120.00")),
    journal.settlement("e7", "settlement", ON, "H001", [(POOLED, "inpatient", Money.from_yuan("2847.50")),
                                                       (CATASTROPHIC, "catastrophic", Money.from_yuan("5000.00"))]),
    journal.clearing("e8", ON, "H001", {POOLED: Money.from_yuan("2847.50")}),
    journal.transfer("e9", ON, POOLED, CATASTROPHIC, Money.from_yuan("1000000.00")),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.kind)
def test_every_entry_balances_debits_against_credits(entry):
    debit, credit = _totals(entry)
    assert debit == credit > 0


def test_an_unbalanced_entry_is_refused():
    with pytest.raises(journal.UnbalancedEntry):
        journal.Entry("x", "broken", ON, (journal.Line(POOLED, accounts.CASH, 100),))


def test_a_settlement_reversal_is_the_exact_mirror_of_the_settlement():
    original = journal.settlement("s", "settlement", ON, "H001", [(POOLED, "inpatient", Money.from_yuan("100.00"))])
    reversal = journal.settlement("r", "settlement_reversed", ON, "H001",
                                  [(POOLED, "inpatient", Money.from_yuan("-100.00"))])
    mirrored = [(line.account, -line.amount) for line in original.lines]
    assert mirrored == [(line.account, line.amount) for line in reversal.lines]


def test_a_settlement_books_expense_and_a_payable_to_the_institution_per_fund():
    entry = ENTRIES[6]
    lines = {(line.pool_id, line.account): line.amount for line in entry.lines}
    assert lines[(POOLED, "expense:benefit:inpatient")] == 284750
    assert lines[(POOLED, "payable:H001")] == -284750
    assert lines[(CATASTROPHIC, "payable:H001")] == -500000


def test_the_transfer_is_expense_of_the_pooled_fund_and_income_of_the_catastrophic_fund():
    entry = ENTRIES[8]
    by_pool = {pool: {line.account: line.amount for line in entry.lines if line.pool_id == pool}
               for pool in entry.pool_ids}
    assert PoolFigures.from_balances(by_pool[POOLED]).expenditure == Money.from_yuan("1000000.00")
    assert PoolFigures.from_balances(by_pool[CATASTROPHIC]).income == Money.from_yuan("1000000.00")


def test_pool_figures_keep_cash_equal_to_balance_plus_payable():
    balances: dict[str, int] = {}
    for entry in ENTRIES[:4] + ENTRIES[6:8]:
        for line in entry.lines:
            if line.pool_id == POOLED:
                balances[line.account] = balances.get(line.account, 0) + line.amount
    figures = PoolFigures.from_balances(balances)
    assert figures.cash == figures.balance + figures.payable
    assert figures.income == Money.from_yuan("560.00")
    assert figures.payable == Money.zero()


def test_employee_individual_accounts_keep_a_sub_ledger_per_person():
    accounts_booked = {line.account for line in ENTRIES[4].lines if line.pool_id == ACCOUNT}
    assert accounts.account_income("P1") in accounts_booked


def test_a_subsidy_the_pack_does_not_split_is_booked_whole_as_government_income():
    entry = journal.subsidy_allocated("e10", ON, POOLED, Money.from_yuan("380.00"), [])
    credits = [line for line in entry.lines if line.amount < 0]
    assert [(line.account, -line.amount) for line in credits] == [("income:subsidy:government", 38000)]


def test_subsidy_shares_that_do_not_add_up_to_the_amount_are_refused():
    with pytest.raises(ValueError, match="do not add up"):
        journal.subsidy_allocated("e11", ON, POOLED, Money.from_yuan("420.00"),
                                  [("central", Money.from_yuan("252.00"))])


def test_a_late_fee_is_pooled_income_beside_the_contribution():
    entry = journal.employee_contribution("late", ON, "321100:310100:2026", ACCOUNT, "P1", Money.from_yuan("420.00"),
                                          Money.from_yuan("240.00"), Money.from_yuan("3.30"))
    late = [line for line in entry.lines if line.account == "income:late_fee"]
    assert [(line.pool_id, line.amount) for line in late] == [("321100:310100:2026", -330)]
