"""Account names of a pool's chart of accounts, and which totals each one feeds.

A line's amount is signed fen: positive is a debit, negative a credit. Income accounts are
credit-normal, expense and cash accounts debit-normal.
"""

from __future__ import annotations

CASH = "cash"
INCOME_INDIVIDUAL = "income:contribution:individual"
INCOME_ON_BEHALF = "income:contribution:on_behalf"
INCOME_EMPLOYEE_POOLED = "income:contribution:employee_pooled"
TRANSFER_IN = "transfer:in"
TRANSFER_OUT = "transfer:out"


def subsidy_income(level: str) -> str:
    return f"income:subsidy:{level}"


def account_income(psn_no: str) -> str:
    """Employee individual accounts keep a sub-ledger per person."""
    return f"income:individual_account:{psn_no}"


def account_transfer_in(psn_no: str) -> str:
    return f"{TRANSFER_IN}:{psn_no}"


def benefit_expense(kind: str) -> str:
    return f"expense:benefit:{kind}"


def payable(fixmedins_code: str) -> str:
    return f"payable:{fixmedins_code}"


def is_income(account: str) -> bool:
    return account.startswith("income:") or account.startswith(TRANSFER_IN)


def is_expenditure(account: str) -> bool:
    return account.startswith("expense:") or account.startswith(TRANSFER_OUT)


def is_payable(account: str) -> bool:
    return account.startswith("payable:")
