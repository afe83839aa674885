"""Daily reconciliation: the hospital's totals against ours."""

from medfund_adjudication.domain.reconciliation import MATCH, MISMATCH, Totals, reconcile
from medfund_shared.money import Money

OURS = Totals(3, Money(300_000), Money(210_000), Money(5_000))


def test_equal_totals_match_and_say_what_was_agreed():
    statement = reconcile(OURS, OURS)
    assert statement.stmt_rslt == MATCH and "3 settlements" in statement.stmt_rslt_dscr


def test_each_differing_total_is_spelled_out_with_both_figures():
    theirs = Totals(2, Money(300_000), Money(209_999), Money(5_000))
    statement = reconcile(theirs, OURS)
    assert statement.stmt_rslt == MISMATCH
    assert statement.stmt_rslt_dscr == ("fixmedins_setl_cnt: hospital 2, insurer 3; "
                                         f"fund_pay_sumamt: hospital {Money(209_999)}, insurer {Money(210_000)}")
