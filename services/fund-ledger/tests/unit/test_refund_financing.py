"""A refund that withdraws a person-year's cover gives its catastrophic premium, subsidy and on-behalf share back,
each as the mirror of what brought it; paying again finances it again, each move exactly once (docs/funding.md)."""

from datetime import date

from medfund_ledger.domain import accounts, journal
from medfund_ledger.domain.financing import (
    ACTIVATED,
    RESTORED,
    WITHDRAWN,
    CatastrophicCover,
    DueTransfer,
    catastrophic_step,
    pooled_income,
)
from medfund_shared.money import Money

POOLED, CATASTROPHIC, ASSISTANCE = "500240:390100:2029", "500240:390200:2029", "500240:610100:2029"
FIRST = DueTransfer("catastrophic:500240:2029:P1", "catastrophic_financing", POOLED, CATASTROPHIC, Money(3000))
ON = date(2029, 3, 1)


def _run(*changes: str) -> tuple[CatastrophicCover | None, list[DueTransfer]]:
    cover, moved = None, []
    for change in changes:
        cover, transfer = catastrophic_step(cover, change, FIRST if change == ACTIVATED else None)
        if transfer is not None:
            moved.append(transfer)
    return cover, moved


def _net(moved: list[DueTransfer], pool_id: str) -> int:
    return sum(t.amount.fen for t in moved if t.to_pool_id == pool_id) - sum(
        t.amount.fen for t in moved if t.from_pool_id == pool_id)


def test_a_withdrawal_gives_the_30_yuan_back_and_a_restoring_finances_it_again_under_new_ids():
    cover, moved = _run(ACTIVATED, WITHDRAWN, RESTORED)
    assert [(t.transfer_id, t.reason, t.from_pool_id, t.to_pool_id, t.amount) for t in moved] == [
        ("catastrophic:500240:2029:P1", "catastrophic_financing", POOLED, CATASTROPHIC, Money(3000)),
        ("catastrophic:500240:2029:P1:returned:1", "catastrophic_returned", CATASTROPHIC, POOLED, Money(3000)),
        ("catastrophic:500240:2029:P1:2", "catastrophic_financing", POOLED, CATASTROPHIC, Money(3000)),
    ]
    assert cover == CatastrophicCover(FIRST, financed=True, returns=1)
    assert _net(moved, CATASTROPHIC) == 3000, "financed once in the end: 30.00 - 30.00 + 30.00"


def test_a_second_withdrawal_and_restoring_take_the_next_numbers():
    _, moved = _run(ACTIVATED, WITHDRAWN, RESTORED, WITHDRAWN, RESTORED, WITHDRAWN)
    assert [t.transfer_id.removeprefix("catastrophic:500240:2029:P1") for t in moved] == [
        "", ":returned:1", ":2", ":returned:2", ":3", ":returned:3"]
    assert _net(moved, CATASTROPHIC) == 0 and _net(moved, POOLED) == 0


def test_repeated_or_unfinanced_changes_move_nothing():
    assert _run(ACTIVATED, ACTIVATED)[1] == [FIRST], "a re-activation of financed cover (re-registration)"
    assert _run(ACTIVATED, RESTORED)[1] == [FIRST], "an operator's suspension lifted"
    assert len(_run(ACTIVATED, WITHDRAWN, WITHDRAWN)[1]) == 2, "the cover was already withdrawn"
    assert _run(WITHDRAWN, RESTORED) == (None, []), "never activated: nothing was financed"


def test_an_activation_after_a_withdrawal_finances_again():
    _, moved = _run(ACTIVATED, WITHDRAWN, ACTIVATED)
    assert [t.transfer_id for t in moved][-1] == "catastrophic:500240:2029:P1:2"


def test_a_pack_without_catastrophic_financing_keeps_no_state():
    assert catastrophic_step(None, ACTIVATED, None) == (None, None)


def test_the_subsidy_withdrawn_mirrors_its_allocation_level_by_level():
    shares = [("central", Money.from_yuan("400.00")), ("city", Money.from_yuan("270.00"))]
    allocated = journal.subsidy_allocated("e1", ON, POOLED, Money.from_yuan("670.00"), shares)
    withdrawn = journal.mirrored(journal.subsidy_allocated("e2", ON, POOLED, Money.from_yuan("670.00"), shares),
                                 "subsidy_withdrawn")
    balances: dict[str, int] = {}
    for line in allocated.lines + withdrawn.lines:
        balances[line.account] = balances.get(line.account, 0) + line.amount
    assert set(balances.values()) == {0}
    assert (withdrawn.key, withdrawn.kind) == ("e2", "subsidy_withdrawn")
    assert pooled_income(withdrawn) == {POOLED: Money(-67000)}, "a negative income: the reserve gives its share back"


def test_the_sponsorship_withdrawn_is_expenditure_of_assistance_and_income_of_the_pooled_fund_taken_back():
    """资助参保 of 84.00 (60% of 140.00): 610100 had spent 84.00 and 390100 received it; the mirror undoes both."""
    withdrawn = journal.mirrored(journal.on_behalf_paid("e3", ON, POOLED, Money.from_yuan("84.00"), ASSISTANCE),
                                 "on_behalf_withdrawn")
    lines = {(line.pool_id, line.account): line.amount for line in withdrawn.lines}
    assert lines == {(POOLED, accounts.CASH): -8400, (POOLED, accounts.INCOME_ON_BEHALF): 8400,
                     (ASSISTANCE, accounts.SPONSORSHIP_EXPENSE): -8400, (ASSISTANCE, accounts.CASH): 8400}


def test_a_refunded_flexible_workers_month_mirrors_its_pool_account_and_late_fee_shares():
    """550.00 paid for March: 350.00 to 310100, 200.00 to the person's account in 310200, 2.75 late fee."""
    pooled, account = "321100:310100:2029", "321100:310200:2029"
    month = journal.employee_contribution("e1", ON, pooled, account, "F1", Money.from_yuan("350.00"),
                                          Money.from_yuan("200.00"), Money.from_yuan("2.75"), "2029-03")
    back = journal.mirrored(month, "employee_contribution_withdrawn")
    totals: dict[tuple[str, str], int] = {}
    for line in month.lines + back.lines:
        totals[line.pool_id, line.account] = totals.get((line.pool_id, line.account), 0) + line.amount
    assert set(totals.values()) == {0} and back.memo == "2029-03"
    assert pooled_income(back) == {pooled: Money(-35275), account: Money(-20000)}
