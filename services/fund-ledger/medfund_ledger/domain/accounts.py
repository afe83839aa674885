"""Account names of a pool's chart of accounts, and which totals each one feeds.

A line's amount is signed fen: positive is a debit, negative a credit. Income accounts are
credit-normal, expense and cash accounts debit-normal.
"""

from __future__ import annotations

CASH = "cash"
INCOME_PREFIX = "income:"
INCOME_INDIVIDUAL = "income:contribution:individual"
INCOME_ON_BEHALF = "income:contribution:on_behalf"
INCOME_EMPLOYEE_POOLED = "income:contribution:employee_pooled"
INCOME_LATE_FEE = "income:late_fee"
"""滞纳金 on a late employee-scheme month: pooled-fund income."""
TRANSFER_IN = "transfer:in"
TRANSFER_OUT = "transfer:out"
BROUGHT_FORWARD = "fund:brought_forward"
"""The balance the fund held before the ledger kept it (滚存结余 carried in): part of the balance, neither the
year's income nor its expenditure."""
SPONSORSHIP_EXPENSE = "expense:sponsorship"
"""Medical assistance paying the premium of the people it sponsors (资助参保)."""


def appropriation_income(source: str) -> str:
    """Money appropriated to a fund, per source (civil_affairs, finance)."""
    return f"income:appropriation:{source}"


def subsidy_income(level: str) -> str:
    return f"income:subsidy:{level}"


def account_income(psn_no: str) -> str:
    """Employee individual accounts keep a sub-ledger per person."""
    return f"income:individual_account:{psn_no}"


def account_transfer_in(psn_no: str) -> str:
    """A retiree's monthly credit, moved in from the pooled fund."""
    return f"{TRANSFER_IN}:{psn_no}"


def account_payment(psn_no: str) -> str:
    """What the person's account paid towards settlements (less what reversals gave back)."""
    return f"expense:individual_account:{psn_no}"


def person_sub_ledger(psn_no: str) -> tuple[str, ...]:
    """The accounts of one person's sub-ledger in an individual-account pool: every line of that pool is on one."""
    return account_income(psn_no), account_transfer_in(psn_no), account_payment(psn_no)


def benefit_expense(kind: str) -> str:
    return f"expense:benefit:{kind}"


def payable(fixmedins_code: str) -> str:
    return f"payable:{fixmedins_code}"


def is_income(account: str) -> bool:
    return account.startswith(INCOME_PREFIX) or account.startswith(TRANSFER_IN)


def is_expenditure(account: str) -> bool:
    return account.startswith("expense:") or account.startswith(TRANSFER_OUT)


def is_paid_up_front(account: str) -> bool:
    """Expenditure due once for the year when cover or income starts, not as care is given: the catastrophic
    premium and reserve transfers, and the premiums medical assistance sponsors (docs/funding.md)."""
    return account.startswith(TRANSFER_OUT) or account == SPONSORSHIP_EXPENSE


def is_payable(account: str) -> bool:
    return account.startswith("payable:")
