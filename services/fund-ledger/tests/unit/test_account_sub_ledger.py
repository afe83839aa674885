"""The individual-account pool keeps a sub-ledger per person, and the sub-ledgers add up to the pool."""

from datetime import date

from medfund_ledger.domain import accounts, journal
from medfund_ledger.domain.account_statement import SubLedgerLine, statement
from medfund_ledger.domain.pools import PoolFigures
from medfund_shared.money import Money

POOLED, ACCOUNT = "321100:310100:2026", "321100:310200:2026"
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def _yuan(text: str) -> Money:
    return Money.from_yuan(text)


ENTRIES = [
    journal.employee_contribution("c1", MARCH, POOLED, ACCOUNT, "P1", _yuan("560.00"), _yuan("240.00")),
    journal.employee_contribution("c2", MARCH, POOLED, ACCOUNT, "P2", _yuan("700.00"), _yuan("300.00")),
    journal.account_credited("r1", MARCH, POOLED, ACCOUNT, "P3", _yuan("180.00")),
    journal.settlement("s1", "settlement", APRIL, "H1", [(POOLED, "inpatient", _yuan("1000.00"))],
                       (ACCOUNT, "P1", _yuan("200.00"))),
    journal.settlement("s2", "settlement", APRIL, "H1", [], (ACCOUNT, "P3", _yuan("180.00"))),
    journal.settlement("s1r", "settlement_reversed", APRIL, "H1", [(POOLED, "inpatient", _yuan("-1000.00"))],
                       (ACCOUNT, "P1", _yuan("-200.00"))),
]


def _balances(pool_id: str) -> dict[str, int]:
    balances: dict[str, int] = {}
    for entry in ENTRIES:
        for line in entry.lines:
            if line.pool_id == pool_id:
                balances[line.account] = balances.get(line.account, 0) + line.amount
    return balances


def _sub_ledger(psn_no: str) -> list[SubLedgerLine]:
    names = accounts.person_sub_ledger(psn_no)
    return [SubLedgerLine(entry.effective_date, n, entry.key, entry.kind, entry.memo, line.pool_id, line.amount)
            for n, entry in enumerate(ENTRIES) for line in entry.lines
            if line.pool_id == ACCOUNT and line.account in names]


def test_an_account_payment_is_booked_to_the_persons_sub_ledger_and_owed_to_the_institution():
    lines = {(line.pool_id, line.account): line.amount for line in ENTRIES[3].lines}
    assert lines[(ACCOUNT, "expense:individual_account:P1")] == 20000
    assert lines[(ACCOUNT, "payable:H1")] == -20000
    assert lines[(POOLED, "expense:benefit:inpatient")] == 100000


def test_the_retiree_credit_moves_money_from_the_pooled_fund_to_the_account_pool():
    assert PoolFigures.from_balances({a: v for a, v in _balances(POOLED).items()}).income == _yuan("1260.00")
    transfer = {(line.pool_id, line.account): line.amount for line in ENTRIES[2].lines}
    assert transfer[(POOLED, accounts.TRANSFER_OUT)] == 18000
    assert transfer[(ACCOUNT, "transfer:in:P3")] == -18000


def test_the_sub_ledgers_add_up_to_the_account_pools_balance():
    pool = PoolFigures.from_balances(_balances(ACCOUNT))
    persons = sum((statement(p, _sub_ledger(p)).balance for p in ("P1", "P2", "P3")), Money.zero())
    # 240 + 300 + 180 credited; 200 and 180 paid; 200 given back by the reversal
    assert pool.balance == persons == _yuan("540.00")


def test_every_line_of_the_account_pool_is_on_some_persons_sub_ledger():
    on_sub_ledgers = {name for p in ("P1", "P2", "P3") for name in accounts.person_sub_ledger(p)}
    booked = set(_balances(ACCOUNT)) - {accounts.CASH} - {a for a in _balances(ACCOUNT) if accounts.is_payable(a)}
    assert booked <= on_sub_ledgers


def test_the_statement_lists_credits_payments_and_restorations_oldest_first_with_a_running_balance():
    account = statement("P1", list(reversed(_sub_ledger("P1"))))
    assert [(e.event_id, e.kind, e.amount.to_yuan(), e.balance_after.to_yuan()) for e in account.entries] == [
        ("c1", "employee_contribution", "240.00", "240.00"),
        ("s1", "settlement", "-200.00", "40.00"),
        ("s1r", "settlement_reversed", "200.00", "240.00")]
    assert account.balance == _yuan("240.00")
